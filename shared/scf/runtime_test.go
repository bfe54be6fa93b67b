package scf

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/rpc"
	"os"
	"testing"
	"time"
)

func serveInProcess(tb testing.TB, h Handler) *rpc.Client {
	tb.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, lis, NewFunction(h, slog.New(slog.NewTextHandler(io.Discard, nil)))) }()
	c, err := rpc.Dial("tcp", lis.Addr().String())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		c.Close()
		cancel()
		if err := <-done; err != nil {
			tb.Errorf("Serve: %v", err)
		}
	})
	return c
}

func invoke(tb testing.TB, c *rpc.Client, req *InvokeRequest) *InvokeResponse {
	tb.Helper()
	var resp InvokeResponse
	if err := c.Call("Function.Invoke", req, &resp); err != nil {
		tb.Fatal(err)
	}
	return &resp
}

type greeting struct {
	Name  string `json:"name"`
	Panic bool   `json:"panic"`
	Fail  bool   `json:"fail"`
}

type failure struct{ msg string }

func (f *failure) Error() string { return f.msg }

func TestRuntimeInvoke(t *testing.T) {
	var gotDeadline time.Time
	var gotInv Invocation
	c := serveInProcess(t, Typed(func(ctx context.Context, g greeting) (map[string]string, error) {
		gotDeadline, _ = ctx.Deadline()
		gotInv, _ = FromContext(ctx)
		switch {
		case g.Panic:
			panic("boom")
		case g.Fail:
			return nil, &failure{"no luck"}
		}
		return map[string]string{"hello": g.Name, "env": os.Getenv("SCF_TEST_GREETING")}, nil
	}))

	if err := c.Call("Function.Ping", &PingRequest{}, &PingResponse{}); err != nil {
		t.Fatal(err)
	}

	dl := time.Now().Add(3 * time.Second).Truncate(time.Millisecond)
	resp := invoke(t, c, &InvokeRequest{
		Payload: []byte(`{"name":"鉴宝"}`), RequestId: "r1", FunctionName: "fn",
		Deadline:    InvokeRequest_Timestamp{Seconds: dl.Unix(), Nanos: int64(dl.Nanosecond())},
		Environment: `{"SCF_TEST_GREETING":"你好"}`,
	})
	if resp.Error != nil {
		t.Fatal(resp.Error)
	}
	var out map[string]string
	if err := json.Unmarshal(resp.Payload, &out); err != nil {
		t.Fatal(err)
	}
	if out["hello"] != "鉴宝" || out["env"] != "你好" {
		t.Errorf("payload = %v", out)
	}
	if !gotDeadline.Equal(dl) || gotInv.RequestID != "r1" || gotInv.FunctionName != "fn" {
		t.Errorf("deadline %v (want %v), invocation %+v", gotDeadline, dl, gotInv)
	}

	tests := []struct {
		name     string
		payload  string
		env      string
		wantType string
		exit     bool
	}{
		{"handler error", `{"fail":true}`, "", "failure", false},
		{"panic", `{"panic":true}`, "", "Runtime.Panic", true},
		{"bad event", `{"name":5}`, "", "EventDecodeError", false},
		{"bad environment", `{}`, `not json`, "EnvironmentError", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := invoke(t, c, &InvokeRequest{Payload: []byte(tt.payload), Environment: tt.env})
			if resp.Error == nil || resp.Error.Type != tt.wantType || resp.Error.ShouldExit != tt.exit {
				t.Fatalf("error = %+v, want type %s", resp.Error, tt.wantType)
			}
			if tt.exit && len(resp.Error.StackTrace) == 0 {
				t.Error("a panic should carry its stack")
			}
		})
	}
	// The process survived all of that.
	if resp := invoke(t, c, &InvokeRequest{Payload: []byte(`{"name":"again"}`)}); resp.Error != nil {
		t.Fatal(resp.Error)
	}
}

func TestRuntimeNoDeadlineFallsBackToTimeLimit(t *testing.T) {
	var left time.Duration
	c := serveInProcess(t, Typed(func(ctx context.Context, _ struct{}) (int, error) {
		dl, _ := ctx.Deadline()
		left = time.Until(dl)
		return 0, nil
	}))
	invoke(t, c, &InvokeRequest{TimeLimitInMs: 2000})
	if left <= 0 || left > 2*time.Second {
		t.Errorf("time left = %v, want (0, 2s]", left)
	}
}

func TestListenAndServeNeedsPort(t *testing.T) {
	err := ListenAndServe(context.Background(), func(string) string { return "" }, NewFunction(nil, nil))
	if err == nil {
		t.Fatal("want an error without _LAMBDA_SERVER_PORT")
	}
	var ie *InvokeResponse_Error
	if errors.As(err, &ie) {
		t.Fatal("wrong error type")
	}
}
