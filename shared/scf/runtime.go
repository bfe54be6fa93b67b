// Package scf is our own runtime for Tencent SCF's Go1 functions and the adapters that turn SCF
// trigger events into Go values. The official scf-go-lib is not served by the module proxy we can
// reach, and aws-lambda-go drops the per-invoke Environment field that carries the run role's
// credentials, so we speak the protocol ourselves: a net/rpc service named Function with Ping and
// Invoke on _LAMBDA_SERVER_PORT.
package scf

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/rpc"
	"os"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"time"
)

// Handler handles one raw invocation: the event JSON in, the result JSON out.
type Handler func(ctx context.Context, payload []byte) ([]byte, error)

// Invocation describes the current call; handlers find it in their context.
type Invocation struct {
	RequestID       string
	Namespace       string
	FunctionName    string
	FunctionVersion string
	MemoryLimitInMB int32
	TimeLimit       time.Duration
	Region          string
	AppID           string
	Deadline        time.Time
}

type invocationKey struct{}

// FromContext returns the invocation a handler runs in.
func FromContext(ctx context.Context) (Invocation, bool) {
	inv, ok := ctx.Value(invocationKey{}).(Invocation)
	return inv, ok
}

// Function is the RPC service. Its type name is the service name the platform calls.
type Function struct {
	handler Handler
	log     *slog.Logger
	// mu serialises invocations: SCF sends one at a time per instance, and the Environment of one
	// call must not change os.Environ under another.
	mu sync.Mutex
}

// NewFunction wraps h for serving.
func NewFunction(h Handler, log *slog.Logger) *Function {
	if log == nil {
		log = slog.Default()
	}
	return &Function{handler: h, log: log}
}

// Ping answers the platform's health check.
func (f *Function) Ping(_ *PingRequest, _ *PingResponse) error { return nil }

// Invoke runs the handler once. Failures travel inside the response; the RPC call itself always
// succeeds, as the platform expects.
func (f *Function) Invoke(req *InvokeRequest, resp *InvokeResponse) error {
	f.mu.Lock()
	defer f.mu.Unlock()

	if req.Environment != "" {
		var vars map[string]string
		if err := json.Unmarshal([]byte(req.Environment), &vars); err != nil {
			resp.Error = &InvokeResponse_Error{Message: "scf: bad Environment: " + err.Error(), Type: "EnvironmentError"}
			return nil
		}
		// Under Go1 the role's temporary credentials arrive here on every call, so they are
		// applied every time and read by handlers per call, never once at start.
		for k, v := range vars {
			if err := os.Setenv(k, v); err != nil {
				resp.Error = &InvokeResponse_Error{Message: "scf: setenv " + k + ": " + err.Error(), Type: "EnvironmentError"}
				return nil
			}
		}
	}

	deadline := time.Unix(req.Deadline.Seconds, req.Deadline.Nanos).UTC()
	if req.Deadline.Seconds == 0 && req.Deadline.Nanos == 0 {
		// No deadline sent (local tools): fall back to the time limit, or a generous default.
		limit := time.Duration(req.TimeLimitInMs) * time.Millisecond
		if limit <= 0 {
			limit = 15 * time.Minute
		}
		deadline = time.Now().Add(limit)
	}
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	ctx = context.WithValue(ctx, invocationKey{}, Invocation{
		RequestID: req.RequestId, Namespace: req.Namespace, FunctionName: req.FunctionName,
		FunctionVersion: req.FunctionVersion, MemoryLimitInMB: req.MemoryLimitInMb,
		TimeLimit: time.Duration(req.TimeLimitInMs) * time.Millisecond,
		Region:    req.TencentcloudRegion, AppID: req.TencentcloudAppID, Deadline: deadline,
	})

	payload, err := f.call(ctx, req)
	if err != nil {
		var ie *InvokeResponse_Error
		if errors.As(err, &ie) {
			resp.Error = ie
		} else {
			resp.Error = &InvokeResponse_Error{Message: err.Error(), Type: errorType(err)}
		}
		return nil
	}
	resp.Payload = payload
	return nil
}

// call runs the handler and turns a panic into an error response. The process keeps serving:
// a panic must never take it down silently, so it is logged with its stack.
func (f *Function) call(ctx context.Context, req *InvokeRequest) (out []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			frames := stackFrames(3)
			f.log.Error("handler panicked", "request_id", req.RequestId, "panic", fmt.Sprint(r), "stack", frameLines(frames))
			err = &InvokeResponse_Error{
				Message:    fmt.Sprint(r),
				Type:       "Runtime.Panic",
				StackTrace: frames,
				// Tell the platform this instance may be in a bad state, as scf-go-lib does;
				// whether it recycles the instance is its call.
				ShouldExit: true,
			}
		}
	}()
	return f.handler(ctx, req.Payload)
}

func (e *InvokeResponse_Error) Error() string { return e.Type + ": " + e.Message }

func errorType(err error) string {
	t := reflect.TypeOf(err)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.Name()
}

func stackFrames(skip int) []*InvokeResponse_Error_StackFrame {
	pcs := make([]uintptr, 32)
	n := runtime.Callers(skip, pcs)
	it := runtime.CallersFrames(pcs[:n])
	var out []*InvokeResponse_Error_StackFrame
	for {
		fr, more := it.Next()
		out = append(out, &InvokeResponse_Error_StackFrame{Path: fr.File, Line: int32(fr.Line), Label: fr.Function})
		if !more {
			break
		}
	}
	return out
}

func frameLines(frames []*InvokeResponse_Error_StackFrame) string {
	var b strings.Builder
	for _, f := range frames {
		fmt.Fprintf(&b, "%s\n\t%s:%d\n", f.Label, f.Path, f.Line)
	}
	return b.String()
}

// Serve answers the platform on lis until the listener fails or ctx ends.
func Serve(ctx context.Context, lis net.Listener, fn *Function) error {
	srv := rpc.NewServer()
	if err := srv.RegisterName("Function", fn); err != nil {
		return err
	}
	go func() {
		<-ctx.Done()
		lis.Close()
	}()
	for {
		conn, err := lis.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("scf: accept: %w", err)
		}
		go srv.ServeConn(conn)
	}
}

// ListenAndServe listens on 0.0.0.0:$_LAMBDA_SERVER_PORT, as the platform expects, and serves fn.
// It returns only on failure.
func ListenAndServe(ctx context.Context, getenv func(string) string, fn *Function) error {
	port := getenv("_LAMBDA_SERVER_PORT")
	if port == "" {
		return errors.New("scf: _LAMBDA_SERVER_PORT is not set: this binary runs under the SCF Go1 runtime (or its test harness)")
	}
	lis, err := net.Listen("tcp", "0.0.0.0:"+port)
	if err != nil {
		return fmt.Errorf("scf: listen: %w", err)
	}
	return Serve(ctx, lis, fn)
}

// Typed adapts a typed event handler to a raw Handler. The event and result types are checked at
// compile time, unlike scf-go-lib's reflection, which reports a bad signature only on invoke.
func Typed[E, R any](h func(context.Context, E) (R, error)) Handler {
	return func(ctx context.Context, payload []byte) ([]byte, error) {
		var ev E
		if len(payload) > 0 {
			if err := json.Unmarshal(payload, &ev); err != nil {
				return nil, &InvokeResponse_Error{Message: "scf: cannot decode event: " + err.Error(), Type: "EventDecodeError"}
			}
		}
		res, err := h(ctx, ev)
		if err != nil {
			return nil, err
		}
		return json.Marshal(res)
	}
}

// Start serves a typed event handler under the Go1 runtime. It is what a function's main calls.
func Start[E, R any](h func(context.Context, E) (R, error)) error {
	return ListenAndServe(context.Background(), os.Getenv, NewFunction(Typed(h), nil))
}
