// Command loginflood floods a running server with anonymous logins while one member of staff
// logs in now and then, and reports the server's peak memory and the legitimate logins' latency:
// the measurement behind docs/PERFORMANCE.md "Login under a flood".
//
//	loginflood -base http://127.0.0.1:18080 -pid 1234 -user admin -password … [-spread]
//
// With -spread every flood request claims another client address in X-Forwarded-For (the
// server must trust the sender as a proxy): a flood from many addresses, which no per-address
// limit stops, so only the hashing gate bounds it. Without it the flood comes from one address.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	base := flag.String("base", "http://127.0.0.1:18080", "the server")
	pid := flag.Int("pid", 0, "the server's process id, for its peak RSS (VmHWM)")
	user := flag.String("user", "admin", "the legitimate account")
	pw := flag.String("password", "", "its password")
	conc := flag.Int("c", 100, "concurrent flood requests")
	dur := flag.Duration("d", 20*time.Second, "how long")
	spread := flag.Bool("spread", false, "every flood request from another address")
	flag.Parse()
	if err := run(*base, *pid, *user, *pw, *conc, *dur, *spread); err != nil {
		fmt.Fprintln(os.Stderr, "loginflood:", err)
		os.Exit(1)
	}
}

func post(c *http.Client, url, ip, user, pw string) (int, error) {
	b, _ := json.Marshal(map[string]string{"username": user, "password": pw})
	req, _ := http.NewRequest("POST", url, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	if ip != "" {
		req.Header.Set("X-Forwarded-For", ip)
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

func run(base string, pid int, user, pw string, conc int, dur time.Duration, spread bool) error {
	url := base + "/api/v1/auth/login"
	c := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: conc + 10}}
	// The admin logged in from the office before (yesterday, say): that address is known.
	if st, err := post(c, url, "198.51.100.10", user, pw); err != nil || st != 200 {
		return fmt.Errorf("the first login: %d %v", st, err)
	}
	rss0, _ := vm(pid, "VmRSS")
	stop := time.Now().Add(dur)
	var statuses sync.Map
	var n atomic.Int64
	var wg sync.WaitGroup
	for w := range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; time.Now().Before(stop); i++ {
				ip := "203.0.113.66"
				if spread {
					k := int(n.Add(1))
					ip = fmt.Sprintf("100.%d.%d.%d", k>>16&255, k>>8&255, k&255)
				}
				st, err := post(c, url, ip, fmt.Sprintf("nobody-%d-%d", w, i), "guess")
				key := strconv.Itoa(st)
				if err != nil {
					key = "error"
				}
				v, _ := statuses.LoadOrStore(key, new(atomic.Int64))
				v.(*atomic.Int64).Add(1)
			}
		}()
	}

	// The legitimate user: a login every half second from the office address; a 503 or 429 is
	// retried after its Retry-After, as the console does, and the latency is to the success.
	var lat []time.Duration
	var failed int
	time.Sleep(time.Second) // let the flood build up
	for time.Now().Add(2 * time.Second).Before(stop) {
		start := time.Now()
		ok := false
		for time.Since(start) < 10*time.Second {
			st, err := post(c, url, "198.51.100.10", user, pw)
			if err == nil && st == 200 {
				ok = true
				break
			}
			time.Sleep(time.Second)
		}
		if ok {
			lat = append(lat, time.Since(start))
		} else {
			failed++
		}
		time.Sleep(500 * time.Millisecond)
	}
	wg.Wait()
	peak, _ := vm(pid, "VmHWM")

	fmt.Printf("flood: %d concurrent for %s, from %s\n", conc, dur, map[bool]string{true: "many addresses", false: "one address"}[spread])
	statuses.Range(func(k, v any) bool {
		fmt.Printf("  flood status %s: %d\n", k, v.(*atomic.Int64).Load())
		return true
	})
	slices.Sort(lat)
	q := func(p float64) time.Duration {
		if len(lat) == 0 {
			return 0
		}
		return lat[min(len(lat)-1, int(float64(len(lat))*p))]
	}
	fmt.Printf("legitimate logins: %d ok, %d failed; p50 %s, p99 %s, max %s\n", len(lat), failed,
		q(0.5).Round(time.Millisecond), q(0.99).Round(time.Millisecond), q(1).Round(time.Millisecond))
	if pid != 0 {
		fmt.Printf("server RSS: %d MB before, peak %d MB\n", rss0>>10, peak>>10)
	}
	return nil
}

// vm reads a memory figure (kB) of a process from /proc.
func vm(pid int, field string) (int64, error) {
	if pid == 0 {
		return 0, nil
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			return strconv.ParseInt(strings.Fields(v)[0], 10, 64)
		}
	}
	return 0, fmt.Errorf("no %s", field)
}
