package main

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/jianbao/admin/functions/internal/loadtest"
	"github.com/jianbao/admin/shared/testenv"
)

// The benchmarks drive the shim over HTTP on the real MariaDB and Redis, as production runs it:
// go test -run '^$' -bench . ./functions/server/ (scripts/bench/api.sh adds a wrk load run).

const benchAdminPW = "bench-admin-password"

func benchServer(b *testing.B) (string, *loadtest.Seeded) {
	b.Helper()
	db, r := testenv.MySQL(b), testenv.Redis(b)
	env := map[string]string{"MYSQL_DSN": db.DSN, "REDIS_ADDR": r.Addr, "REDIS_PREFIX": r.Prefix, "LOG_LEVEL": "error",
		"JWT_SECRET": strings.Repeat("j", 32), "PII_SECRET": strings.Repeat("p", 32), "BOOTSTRAP_ADMIN_PASSWORD": benchAdminPW}
	base := startBench(b, env)
	s, err := loadtest.Seed(base, benchAdminPW, 1000)
	if err != nil {
		b.Fatal(err)
	}
	return base, s
}

func startBench(b *testing.B, env map[string]string) string {
	b.Helper()
	addr := freeAddr(b)
	env["HTTP_ADDR"] = addr
	env["DATA_DIR"] = b.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- run(ctx, func(k string) string { return env[k] }, io.Discard) }()
	b.Cleanup(func() { cancel(); <-errc })
	waitHealthy(b, "http://"+addr, errc)
	return "http://" + addr
}

// hammer sends requests made by newReq from parallel goroutines and fails on anything but 200.
func hammer(b *testing.B, newReq func() *http.Request) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			resp, err := client.Do(newReq())
			if err != nil {
				b.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
		}
	})
}

func authorized(url, tok string) func() *http.Request {
	return func() *http.Request {
		req, _ := http.NewRequest("GET", url, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		return req
	}
}

func BenchmarkOrderList(b *testing.B) {
	base, s := benchServer(b)
	hammer(b, authorized(base+"/api/v1/orders?page_size=20&status=TRIAGE&sort=-created_at", s.Token))
}

func BenchmarkOrderDetail(b *testing.B) {
	base, s := benchServer(b)
	hammer(b, authorized(base+"/api/v1/orders/"+s.OrderIDs[len(s.OrderIDs)/2], s.Token))
}

func BenchmarkLogin(b *testing.B) {
	base, s := benchServer(b)
	body := `{"username":"` + s.Username + `","password":"` + s.Password + `"}`
	hammer(b, func() *http.Request {
		req, _ := http.NewRequest("POST", base+"/api/v1/auth/login", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		return req
	})
}
