// Package scftest runs built function binaries the way the SCF Go1 platform does, for tests.
package scftest

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/rpc"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jianbao/admin/shared/scf"
)

// TestBinary is a built function binary running as the platform runs it: a child process told its
// port by _LAMBDA_SERVER_PORT, reached over net/rpc. Tests of every function binary use it.
type TestBinary struct {
	Client *rpc.Client
	cmd    *exec.Cmd
}

// BuildFunction compiles the main package at pkg (a directory or import path, resolved from dir)
// for the SCF platform (linux, no cgo) into a temporary directory and returns the binary's path.
func BuildFunction(tb testing.TB, dir, pkg string) string {
	tb.Helper()
	out := filepath.Join(tb.TempDir(), "main")
	cmd := exec.Command("go", "build", "-trimpath", "-o", out, pkg)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH=amd64", "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("build %s: %v\n%s", pkg, err, b)
	}
	return out
}

// StartBinary runs bin with _LAMBDA_SERVER_PORT set and waits until it answers Ping. The process
// is killed when the test ends.
func StartBinary(tb testing.TB, bin string, env ...string) *TestBinary {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()

	cmd := exec.Command(bin)
	cmd.Env = append(append(os.Environ(), env...), "_LAMBDA_SERVER_PORT="+strconv.Itoa(port))
	cmd.Stdout = os.Stderr
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })

	addr := "127.0.0.1:" + strconv.Itoa(port)
	deadline := time.Now().Add(20 * time.Second)
	for {
		c, err := rpc.Dial("tcp", addr)
		if err == nil {
			tb.Cleanup(func() { c.Close() })
			if err := c.Call("Function.Ping", &scf.PingRequest{}, &scf.PingResponse{}); err != nil {
				tb.Fatalf("ping: %v", err)
			}
			return &TestBinary{Client: c, cmd: cmd}
		}
		if time.Now().After(deadline) {
			tb.Fatalf("function binary did not listen on %s: %v", addr, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// PeakRSS is the most resident memory the process has held so far (VmHWM), in bytes: what an
// SCF function's memory size must cover.
func (b *TestBinary) PeakRSS(tb testing.TB) int64 {
	tb.Helper()
	raw, err := os.ReadFile("/proc/" + strconv.Itoa(b.cmd.Process.Pid) + "/status")
	if err != nil {
		tb.Fatal(err)
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				tb.Fatal(err)
			}
			return kb << 10
		}
	}
	tb.Fatal("no VmHWM in /proc/pid/status")
	return 0
}

// Invoke sends one event with the given environment, as the platform does.
func (b *TestBinary) Invoke(tb testing.TB, payload []byte, env map[string]string) *scf.InvokeResponse {
	tb.Helper()
	return InvokeRPC(tb, b.Client, payload, env)
}

// InvokeRPC sends one invoke over an rpc client.
func InvokeRPC(tb testing.TB, c *rpc.Client, payload []byte, env map[string]string) *scf.InvokeResponse {
	tb.Helper()
	envJSON := "{}"
	if len(env) > 0 {
		b, err := json.Marshal(env)
		if err != nil {
			tb.Fatal(err)
		}
		envJSON = string(b)
	}
	dl := time.Now().Add(30 * time.Second)
	req := &scf.InvokeRequest{
		Payload: payload, RequestId: fmt.Sprintf("test-%d", time.Now().UnixNano()),
		Deadline:     scf.InvokeRequest_Timestamp{Seconds: dl.Unix(), Nanos: int64(dl.Nanosecond())},
		FunctionName: "test", Namespace: "default", MemoryLimitInMb: 256, TimeLimitInMs: 30000,
		Environment: envJSON, TencentcloudRegion: "ap-guangzhou",
	}
	var resp scf.InvokeResponse
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	call := c.Go("Function.Invoke", req, &resp, nil)
	select {
	case <-call.Done:
		if call.Error != nil {
			tb.Fatalf("invoke: %v", call.Error)
		}
	case <-ctx.Done():
		tb.Fatal("invoke timed out")
	}
	return &resp
}
