// Command chaos drives a bounded write load and photo uploads against a running server while it
// stops and restarts the server's Redis and MySQL (by running the commands it is given), and
// reports what the users saw: requests by status in each phase, write throughput, time to
// recover, acknowledged writes missing afterwards, and uploads stuck unprocessed. scripts/chaos
// runs it against instances of its own; docs/RELIABILITY.md records a run.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"net/http"
	"os"
	"os/exec"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

type config struct {
	base, user, password                         string
	redisStop, redisStart, mysqlStop, mysqlStart string
	writers                                      int
	normal, outage                               time.Duration
}

func main() {
	var c config
	flag.StringVar(&c.base, "base", "http://127.0.0.1:18090", "the server")
	flag.StringVar(&c.user, "user", "admin", "account")
	flag.StringVar(&c.password, "password", "", "its password")
	flag.StringVar(&c.redisStop, "redis-stop", "", "shell command that kills Redis")
	flag.StringVar(&c.redisStart, "redis-start", "", "shell command that starts Redis (empty)")
	flag.StringVar(&c.mysqlStop, "mysql-stop", "", "shell command that kills MySQL")
	flag.StringVar(&c.mysqlStart, "mysql-start", "", "shell command that starts MySQL")
	flag.IntVar(&c.writers, "writers", 8, "concurrent writers")
	flag.DurationVar(&c.normal, "normal", 15*time.Second, "length of a normal phase")
	flag.DurationVar(&c.outage, "outage", 15*time.Second, "length of an outage")
	flag.Parse()
	if err := run(c); err != nil {
		fmt.Fprintln(os.Stderr, "chaos:", err)
		os.Exit(1)
	}
}

type client struct {
	base, token string
	http        *http.Client
}

func (c *client) do(method, path string, body any, out any) (int, error) {
	var rd io.Reader
	if b, ok := body.([]byte); ok {
		rd = bytes.NewReader(b)
	} else if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, c.base+path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil && resp.StatusCode < 300 {
		json.Unmarshal(b, out)
	}
	return resp.StatusCode, nil
}

// phase counts what happened while it lasted.
type phase struct {
	name     string
	start    time.Time
	end      time.Time
	mu       sync.Mutex
	statuses map[string]int
	acked    int
}

func (p *phase) note(status int, err error, acked bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	k := fmt.Sprint(status)
	if err != nil {
		k = "network error"
	}
	p.statuses[k]++
	if acked {
		p.acked++
	}
}

func shell(cmd string) error {
	if cmd == "" {
		return nil
	}
	out, err := exec.Command("sh", "-c", cmd).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s: %v: %s", cmd, err, out)
	}
	return nil
}

func photo(n int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 320, 240))
	for y := range 240 {
		for x := range 320 {
			img.Set(x, y, color.RGBA{uint8(x + n), uint8(y * n), uint8(n), 255})
		}
	}
	var b bytes.Buffer
	jpeg.Encode(&b, img, &jpeg.Options{Quality: 80})
	return b.Bytes()
}

func run(c config) error {
	cl := &client{base: c.base, http: &http.Client{Timeout: 10 * time.Second}}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if st, err := cl.do("POST", "/api/v1/auth/login", map[string]string{"username": c.user, "password": c.password}, &tok); st != 200 {
		return fmt.Errorf("login: %d %v", st, err)
	}
	cl.token = tok.AccessToken
	var items []string
	for i := range 10 {
		var cu, it struct{ ID string }
		cl.do("POST", "/api/v1/customers", map[string]any{"name": fmt.Sprintf("混沌客户%d", i)}, &cu)
		cl.do("POST", "/api/v1/items", map[string]any{"customer_id": cu.ID, "category_id": "2", "title": fmt.Sprintf("青花瓷%d", i)}, &it)
		if it.ID == "" {
			return fmt.Errorf("seeding items failed")
		}
		items = append(items, it.ID)
	}

	var cur atomic.Pointer[phase]
	newPhase := func(name string) *phase {
		p := &phase{name: name, start: time.Now(), statuses: map[string]int{}}
		if old := cur.Swap(p); old != nil {
			old.end = p.start
		}
		return p
	}
	var phases []*phase
	begin := func(name string) { phases = append(phases, newPhase(name)) }
	begin("normal")

	var ackedMu sync.Mutex
	var ackedOrders, uploads []string
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range c.writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				var o struct{ ID string }
				st, err := cl.do("POST", "/api/v1/orders", map[string]any{"item_id": items[(w+i)%len(items)], "product_id": "2"}, &o)
				p := cur.Load()
				p.note(st, err, st == 201)
				if st == 201 {
					ackedMu.Lock()
					ackedOrders = append(ackedOrders, o.ID)
					ackedMu.Unlock()
					st, err = cl.do("GET", "/api/v1/orders/"+o.ID, nil, nil)
					p.note(st, err, false)
				} else {
					time.Sleep(50 * time.Millisecond) // an outage: do not spin
				}
			}
		}()
	}
	// Uploads: one photo a second, the way the console sends them.
	wg.Add(1)
	go func() {
		defer wg.Done()
		for n := 1; ; n++ {
			select {
			case <-stop:
				return
			case <-time.After(time.Second):
			}
			data := photo(n)
			var up struct {
				Media  struct{ ID string } `json:"media"`
				Upload struct {
					URL     string            `json:"url"`
					Headers map[string]string `json:"headers"`
				} `json:"upload"`
			}
			st, err := cl.do("POST", "/api/v1/media/uploads", map[string]any{"owner_type": "item", "owner_id": items[n%len(items)],
				"kind": "image", "filename": fmt.Sprintf("p%d.jpg", n), "content_type": "image/jpeg", "size": len(data)}, &up)
			cur.Load().note(st, err, false)
			if st != 201 {
				continue
			}
			req, _ := http.NewRequest("PUT", up.Upload.URL, bytes.NewReader(data))
			for k, v := range up.Upload.Headers {
				req.Header.Set(k, v)
			}
			resp, err := cl.http.Do(req)
			if err != nil || resp.StatusCode != 200 {
				continue
			}
			resp.Body.Close()
			ackedMu.Lock()
			uploads = append(uploads, up.Media.ID)
			ackedMu.Unlock()
			st, err = cl.do("POST", "/api/v1/media/"+up.Media.ID+"/complete", nil, nil)
			cur.Load().note(st, err, false)
		}
	}()

	ready := func() bool {
		var r struct{ Status string }
		st, _ := cl.do("GET", "/readyz", nil, &r)
		return st == 200 && r.Status == "ready"
	}
	waitReady := func(what string) (time.Duration, error) {
		t0 := time.Now()
		for time.Since(t0) < 2*time.Minute {
			if ready() {
				return time.Since(t0), nil
			}
			time.Sleep(100 * time.Millisecond)
		}
		return 0, fmt.Errorf("%s: not ready 2 minutes after the restart", what)
	}
	var recoveries []string
	outage := func(name, stopCmd, startCmd string) error {
		if stopCmd == "" {
			return nil
		}
		begin(name + " down")
		if err := shell(stopCmd); err != nil {
			return err
		}
		time.Sleep(c.outage)
		begin(name + " back")
		if err := shell(startCmd); err != nil {
			return err
		}
		d, err := waitReady(name)
		if err != nil {
			return err
		}
		recoveries = append(recoveries, fmt.Sprintf("%s: ready %.1f s after the restart", name, d.Seconds()))
		time.Sleep(c.normal)
		return nil
	}

	time.Sleep(c.normal)
	if err := outage("redis", c.redisStop, c.redisStart); err != nil {
		return err
	}
	if err := outage("mysql", c.mysqlStop, c.mysqlStart); err != nil {
		return err
	}
	close(stop)
	wg.Wait()
	cur.Load().end = time.Now()

	fmt.Printf("%d writers, one upload a second; phases of %s, outages of %s\n", c.writers, c.normal, c.outage)
	var normalRate float64
	for _, p := range phases {
		secs := p.end.Sub(p.start).Seconds()
		var keys []string
		for k := range p.statuses {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var parts []string
		for _, k := range keys {
			parts = append(parts, fmt.Sprintf("%s×%d", k, p.statuses[k]))
		}
		rate := float64(p.acked) / secs
		if p.name == "normal" {
			normalRate = rate
		}
		ratio := ""
		if normalRate > 0 {
			ratio = fmt.Sprintf(" (%.2f× normal)", rate/normalRate)
		}
		fmt.Printf("  %-12s %5.1f s  writes acked %5d = %6.1f/s%s  requests: %s\n", p.name, secs, p.acked, rate, ratio, strings.Join(parts, " "))
	}
	for _, r := range recoveries {
		fmt.Println("  recovery:", r)
	}

	// Every acknowledged write must be there.
	missing := 0
	for _, id := range ackedOrders {
		if st, _ := cl.do("GET", "/api/v1/orders/"+id, nil, nil); st != 200 {
			missing++
		}
	}
	fmt.Printf("  acknowledged orders: %d, missing afterwards: %d\n", len(ackedOrders), missing)

	// Every stored upload must end processed (the sweeper finds what the stream lost).
	deadline := time.Now().Add(4 * time.Minute)
	stuck := len(uploads)
	waited := time.Now()
	for time.Now().Before(deadline) {
		stuck = 0
		for _, id := range uploads {
			var m struct{ Status string }
			cl.do("GET", "/api/v1/media/"+id, nil, &m)
			if m.Status != "READY" && m.Status != "REJECTED" {
				stuck++
			}
		}
		if stuck == 0 {
			break
		}
		time.Sleep(2 * time.Second)
	}
	fmt.Printf("  uploads stored: %d, stuck unprocessed: %d (settled %.0f s after the load)\n", len(uploads), stuck, time.Since(waited).Seconds())
	if missing > 0 || stuck > 0 {
		return fmt.Errorf("%d acknowledged writes missing, %d uploads stuck", missing, stuck)
	}
	return nil
}
