// Package localcloud is a local Tencent Cloud: the API actions our Terraform configuration, our
// scripts and our functions call, answered on this machine with state kept and signatures
// checked, and — where it matters — the real thing run behind them: functions from their zips
// over the Go1 protocol, MySQL instances as MariaDB servers of their own, Redis instances as
// redis-server processes of their own, COS buckets on disk with presigned URLs and upload events.
//
// Clients reach it through their own endpoint settings, with their configuration unchanged: the
// Terraform provider and the SDKs with TENCENTCLOUD_PROTOCOL=HTTP, TENCENTCLOUD_DOMAIN and
// TENCENTCLOUD_COS_DOMAIN (http://cos.<region>.<Domain>), all sent through HTTP_PROXY to this
// server, which routes by host:
// <service>.<Domain> is the API, <bucket>.cos.<region>.<Domain> is COS, and a Function URL's
// host is its function.
package localcloud

import (
	"bufio"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/jianbao/admin/localcloud/api"
	"github.com/jianbao/admin/localcloud/cos"
)

// Config is the account and the machine's services the cloud runs on.
type Config struct {
	// Domain is the API's root domain (TENCENTCLOUD_DOMAIN): <service>.<Domain>.
	Domain string
	Region string
	// The account: its app id, its uin, and the root key pair Terraform and the scripts use.
	AppID     uint64
	UIN       string
	SecretID  string
	SecretKey string
	// RedisServer is the redis-server binary each Redis instance runs (default: from PATH).
	RedisServer string
	// Addr is where the cloud listens (host:port): the proxy functions' HTTP goes through.
	Addr string
	// DataDir keeps objects, function code and the instances' working directories.
	DataDir string
	Log     *slog.Logger
	// Settle is how long a created resource stays in its transient state (creating, deploying)
	// before it is ready, as the real API reports it: long enough that a client must wait.
	Settle time.Duration
}

// Cloud is the running local cloud.
type Cloud struct {
	Config
	API  *api.Server
	COS  *cos.Server
	keys *keyring
	ca   *authority

	mu    sync.Mutex
	state *state

	rtOnce sync.Once
	rt     *runtime

	robot robot
}

// New makes a cloud with an empty account.
func New(cfg Config) (*Cloud, error) {
	if cfg.Domain == "" || cfg.Region == "" || cfg.SecretID == "" || cfg.SecretKey == "" || cfg.DataDir == "" {
		return nil, fmt.Errorf("localcloud: Domain, Region, SecretID, SecretKey and DataDir are required")
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Settle == 0 {
		cfg.Settle = 500 * time.Millisecond
	}
	c := &Cloud{Config: cfg, keys: newKeyring(cfg.SecretID, cfg.SecretKey), state: newState()}
	ca, err := newAuthority(c.CAFile())
	if err != nil {
		return nil, fmt.Errorf("localcloud: the certificate authority: %w", err)
	}
	c.ca = ca
	if err := writeBundle(c.BundleFile(), c.CAFile()); err != nil {
		return nil, fmt.Errorf("localcloud: the certificate bundle: %w", err)
	}
	c.API = &api.Server{Keys: c.keys, Log: cfg.Log}
	c.COS = &cos.Server{Dir: filepath.Join(cfg.DataDir, "cos"), Region: cfg.Region, AppID: cfg.AppID, Keys: c.keys, Log: cfg.Log, Created: c.cosCreated}
	c.registerCAM()
	c.registerVPC()
	c.registerTag()
	c.registerSSM()
	c.registerCLS()
	c.registerCDN()
	c.registerMonitor()
	c.registerCDB()
	c.registerRedis()
	c.registerSCF()
	c.registerAPIGateway()
	c.registerBilling()
	return c, nil
}

// ServeHTTP routes a request by its host. Clients send everything through this server as their
// HTTP proxy (absolute URIs); HTTPS cannot be proxied and is refused with a message.
func (c *Cloud) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodConnect {
		c.tunnel(w, r)
		return
	}
	host := strings.ToLower(r.Host)
	if h, _, ok := strings.Cut(host, ":"); ok {
		host = h
	}
	if c.isControl(host) {
		c.serveControl(w, r)
		return
	}
	if host == wecomHost {
		c.serveRobot(w, r)
		return
	}
	if b, ok := strings.CutSuffix(host, ".cos."+c.Region+"."+c.Domain); ok && !strings.Contains(b, ".") {
		c.COS.ServeBucket(w, r, b)
		return
	}
	if b, ok := strings.CutSuffix(host, ".cos-website."+c.Region+"."+c.Domain); ok && !strings.Contains(b, ".") {
		c.COS.ServeWebsite(w, r, b)
		return
	}
	if u, ok := strings.CutSuffix(host, "-"+c.Region+".scf."+c.Domain); ok {
		if _, id, ok := strings.Cut(u, "-"); ok {
			c.serveFunctionURL(w, r, id)
			return
		}
	}
	if id := c.gatewayService(host); id != "" {
		c.serveGateway(w, r, id)
		return
	}
	if d := c.customDomain(host); d != nil {
		c.serveCustomDomain(w, r, d)
		return
	}
	svc, ok := strings.CutSuffix(host, "."+c.Domain)
	if ok && strings.Contains(svc, ".") {
		// The regional access point, <service>.<region>.<domain>, as the ops tools call it.
		var region string
		svc, region, _ = strings.Cut(svc, ".")
		ok = region == c.Region
	}
	if ok && !strings.Contains(svc, ".") {
		if r.Method != http.MethodPost {
			http.Error(w, "API 3.0 takes POST", http.StatusMethodNotAllowed)
			return
		}
		c.API.ServeAPI(w, r, svc)
		return
	}
	c.Log.Error("a request for a host the local cloud does not serve", "host", r.Host, "method", r.Method, "path", r.URL.Path)
	http.Error(w, "no such host in the local cloud: "+r.Host, http.StatusBadGateway)
}

// Close stops what the cloud runs: the Redis instances' processes.
func (c *Cloud) Close(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, in := range c.state.redis {
		in.stop()
	}
	if c.state.cdbState != nil {
		for _, in := range c.state.cdbState.instances {
			in.stop()
		}
	}
	if c.rt != nil {
		c.rt.close()
	}
	return nil
}

// settled reports whether a resource created at t has left its transient state.
func (c *Cloud) settled(t time.Time) bool { return time.Since(t) >= c.Settle }

// tunnel serves a CONNECT. To the cloud's own hosts: port 80 (some clients, Playwright's request
// API among them, tunnel plain HTTP through a proxy) is served like a proxied request, and 443
// over TLS with the cloud's certificates (tls.go). To any other host it is an ordinary tunnel, so
// a client with the cloud as its proxy still reaches the rest of the network.
func (c *Cloud) tunnel(w http.ResponseWriter, r *http.Request) {
	host, port, _ := net.SplitHostPort(r.Host)
	own := c.ownHost(strings.ToLower(host))
	if own && port != "80" && port != "443" {
		http.Error(w, "the local cloud serves ports 80 and 443", http.StatusBadGateway)
		return
	}
	var upstream net.Conn
	if !own {
		var err error
		if upstream, err = net.DialTimeout("tcp", r.Host, 10*time.Second); err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
	}
	hj, ok := w.(http.Hijacker)
	if !ok {
		http.Error(w, "cannot tunnel", http.StatusInternalServerError)
		return
	}
	raw, buf, err := hj.Hijack()
	if err != nil {
		return
	}
	buf.WriteString("HTTP/1.1 200 Connection established\r\n\r\n")
	buf.Flush()
	var conn net.Conn = &bufferedConn{Conn: raw, r: buf.Reader}
	if upstream != nil {
		go func() { io.Copy(upstream, conn); upstream.Close() }()
		go func() { io.Copy(conn, upstream); conn.Close() }()
		return
	}
	if port == "443" {
		conn = tls.Server(conn, c.tlsConfig())
	}
	l := &oneConn{conn: conn, done: make(chan struct{})}
	srv := &http.Server{Handler: c, ReadHeaderTimeout: 10 * time.Second,
		// A client that does not trust the cloud's authority ends its handshake: worth a debug line.
		ErrorLog: slog.NewLogLogger(c.Log.Handler(), slog.LevelDebug),
		ConnState: func(_ net.Conn, s http.ConnState) {
			if s == http.StateClosed || s == http.StateHijacked {
				l.close()
			}
		}}
	go srv.Serve(l)
}

// bufferedConn reads what the hijacked connection's reader already holds first.
type bufferedConn struct {
	net.Conn
	r *bufio.Reader
}

func (b *bufferedConn) Read(p []byte) (int, error) { return b.r.Read(p) }

// oneConn is a listener that yields one connection, then blocks until it is closed.
type oneConn struct {
	conn net.Conn
	once sync.Once
	used bool
	mu   sync.Mutex
	done chan struct{}
}

func (l *oneConn) Accept() (net.Conn, error) {
	l.mu.Lock()
	if !l.used {
		l.used = true
		l.mu.Unlock()
		return l.conn, nil
	}
	l.mu.Unlock()
	<-l.done
	return nil, net.ErrClosed
}

func (l *oneConn) close()         { l.once.Do(func() { close(l.done) }) }
func (l *oneConn) Close() error   { l.close(); return nil }
func (l *oneConn) Addr() net.Addr { return l.conn.LocalAddr() }
