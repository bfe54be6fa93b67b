// Command loginflood floods a running server with anonymous logins while a guesser tries the
// admin's password from one address and the admin logs in now and then from their desk, and
// reports what each of them got, the server's peak memory, and where the login limits decided:
// the measurement behind docs/SECURITY.md "A login flood".
//
//	loginflood -base http://127.0.0.1:18080 -pid 1234 -metrics http://127.0.0.1:19090 \
//	           -user admin -password … [-spread] [-c 150] [-d 20s]
//
// With -spread every flood request claims another client address in X-Forwarded-For (the
// server must trust the sender as a proxy): a flood from many addresses, which no per-address
// limit stops. Without it the flood comes from one address. It exits 1 when a bar is missed:
// an attempt admitted without a limit decision, the guesser's password checked more often than
// the per-source limit allows, the admin not in within 2 s, or a peak RSS of 300 MB or more.
package main

import (
	"bufio"
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
	var o options
	flag.StringVar(&o.base, "base", "http://127.0.0.1:18080", "the server")
	flag.IntVar(&o.pid, "pid", 0, "the server's process id, for its peak RSS (VmHWM)")
	flag.StringVar(&o.metrics, "metrics", "", "the server's metrics address (http://host:port), for where the limits decided")
	flag.StringVar(&o.log, "log", "", "the server's log file, to count attempts admitted without a decision")
	flag.StringVar(&o.user, "user", "admin", "the legitimate account")
	flag.StringVar(&o.pw, "password", "", "its password")
	flag.IntVar(&o.conc, "c", 150, "concurrent flood requests")
	flag.DurationVar(&o.dur, "d", 20*time.Second, "how long")
	flag.BoolVar(&o.spread, "spread", false, "every flood request from another address")
	flag.IntVar(&o.perSource, "per-source", 5, "the server's LOGIN_MAX_FAILURES: the guesser's checked attempts allowed")
	flag.BoolVar(&o.warm, "warm", true, "log the admin in from the desk first (off: the server must know the desk from its login log)")
	flag.Parse()
	ok, err := run(o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "loginflood:", err)
		os.Exit(1)
	}
	if !ok {
		os.Exit(1)
	}
}

type options struct {
	base, metrics, log, user, pw string
	pid, conc, perSource         int
	dur                          time.Duration
	spread, warm                 bool
}

// The desk the admin logs in from (known to the server after the first login), the guesser's
// address, and the one address of a flood that is not spread.
const (
	desk    = "198.51.100.10"
	guesser = "192.0.2.66"
	single  = "203.0.113.66"
)

func post(c *http.Client, url, ip, user, pw string) (int, error) {
	b, _ := json.Marshal(map[string]string{"username": user, "password": pw})
	req, _ := http.NewRequest("POST", url, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Forwarded-For", ip)
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

// tally counts answers by status.
type tally struct{ m sync.Map }

func (t *tally) add(status int, err error) {
	key := strconv.Itoa(status)
	if err != nil {
		key = "error"
	}
	v, _ := t.m.LoadOrStore(key, new(atomic.Int64))
	v.(*atomic.Int64).Add(1)
}

func (t *tally) get(key string) int64 {
	if v, ok := t.m.Load(key); ok {
		return v.(*atomic.Int64).Load()
	}
	return 0
}

func (t *tally) String() string {
	var parts []string
	t.m.Range(func(k, v any) bool {
		parts = append(parts, fmt.Sprintf("%s×%d", k, v.(*atomic.Int64).Load()))
		return true
	})
	slices.Sort(parts)
	return strings.Join(parts, " ")
}

func run(o options) (bool, error) {
	url := o.base + "/api/v1/auth/login"
	c := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: o.conc + 10}}
	// The admin logged in from the desk before (yesterday, say): that pair is known.
	if o.warm {
		if st, err := post(c, url, desk, o.user, o.pw); err != nil || st != 200 {
			return false, fmt.Errorf("the first login: %d %v", st, err)
		}
	}
	before, _ := limitChecks(o.metrics)
	rss0, _ := vm(o.pid, "VmRSS")
	stop := time.Now().Add(o.dur)
	var flood, guesses tally
	var n atomic.Int64
	var wg sync.WaitGroup
	for w := range o.conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; time.Now().Before(stop); i++ {
				ip := single
				if o.spread {
					k := int(n.Add(1))
					ip = fmt.Sprintf("100.%d.%d.%d", k>>16&255, k>>8&255, k&255)
				}
				flood.add(post(c, url, ip, fmt.Sprintf("nobody-%d-%d", w, i), "guess"))
			}
		}()
	}
	// The guesser: the admin's account, wrong passwords, one address, as fast as answers come.
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; time.Now().Before(stop); i++ {
			guesses.add(post(c, url, guesser, o.user, fmt.Sprintf("guess-%d", i)))
		}
	}()

	// The admin: a login every half second from the desk; a 503 or 429 is retried after its
	// Retry-After (one second), as the console does, and the latency is to the success.
	var lat []time.Duration
	var failed int
	time.Sleep(time.Second) // let the flood build up
	for time.Now().Add(2 * time.Second).Before(stop) {
		start := time.Now()
		ok := false
		for time.Since(start) < 10*time.Second {
			if st, err := post(c, url, desk, o.user, o.pw); err == nil && st == 200 {
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
	peak, _ := vm(o.pid, "VmHWM")
	after, _ := limitChecks(o.metrics)
	undecided := countLines(o.log, "attempt admitted")

	fmt.Printf("flood: %d concurrent for %s, from %s: %s\n", o.conc, o.dur,
		map[bool]string{true: "many addresses", false: "one address"}[o.spread], &flood)
	fmt.Printf("guesser on %q from one address: %s (checked: %d, allowed %d)\n", o.user, &guesses, guesses.get("401"), o.perSource)
	slices.Sort(lat)
	q := func(p float64) time.Duration {
		if len(lat) == 0 {
			return 0
		}
		return lat[min(len(lat)-1, int(float64(len(lat))*p))]
	}
	fmt.Printf("admin from the desk: %d ok, %d failed; p50 %s, p99 %s, max %s\n", len(lat), failed,
		q(0.5).Round(time.Millisecond), q(0.99).Round(time.Millisecond), q(1).Round(time.Millisecond))
	fmt.Printf("limit checks decided: in Redis %d, in process %d; attempts admitted without a decision: %d\n",
		after["shared"]-before["shared"], after["local"]-before["local"], undecided)
	if o.pid != 0 {
		fmt.Printf("server RSS: %d MB before, peak %d MB\n", rss0>>10, peak>>10)
	}
	ok := true
	bar := func(held bool, what string) {
		if !held {
			fmt.Println("MISSED:", what)
			ok = false
		}
	}
	bar(undecided == 0, "attempts admitted without a limit decision")
	bar(guesses.get("401") <= int64(o.perSource), "the guesser's password checked more often than the per-source limit")
	bar(failed == 0 && len(lat) > 0 && q(1) <= 2*time.Second, "the admin in within 2 s every time")
	bar(o.pid == 0 || peak>>10 < 300, "peak RSS under 300 MB")
	return ok, nil
}

// limitChecks reads jianbao_login_limit_checks_total by where from the metrics endpoint.
func limitChecks(base string) (map[string]int64, error) {
	out := map[string]int64{}
	if base == "" {
		return out, nil
	}
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		return out, err
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		for _, where := range []string{"shared", "local"} {
			if v, ok := strings.CutPrefix(line, `jianbao_login_limit_checks_total{where="`+where+`"} `); ok {
				f, _ := strconv.ParseFloat(v, 64)
				out[where] = int64(f)
			}
		}
	}
	return out, sc.Err()
}

// countLines counts the lines of a file that contain s (0 when there is no file).
func countLines(path, s string) int {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	return strings.Count(string(b), s)
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
