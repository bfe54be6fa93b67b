package localcloud

import (
	"archive/zip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/rpc"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jianbao/admin/localcloud/api"
)

// The runtime runs functions as SCF runs Go1 functions (docs: the Go1 protocol): the zip's
// executable started with _LAMBDA_SERVER_PORT, reached over net/rpc (Function.Ping,
// Function.Invoke, gob), one event at a time per instance, the function's environment in the
// process and the run role's temporary keys in every invoke's Environment. Instances are kept
// warm and frozen (SIGSTOP) between events, as SCF freezes them, so a connection an instance
// holds stays open and idle; more instances start under concurrency, up to the function's
// reserved concurrency (or the account's quota) of events in flight, past which an invoke is
// throttled; idle instances are reclaimed to make room. Layers are
// unpacked and mounted at /opt in the instance's own mount namespace (as root; unshare(1)).

// The Go1 protocol's messages: gob matches them by field name.
type (
	PingRequest             struct{}
	PingResponse            struct{}
	InvokeRequest_Timestamp struct{ Seconds, Nanos int64 }
	InvokeRequest           struct {
		Payload                                                               []byte
		RequestId, TraceId                                                    string
		Deadline                                                              InvokeRequest_Timestamp
		InvokedFunctionUnique                                                 string
		ClientContext                                                         []byte
		Namespace, FunctionName, FunctionVersion                              string
		MemoryLimitInMb, TimeLimitInMs                                        int32
		Environment                                                           string
		TencentcloudRegion, TencentcloudAppID, TencentcloudUin, FunctionTrace string
	}
	InvokeResponse_Error_StackFrame struct {
		Path  string
		Line  int32
		Label string
	}
	InvokeResponse_Error struct {
		Message, Type string
		StackTrace    []*InvokeResponse_Error_StackFrame
		ShouldExit    bool
	}
	InvokeResponse struct {
		Payload []byte
		Error   *InvokeResponse_Error
	}
)

// AccountConcurrency is the account's concurrent instances per region when a function has no
// reserved concurrency: 128,000 MB over 128 MB instances.
const AccountConcurrencyMB = 128_000

// result is one invocation's outcome, as the Invoke API reports it.
type result struct {
	payload  []byte
	errMsg   string
	errType  string
	took     time.Duration
	memUsage int64
	request  string
}

func (r *result) view() map[string]any {
	out := map[string]any{"FunctionRequestId": r.request, "Duration": r.took.Seconds() * 1000, "BillDuration": int64(r.took/time.Millisecond) + 1,
		"MemUsage": r.memUsage, "InvokeResult": 0, "RetMsg": string(r.payload), "ErrMsg": r.errMsg, "Log": ""}
	if r.errMsg != "" {
		out["InvokeResult"] = 1
	}
	return out
}

type instance struct {
	key     string // function id + version
	cmd     *exec.Cmd
	client  *rpc.Client
	busy    bool
	frozen  bool
	lastUse time.Time
	exited  chan struct{}
}

type runtime struct {
	c   *Cloud
	mu  sync.Mutex
	all map[string][]*instance // key → instances
	// cron jobs of timer triggers
	timers map[*scfTrigger]context.CancelFunc
	stop   chan struct{}
}

func (c *Cloud) runtime() *runtime {
	c.rtOnce.Do(func() {
		c.rt = &runtime{c: c, all: map[string][]*instance{}, timers: map[*scfTrigger]context.CancelFunc{}, stop: make(chan struct{})}
		go c.rt.reap()
	})
	return c.rt
}

func instanceKey(f *scfFunction, version string) string { return f.id + "@" + version }

// retire stops the idle instances of a function's version ("" for every version): their code or
// configuration changed. Busy ones stop when their event ends.
func (rt *runtime) retire(f *scfFunction, version string) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	for key, list := range rt.all {
		if !strings.HasPrefix(key, f.id+"@") || (version != "" && key != instanceKey(f, version)) {
			continue
		}
		rt.all[key] = killIdle(list)
	}
	if version == "" {
		for t, cancel := range rt.timers {
			for _, ft := range f.triggers {
				if ft == t {
					cancel()
					delete(rt.timers, t)
				}
			}
		}
	}
}

// recycle stops every idle instance of every function (busy ones finish their event first).
func (rt *runtime) recycle() {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	for key, list := range rt.all {
		rt.all[key] = killIdle(list)
	}
}

// killIdle stops the idle instances of a list and returns the busy ones, which finish their event.
func killIdle(list []*instance) []*instance {
	keep := list[:0]
	for _, in := range list {
		if in.busy {
			keep = append(keep, in)
			continue
		}
		in.kill()
	}
	return keep
}

// reap stops instances idle for ten minutes.
func (rt *runtime) reap() {
	tick := time.NewTicker(30 * time.Second)
	defer tick.Stop()
	for {
		select {
		case <-rt.stop:
			return
		case <-tick.C:
		}
		rt.mu.Lock()
		for key, list := range rt.all {
			keep := list[:0]
			for _, in := range list {
				if !in.busy && time.Since(in.lastUse) > 10*time.Minute {
					in.kill()
					continue
				}
				keep = append(keep, in)
			}
			rt.all[key] = keep
		}
		rt.mu.Unlock()
	}
}

func (rt *runtime) close() {
	close(rt.stop)
	rt.mu.Lock()
	defer rt.mu.Unlock()
	for _, list := range rt.all {
		for _, in := range list {
			in.kill()
		}
	}
	for _, cancel := range rt.timers {
		cancel()
	}
}

func (in *instance) kill() {
	if in.cmd != nil && in.cmd.Process != nil {
		// A frozen process must be thawed to die by SIGKILL's delivery on some kernels; do both.
		in.cmd.Process.Signal(syscall.SIGCONT)
		syscall.Kill(-in.cmd.Process.Pid, syscall.SIGKILL)
		in.cmd.Process.Kill()
	}
	if in.client != nil {
		in.client.Close()
	}
}

// errThrottled is the answer when a function is at its concurrency.
func errThrottled(name string, limit int) error {
	return api.Errorf("ResourceLimitReached.Concurrency", "The function %s is running %d events at once, its concurrency limit.", name, limit)
}

// invoke runs one event on an instance of the function's qualifier.
func (rt *runtime) invoke(ns, name, qualifier string, payload []byte) (*result, error) {
	c := rt.c
	c.mu.Lock()
	f, err := c.function(ns, name)
	if err != nil {
		c.mu.Unlock()
		return nil, err
	}
	if f.state(c) != "Active" {
		c.mu.Unlock()
		return nil, api.Errorf("FailedOperation.FunctionStatusError", "The function %s is %s.", name, f.status)
	}
	cfg, version, err := f.version(qualifier)
	if err != nil {
		c.mu.Unlock()
		return nil, err
	}
	snapshot := *cfg
	limit := int(AccountConcurrencyMB / max(cfg.Memory, 64))
	if f.reserved > 0 {
		limit = int(f.reserved)
	}
	role := cfg.Role
	layers := []string{}
	for _, l := range cfg.Layers {
		if lv := c.layer(deref(l.LayerName), deref(l.LayerVersion)); lv != nil {
			layers = append(layers, lv.zip)
		}
	}
	fid := f.id
	c.mu.Unlock()

	key := fid + "@" + version
	in, err := rt.acquire(key, f, version, &snapshot, layers, limit)
	if err != nil {
		return nil, err
	}
	defer rt.release(in)

	id, secret, token, _ := c.keys.temporary(role, time.Hour)
	env, _ := json.Marshal(map[string]string{"TENCENTCLOUD_SECRETID": id, "TENCENTCLOUD_SECRETKEY": secret, "TENCENTCLOUD_SESSIONTOKEN": token,
		"SCF_NAMESPACE": ns, "SCF_FUNCTIONNAME": name, "SCF_FUNCTIONVERSION": version})
	timeout := time.Duration(snapshot.Timeout) * time.Second
	deadline := time.Now().Add(timeout)
	reqID := randomUUID()
	req := &InvokeRequest{Payload: payload, RequestId: reqID, Deadline: InvokeRequest_Timestamp{Seconds: deadline.Unix(), Nanos: int64(deadline.Nanosecond())},
		InvokedFunctionUnique: "qcs::scf:" + c.Region + ":uin/" + c.UIN + ":lam/" + fid, Namespace: ns, FunctionName: name, FunctionVersion: version,
		MemoryLimitInMb: int32(snapshot.Memory), TimeLimitInMs: int32(timeout / time.Millisecond), Environment: string(env),
		TencentcloudRegion: c.Region, TencentcloudAppID: strconv.FormatUint(c.AppID, 10), TencentcloudUin: c.UIN}
	var resp InvokeResponse
	start := time.Now()
	call := in.client.Go("Function.Invoke", req, &resp, nil)
	select {
	case <-call.Done:
	case <-time.After(timeout + time.Second):
		in.kill()
		in.client = nil
		return &result{errMsg: fmt.Sprintf("Invoking task timed out after %s", timeout), errType: "TimeLimitExceeded", took: time.Since(start), request: reqID}, nil
	case <-in.exited:
		in.client = nil
		return &result{errMsg: "the function's process exited during the invocation", errType: "RuntimeExited", took: time.Since(start), request: reqID}, nil
	}
	res := &result{payload: resp.Payload, took: time.Since(start), request: reqID, memUsage: rss(in)}
	if call.Error != nil {
		in.kill()
		in.client = nil
		res.errMsg, res.errType = call.Error.Error(), "RuntimeError"
		return res, nil
	}
	if e := resp.Error; e != nil {
		res.errMsg, res.errType = e.Message, e.Type
		if e.ShouldExit {
			in.kill()
			in.client = nil
		}
	}
	return res, nil
}

// acquire takes an idle instance of key, or starts one while fewer than limit run.
func (rt *runtime) acquire(key string, f *scfFunction, version string, cfg *scfConfig, layers []string, limit int) (*instance, error) {
	rt.mu.Lock()
	for _, in := range rt.all[key] {
		if !in.busy && in.client != nil {
			in.busy = true
			rt.mu.Unlock()
			in.thaw()
			return in, nil
		}
	}
	// Concurrency is events in flight, across the function's versions: at the limit, throttle.
	// Below it, a new instance may start; if the function already has as many instances as its
	// limit, the idle one used longest ago (of any version) is reclaimed first, so a function
	// never holds more instances — nor, at one connection each, more MySQL connections — than
	// its concurrency.
	busy, total := 0, 0
	var oldest *instance
	for k, list := range rt.all {
		if !strings.HasPrefix(k, f.id+"@") {
			continue
		}
		for _, in := range list {
			total++
			if in.busy {
				busy++
			} else if oldest == nil || in.lastUse.Before(oldest.lastUse) {
				oldest = in
			}
		}
	}
	if busy >= limit {
		rt.mu.Unlock()
		return nil, errThrottled(f.name, limit)
	}
	if total >= limit && oldest != nil {
		oldest.kill()
		rt.remove(oldest)
	}
	in := &instance{key: key, busy: true, exited: make(chan struct{})}
	rt.all[key] = append(rt.all[key], in)
	rt.mu.Unlock()
	if err := rt.start(in, f, version, cfg, layers); err != nil {
		rt.mu.Lock()
		rt.remove(in)
		rt.mu.Unlock()
		return nil, api.Errorf("FailedOperation.StartFunction", "The function %s did not start: %v", f.name, err)
	}
	return in, nil
}

// release returns an instance to the pool, frozen; a dead one leaves it.
func (rt *runtime) release(in *instance) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	in.busy, in.lastUse = false, time.Now()
	if in.client == nil {
		in.kill()
		rt.remove(in)
		return
	}
	in.freeze()
}

func (rt *runtime) remove(in *instance) {
	list := rt.all[in.key]
	for i, x := range list {
		if x == in {
			rt.all[in.key] = append(list[:i], list[i+1:]...)
			return
		}
	}
}

func (in *instance) freeze() {
	if in.cmd != nil && in.cmd.Process != nil && !in.frozen {
		syscall.Kill(-in.cmd.Process.Pid, syscall.SIGSTOP)
		in.frozen = true
	}
}

func (in *instance) thaw() {
	if in.cmd != nil && in.cmd.Process != nil && in.frozen {
		syscall.Kill(-in.cmd.Process.Pid, syscall.SIGCONT)
		in.frozen = false
	}
}

// start unpacks the code (and layers) and starts the executable, then waits for Function.Ping.
func (rt *runtime) start(in *instance, f *scfFunction, version string, cfg *scfConfig, layers []string) error {
	c := rt.c
	base := filepath.Join(c.DataDir, "scf", "run", f.id, cfg.CodeSha)
	code := filepath.Join(base, "code")
	if err := unzipOnce(cfg.Code, code); err != nil {
		return fmt.Errorf("unpacking the code: %w", err)
	}
	opt := ""
	if len(layers) > 0 {
		opt = filepath.Join(base, "opt")
		for _, l := range layers {
			if err := unzipOnce(l, opt); err != nil {
				return fmt.Errorf("unpacking the layer %s: %w", l, err)
			}
		}
	}
	port, err := freePort()
	if err != nil {
		return err
	}
	bin := filepath.Join(code, cfg.Handler)
	if _, err := os.Stat(bin); err != nil {
		return fmt.Errorf("the handler %s is not in the code", cfg.Handler)
	}
	os.Chmod(bin, 0o755)
	var cmd *exec.Cmd
	if opt != "" {
		if os.Geteuid() != 0 {
			return errors.New("mounting layers at /opt needs root (the local SCF runs the function in its own mount namespace)")
		}
		cmd = exec.Command("unshare", "--mount", "--propagation", "private", "--", "sh", "-c", `mkdir -p /opt && mount --bind "$0" /opt && exec "$1"`, opt, bin)
	} else {
		cmd = exec.Command(bin)
	}
	cmd.Dir = code
	cmd.Env = rt.environment(f, version, cfg, port)
	cmd.Stdout = &logWriter{c: c, fn: f.name}
	cmd.Stderr = cmd.Stdout
	owned(cmd)
	if err := cmd.Start(); err != nil {
		return err
	}
	in.cmd = cmd
	go func() {
		cmd.Wait()
		close(in.exited)
	}()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-in.exited:
			return fmt.Errorf("the process exited before it answered Function.Ping")
		default:
		}
		conn, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(port), 200*time.Millisecond)
		if err == nil {
			client := rpc.NewClient(conn)
			if err := client.Call("Function.Ping", &PingRequest{}, &PingResponse{}); err == nil {
				in.client = client
				return nil
			}
			client.Close()
		}
		time.Sleep(20 * time.Millisecond)
	}
	in.kill()
	return errors.New("no answer to Function.Ping within 30 s")
}

// environment is an instance's process environment: the function's variables, SCF's built-in
// ones, and the local cloud's network: HTTP through the cloud (as the VPC's NAT), the API at the
// cloud's domain over HTTP.
func (rt *runtime) environment(f *scfFunction, version string, cfg *scfConfig, port int) []string {
	c := rt.c
	env := []string{"_LAMBDA_SERVER_PORT=" + strconv.Itoa(port), "PATH=/usr/local/bin:/usr/bin:/bin", "HOME=/tmp", "TMPDIR=/tmp",
		"SCF_RUNTIME=Go1", "SCF_FUNCTIONNAME=" + f.name, "SCF_FUNCTIONVERSION=" + version, "SCF_NAMESPACE=" + f.namespace,
		"SCF_MEMORYSIZE=" + strconv.FormatInt(cfg.Memory, 10), "SCF_TIMEOUT=" + strconv.FormatInt(cfg.Timeout, 10),
		"TENCENTCLOUD_REGION=" + c.Region, "TENCENTCLOUD_APPID=" + strconv.FormatUint(c.AppID, 10), "TENCENTCLOUD_UIN=" + c.UIN,
		"HTTP_PROXY=http://" + c.Addr, "http_proxy=http://" + c.Addr, "HTTPS_PROXY=http://" + c.Addr, "https_proxy=http://" + c.Addr,
		"NO_PROXY=127.0.0.1,localhost", "no_proxy=127.0.0.1,localhost", "SSL_CERT_FILE=" + c.BundleFile(),
		"TENCENTCLOUD_PROTOCOL=HTTP", "TENCENTCLOUD_DOMAIN=" + c.Domain}
	for _, v := range cfg.Env {
		env = append(env, deref(v.Key)+"="+deref(v.Value))
	}
	return env
}

// logWriter sends a function's output to the cloud's log, a line at a time (CLS's job).
type logWriter struct {
	c   *Cloud
	fn  string
	buf []byte
	mu  sync.Mutex
}

func (w *logWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, p...)
	for {
		i := strings.IndexByte(string(w.buf), '\n')
		if i < 0 {
			break
		}
		w.c.Log.Info("function log", "function", w.fn, "line", string(w.buf[:i]))
		w.buf = w.buf[i+1:]
	}
	return len(p), nil
}

// unzipOnce unpacks a zip into dir unless it is there already.
func unzipOnce(zipPath, dir string) error {
	marker := filepath.Join(dir, ".unpacked-"+filepath.Base(zipPath))
	if _, err := os.Stat(marker); err == nil {
		return nil
	}
	zr, err := zip.OpenReader(zipPath)
	if err != nil {
		return err
	}
	defer zr.Close()
	for _, f := range zr.File {
		target := filepath.Join(dir, f.Name)
		if !strings.HasPrefix(target, filepath.Clean(dir)+string(os.PathSeparator)) {
			return fmt.Errorf("the zip's path %q leaves its directory", f.Name)
		}
		if f.FileInfo().IsDir() {
			os.MkdirAll(target, 0o755)
			continue
		}
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		rc, err := f.Open()
		if err != nil {
			return err
		}
		mode := f.Mode().Perm()
		if mode == 0 {
			mode = 0o644
		}
		out, err := os.OpenFile(target, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode|0o400)
		if err != nil {
			rc.Close()
			return err
		}
		_, err = io.Copy(out, rc)
		rc.Close()
		out.Close()
		if err != nil {
			return err
		}
	}
	return os.WriteFile(marker, nil, 0o644)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// rss is an instance's resident memory in bytes (0 when unknown).
func rss(in *instance) int64 {
	if in.cmd == nil || in.cmd.Process == nil {
		return 0
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", in.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.Fields(v)[0], 10, 64)
			return kb << 10
		}
	}
	return 0
}
