// Package config turns the process environment into one typed Config. It is the only package that
// reads the environment: libraries take explicit structs, so tests can build them without setenv.
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Config is everything a process of this system can be told from the outside.
type Config struct {
	Env      string // local | dev | test | prod
	HTTPAddr string // where the shim listens
	// MetricsAddr is where the shim serves /metrics, apart from the application port so that no
	// route of the API can expose it; empty: not served.
	MetricsAddr string
	// TrustedProxies are the networks whose X-Forwarded-For the server believes (the TKE ingress,
	// a CLB). A peer outside them is the client, whatever the header says. SCF needs none: the
	// gateway's event names the source address.
	TrustedProxies []netip.Prefix
	LogLevel       slog.Level

	MySQLDSN          string // empty: embedded in-process stand-in (server only)
	MySQLMaxOpenConns int

	RedisAddr     string // empty: embedded in-process stand-in (server only)
	RedisPassword string
	RedisDB       int

	RedisPrefix string // every key this system writes starts with it

	JWTSecret              string // signs access tokens; generated per start in local mode when unset
	AccessTokenTTL         time.Duration
	RefreshTokenTTL        time.Duration
	BootstrapAdminPassword string
	// PIISecret derives the keys that encrypt customers' phone numbers. Losing it loses the
	// numbers, so it is required whenever the database outlives the process.
	PIISecret string

	LoginMaxFailures      int           // per account and address: that address is locked out of that account for LoginLockout
	LoginMaxFailuresPerIP int           // per address (any account), then blocked for LoginLockout
	LoginLockout          time.Duration //

	// PublicBaseURL is this service's public address: signed links locally, and the default home
	// of the certificate page.
	PublicBaseURL string
	// CertPageURL is the certificate page a QR code opens, up to the token: the page is
	// CertPageURL + token. Default PUBLIC_BASE_URL + "/c/" (the page this service serves); a
	// short domain of its own in production.
	CertPageURL string
	// CertIssuer is the issuing organisation's name on the certificate page.
	CertIssuer string
	// CORSOrigins are the browser origins (scheme://host[:port], exactly) allowed to call the API:
	// the admin console's. Empty: no cross-origin access.
	CORSOrigins []string
	// ReviewValueThresholdFen sends opinions valued above it to review; ReviewSampleRate samples
	// the rest.
	ReviewValueThresholdFen int64
	ReviewSampleRate        float64
	// AuditRetention is how long audit rows are kept.
	AuditRetention time.Duration
	// ReadCacheSize bounds the in-process read cache (entries); 0 turns it off.
	ReadCacheSize int

	// DataDir holds the local object store when COS is not configured.
	DataDir string
	// FFmpegPath and FFprobePath: /opt/bin/… on SCF (the layer), found on PATH locally.
	FFmpegPath  string
	FFprobePath string
	// MediaWorkers is how many stream workers the shim runs (0: none, e.g. an API-only pod).
	MediaWorkers          int
	MediaMaxAttempts      int
	MediaMaxImageBytes    int64
	MediaMaxVideoBytes    int64
	MediaMaxPixels        int64
	MediaMaxVideoDuration time.Duration
	// MediaWatermarkLogo, when set, is a PNG overlaid on the customer-facing renditions (medium
	// and large) at MediaWatermarkPosition with MediaWatermarkOpacity.
	MediaWatermarkLogo     string
	MediaWatermarkPosition string
	MediaWatermarkOpacity  float64
	// COSBucketURL selects COS as the object store: https://<bucket>-<appid>.cos.<region>.myqcloud.com.
	// Empty: the local store under DataDir.
	COSBucketURL string
	// COSEndpoint, when set, is where COS requests are sent instead (private endpoints, tests).
	COSEndpoint string
	// COSCredentials returns the keys for COS, read on every call: COS_SECRET_ID/COS_SECRET_KEY
	// when set (a least-privilege sub-account), else the SCF run role's temporary keys, which
	// arrive with each invoke in TENCENTCLOUD_SECRETID/SECRETKEY/SESSIONTOKEN.
	COSCredentials func() (id, key, token string)

	// AlertRelayToken guards the alert relay's URL (Alertmanager and Cloud Monitor call it with
	// ?token=); empty: the relay is off.
	AlertRelayToken string

	// WeComWebhookURL is the group robot told about assets that failed for good (it holds the
	// robot's key: a secret).
	WeComWebhookURL string

	// APIBasePath is stripped from request paths arriving through API Gateway or a custom domain
	// mapping (for example "/jianbao"), so the handlers always see /api/v1/….
	APIBasePath string
	// ShutdownDelay is how long the shim keeps serving, with readiness failing, after SIGTERM, so
	// that load balancers stop sending new requests before it stops accepting them.
	ShutdownDelay time.Duration
	// ShutdownTimeout bounds the drain of in-flight requests after that.
	ShutdownTimeout time.Duration
}

// Embedded reports whether any backing service runs in-process.
func (c Config) Embedded() bool { return c.MySQLDSN == "" || c.RedisAddr == "" }

// secretMask replaces a secret in logs. Whether a secret is set is worth knowing; its value never is.
func secretMask(s string) string {
	if s == "" {
		return ""
	}
	return "***"
}

// MaskDSN hides the password of a go-sql-driver/mysql DSN ("user:pass@tcp(host)/db?…").
func MaskDSN(dsn string) string {
	at := strings.LastIndex(dsn, "@")
	if at < 0 {
		return dsn
	}
	cred := dsn[:at]
	if colon := strings.Index(cred, ":"); colon >= 0 {
		return cred[:colon] + ":***" + dsn[at:]
	}
	return dsn
}

// LogValue makes slog print the config with every secret masked.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("env", c.Env),
		slog.String("http_addr", c.HTTPAddr),
		slog.String("metrics_addr", c.MetricsAddr),
		slog.String("cert_page_url", c.CertPageURL),
		slog.Int("trusted_proxies", len(c.TrustedProxies)),
		slog.String("log_level", c.LogLevel.String()),
		slog.String("mysql_dsn", MaskDSN(c.MySQLDSN)),
		slog.Int("mysql_max_open_conns", c.MySQLMaxOpenConns),
		slog.String("redis_addr", c.RedisAddr),
		slog.String("redis_password", secretMask(c.RedisPassword)),
		slog.Int("redis_db", c.RedisDB),
		slog.String("redis_prefix", c.RedisPrefix),
		slog.String("jwt_secret", secretMask(c.JWTSecret)),
		slog.String("pii_secret", secretMask(c.PIISecret)),
		slog.String("refresh_token_ttl", c.RefreshTokenTTL.String()),
		slog.Int("login_max_failures", c.LoginMaxFailures),
		slog.Int("login_max_failures_per_ip", c.LoginMaxFailuresPerIP),
		slog.String("login_lockout", c.LoginLockout.String()),
		slog.String("public_base_url", c.PublicBaseURL),
		slog.String("cors_allowed_origins", strings.Join(c.CORSOrigins, ",")),
		slog.Int64("review_value_threshold_fen", c.ReviewValueThresholdFen),
		slog.Float64("review_sample_rate", c.ReviewSampleRate),
		slog.String("audit_retention", c.AuditRetention.String()),
		slog.Int("read_cache_size", c.ReadCacheSize),
		slog.String("data_dir", c.DataDir),
		slog.String("ffmpeg_path", c.FFmpegPath),
		slog.String("ffprobe_path", c.FFprobePath),
		slog.Int("media_workers", c.MediaWorkers),
		slog.Int("media_max_attempts", c.MediaMaxAttempts),
		slog.Int64("media_max_image_bytes", c.MediaMaxImageBytes),
		slog.Int64("media_max_video_bytes", c.MediaMaxVideoBytes),
		slog.Int64("media_max_pixels", c.MediaMaxPixels),
		slog.String("media_max_video_duration", c.MediaMaxVideoDuration.String()),
		slog.String("media_watermark_logo", c.MediaWatermarkLogo),
		slog.String("wecom_webhook_url", secretMask(c.WeComWebhookURL)),
		slog.String("alert_relay_token", secretMask(c.AlertRelayToken)),
		slog.String("cos_bucket_url", c.COSBucketURL),
		slog.String("cos_endpoint", c.COSEndpoint),
		slog.String("access_token_ttl", c.AccessTokenTTL.String()),
		slog.String("bootstrap_admin_password", secretMask(c.BootstrapAdminPassword)),
		slog.String("api_base_path", c.APIBasePath),
		slog.String("shutdown_delay", c.ShutdownDelay.String()),
		slog.String("shutdown_timeout", c.ShutdownTimeout.String()),
	)
}

// String keeps fmt from printing secrets too.
func (c Config) String() string { return c.LogValue().String() }

// loader collects every bad variable instead of stopping at the first, so one failed start names
// all of them.
type loader struct {
	getenv func(string) string
	errs   []error
}

func (l *loader) fail(name, value, why string) {
	l.errs = append(l.errs, fmt.Errorf("%s=%q: %s", name, value, why))
}

func (l *loader) str(name, def string) string {
	if v := strings.TrimSpace(l.getenv(name)); v != "" {
		return v
	}
	return def
}

// secret does not echo the value in errors.
func (l *loader) secret(name string) string { return l.getenv(name) }

func (l *loader) int(name string, def, lo, hi int) int {
	v := l.str(name, "")
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		l.fail(name, v, fmt.Sprintf("want a whole number from %d to %d", lo, hi))
		return def
	}
	return n
}

func (l *loader) duration(name string, def, lo, hi time.Duration) time.Duration {
	v := l.str(name, "")
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < lo || d > hi {
		l.fail(name, v, fmt.Sprintf("want a duration such as 15m, from %s to %s", lo, hi))
		return def
	}
	return d
}

func (l *loader) fraction(name string, def float64) float64 {
	v := l.str(name, "")
	if v == "" {
		return def
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < 0 || f > 1 {
		l.fail(name, v, "want a number from 0 to 1")
		return def
	}
	return f
}

func (l *loader) oneOf(name, def string, allowed ...string) string {
	v := l.str(name, def)
	for _, a := range allowed {
		if v == a {
			return v
		}
	}
	l.fail(name, v, "want one of "+strings.Join(allowed, ", "))
	return def
}

// Load reads the configuration through getenv (os.Getenv in a main, a map in tests). A bad value is
// an error naming the variable; the caller should refuse to start.
func Load(getenv func(string) string) (Config, error) {
	l := &loader{getenv: getenv}
	c := Config{
		Env:               l.oneOf("APP_ENV", "local", "local", "dev", "test", "prod"),
		HTTPAddr:          l.str("HTTP_ADDR", ":8080"),
		MetricsAddr:       l.str("METRICS_ADDR", ""),
		MySQLDSN:          l.str("MYSQL_DSN", ""),
		MySQLMaxOpenConns: l.int("MYSQL_MAX_OPEN_CONNS", 20, 1, 1000),
		RedisAddr:         l.str("REDIS_ADDR", ""),
		RedisPassword:     l.secret("REDIS_PASSWORD"),
		RedisDB:           l.int("REDIS_DB", 0, 0, 15),
		JWTSecret:         l.secret("JWT_SECRET"),
		// The business rule caps access tokens at 15 minutes; refresh tokens carry sessions longer.
		AccessTokenTTL:          l.duration("ACCESS_TOKEN_TTL", 15*time.Minute, time.Minute, 15*time.Minute),
		BootstrapAdminPassword:  l.secret("BOOTSTRAP_ADMIN_PASSWORD"),
		RefreshTokenTTL:         l.duration("REFRESH_TOKEN_TTL", 7*24*time.Hour, time.Hour, 90*24*time.Hour),
		PIISecret:               l.secret("PII_SECRET"),
		RedisPrefix:             l.str("REDIS_PREFIX", "jb:"),
		LoginMaxFailures:        l.int("LOGIN_MAX_FAILURES", 5, 1, 1000),
		LoginMaxFailuresPerIP:   l.int("LOGIN_MAX_FAILURES_PER_IP", 30, 1, 100000),
		LoginLockout:            l.duration("LOGIN_LOCKOUT", 15*time.Minute, time.Second, 24*time.Hour),
		PublicBaseURL:           strings.TrimRight(l.str("PUBLIC_BASE_URL", ""), "/"),
		CertPageURL:             l.str("CERT_PAGE_URL", ""),
		CertIssuer:              l.str("CERT_ISSUER", "鉴宝鉴定中心"),
		ReviewValueThresholdFen: int64(l.int("REVIEW_VALUE_THRESHOLD_FEN", 10_000_000, 0, 1<<62)),
		ReviewSampleRate:        l.fraction("REVIEW_SAMPLE_RATE", 0.1),
		AuditRetention:          l.duration("AUDIT_RETENTION", 365*24*time.Hour, 24*time.Hour, 10*365*24*time.Hour),
		ReadCacheSize:           l.int("READ_CACHE_SIZE", 20000, 0, 10_000_000),
		DataDir:                 l.str("DATA_DIR", ".data"),
		FFmpegPath:              l.str("FFMPEG_PATH", "ffmpeg"),
		FFprobePath:             l.str("FFPROBE_PATH", "ffprobe"),
		MediaWorkers:            l.int("MEDIA_WORKERS", 1, 0, 64),
		MediaMaxAttempts:        l.int("MEDIA_MAX_ATTEMPTS", 3, 1, 20),
		MediaMaxImageBytes:      int64(l.int("MEDIA_MAX_IMAGE_BYTES", 30<<20, 1, 1<<40)),
		MediaMaxVideoBytes:      int64(l.int("MEDIA_MAX_VIDEO_BYTES", 1<<30, 1, 1<<40)),
		MediaMaxPixels:          int64(l.int("MEDIA_MAX_PIXELS", 50_000_000, 1, 1<<40)),
		MediaMaxVideoDuration:   l.duration("MEDIA_MAX_VIDEO_DURATION", 10*time.Minute, time.Second, 24*time.Hour),
		MediaWatermarkLogo:      l.str("MEDIA_WATERMARK_LOGO", ""),
		MediaWatermarkPosition:  l.oneOf("MEDIA_WATERMARK_POSITION", "bottom-right", "top-left", "top-right", "bottom-left", "bottom-right", "center"),
		MediaWatermarkOpacity:   l.fraction("MEDIA_WATERMARK_OPACITY", 0.5),
		WeComWebhookURL:         l.secret("WECOM_WEBHOOK_URL"),
		AlertRelayToken:         l.secret("ALERT_RELAY_TOKEN"),
		COSBucketURL:            strings.TrimRight(l.str("COS_BUCKET_URL", ""), "/"),
		COSEndpoint:             l.str("COS_ENDPOINT", ""),
		COSCredentials: func() (string, string, string) {
			if id := getenv("COS_SECRET_ID"); id != "" {
				return id, getenv("COS_SECRET_KEY"), ""
			}
			return getenv("TENCENTCLOUD_SECRETID"), getenv("TENCENTCLOUD_SECRETKEY"), getenv("TENCENTCLOUD_SESSIONTOKEN")
		},
		APIBasePath:     strings.TrimRight(l.str("API_BASE_PATH", ""), "/"),
		ShutdownDelay:   l.duration("SHUTDOWN_DELAY", 0, 0, time.Minute),
		ShutdownTimeout: l.duration("SHUTDOWN_TIMEOUT", 25*time.Second, time.Second, 10*time.Minute),
	}

	switch lv := strings.ToLower(l.str("LOG_LEVEL", "info")); lv {
	case "debug":
		c.LogLevel = slog.LevelDebug
	case "info":
		c.LogLevel = slog.LevelInfo
	case "warn":
		c.LogLevel = slog.LevelWarn
	case "error":
		c.LogLevel = slog.LevelError
	default:
		l.fail("LOG_LEVEL", lv, "want one of debug, info, warn, error")
	}

	if c.PublicBaseURL == "" {
		// Locally the links (signed upload and rendition URLs, QR codes) must reach this server
		// on whatever port it listens; deployments name their public address.
		c.PublicBaseURL = localBaseURL(c.HTTPAddr)
	}
	if c.CertPageURL == "" {
		c.CertPageURL = c.PublicBaseURL + "/c/"
	}
	if u, err := url.Parse(c.CertPageURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		l.fail("CERT_PAGE_URL", c.CertPageURL, "want an absolute http(s) URL the token is appended to, e.g. https://v.jianbao.example/c/")
	}
	for _, p := range strings.Split(l.str("TRUSTED_PROXIES", ""), ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		if !strings.Contains(p, "/") {
			if a, err := netip.ParseAddr(p); err == nil {
				p = netip.PrefixFrom(a, a.BitLen()).String()
			}
		}
		pf, err := netip.ParsePrefix(p)
		if err != nil {
			l.fail("TRUSTED_PROXIES", p, "want addresses or CIDR networks, comma-separated, e.g. 10.0.0.0/8")
			continue
		}
		c.TrustedProxies = append(c.TrustedProxies, pf.Masked())
	}
	for _, o := range strings.Split(l.str("CORS_ALLOWED_ORIGINS", ""), ",") {
		if o = strings.TrimSpace(o); o == "" {
			continue
		}
		if !validOrigin(o) {
			l.fail("CORS_ALLOWED_ORIGINS", o, "want origins such as https://admin.example.com, comma-separated; no wildcard, no path")
			continue
		}
		c.CORSOrigins = append(c.CORSOrigins, o)
	}
	if c.APIBasePath != "" && !strings.HasPrefix(c.APIBasePath, "/") {
		l.fail("API_BASE_PATH", c.APIBasePath, "want a path starting with /")
	}
	if c.MySQLDSN != "" {
		if err := checkDSN(c.MySQLDSN); err != nil {
			// The DSN may hold a password: name the variable, not the value.
			l.errs = append(l.errs, fmt.Errorf("MYSQL_DSN: %v", err))
		}
	}
	if u, err := url.Parse(c.PublicBaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		l.fail("PUBLIC_BASE_URL", c.PublicBaseURL, "want an absolute http(s) URL")
	}
	if c.COSBucketURL != "" {
		if u, err := url.Parse(c.COSBucketURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			l.fail("COS_BUCKET_URL", c.COSBucketURL, "want https://<bucket>-<appid>.cos.<region>.myqcloud.com")
		}
	}
	if c.PIISecret != "" && len(c.PIISecret) < 32 {
		l.errs = append(l.errs, errors.New("PII_SECRET: want at least 32 bytes"))
	}
	if c.MySQLDSN != "" && c.PIISecret == "" {
		// A real database outlives the process; phone numbers sealed with a made-up key would be lost.
		l.errs = append(l.errs, errors.New("PII_SECRET: required when MYSQL_DSN is set"))
	}
	if c.JWTSecret != "" && len(c.JWTSecret) < 32 {
		l.errs = append(l.errs, errors.New("JWT_SECRET: want at least 32 bytes"))
	}
	if c.Env != "local" {
		// Outside a laptop, nothing may silently fall back to an in-memory stand-in or a
		// per-process secret: every instance must agree and nothing may be lost on restart.
		if c.MySQLDSN == "" {
			l.errs = append(l.errs, fmt.Errorf("MYSQL_DSN: required when APP_ENV=%s", c.Env))
		}
		if c.RedisAddr == "" {
			l.errs = append(l.errs, fmt.Errorf("REDIS_ADDR: required when APP_ENV=%s", c.Env))
		}
		if c.JWTSecret == "" {
			l.errs = append(l.errs, fmt.Errorf("JWT_SECRET: required when APP_ENV=%s", c.Env))
		}
		// The local object store is a directory of this one process: on SCF it is a scratch disk
		// that presigns uploads to nowhere and "deletes" objects it never had.
		if c.COSBucketURL == "" {
			l.errs = append(l.errs, fmt.Errorf("COS_BUCKET_URL: required when APP_ENV=%s (the local store is for APP_ENV=local only)", c.Env))
		}
	}
	if len(l.errs) > 0 {
		return c, fmt.Errorf("config: %w", errors.Join(l.errs...))
	}
	return c, nil
}

// Secrets are the variables that hold secrets: masked in logs, and, where a secret source is
// configured (SSM_SECRET_NAME), read from it instead of the environment.
var Secrets = []string{"MYSQL_DSN", "REDIS_PASSWORD", "JWT_SECRET", "PII_SECRET", "BOOTSTRAP_ADMIN_PASSWORD",
	"WECOM_WEBHOOK_URL", "ALERT_RELAY_TOKEN", "COS_SECRET_KEY"}

// SecretSource is where a deployed process finds its secrets: one version of an SSM secret
// holding a JSON object of Secrets, read once at start as the process's CAM role.
type SecretSource struct {
	Name, Version string
	Region        string
	// Endpoint replaces the regional API endpoint (tests).
	Endpoint string
	// Credentials are the SCF run role's temporary keys, which arrive with every invoke; empty on
	// TKE, where the pod's bound role (TKEIdentity) is used instead.
	Credentials func() (id, key, token string)
	TKEIdentity bool
}

// LoadSecretSource reads SSM_SECRET_NAME, SSM_SECRET_VERSION and SSM_ENDPOINT, and the region
// and role keys the platform sets; ok is false when no secret source is configured (local runs,
// and deployments that pass secrets in the environment).
func LoadSecretSource(getenv func(string) string) (src SecretSource, ok bool, err error) {
	src = SecretSource{Name: getenv("SSM_SECRET_NAME"), Version: getenv("SSM_SECRET_VERSION"),
		Endpoint: getenv("SSM_ENDPOINT"), Region: getenv("TENCENTCLOUD_REGION")}
	if src.Name == "" {
		return src, false, nil
	}
	if src.Version == "" {
		return src, true, errors.New("config: SSM_SECRET_VERSION: required with SSM_SECRET_NAME")
	}
	if src.Region == "" {
		src.Region = getenv("TKE_REGION")
	}
	if src.Region == "" {
		return src, true, errors.New("config: SSM_SECRET_NAME is set but no region is known (TENCENTCLOUD_REGION or TKE_REGION)")
	}
	src.TKEIdentity = getenv("TENCENTCLOUD_SECRETID") == "" && getenv("TKE_ROLE_ARN") != ""
	src.Credentials = func() (string, string, string) {
		return getenv("TENCENTCLOUD_SECRETID"), getenv("TENCENTCLOUD_SECRETKEY"), getenv("TENCENTCLOUD_SESSIONTOKEN")
	}
	return src, true, nil
}

// Overlay returns getenv with the Secrets taken from values; a secret values does not hold stays
// unset, whatever the environment says, so a stale plain variable cannot shadow the source.
func Overlay(getenv func(string) string, values map[string]string) func(string) string {
	return func(name string) string {
		for _, s := range Secrets {
			if s == name {
				return values[name]
			}
		}
		return getenv(name)
	}
}

// localBaseURL is this machine's address for a listen address such as ":9090" or
// "127.0.0.1:9090".
func localBaseURL(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || port == "" {
		return "http://localhost:8080"
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// validOrigin reports whether s is a browser origin: scheme and host (and port), nothing else.
func validOrigin(s string) bool {
	rest, ok := strings.CutPrefix(s, "https://")
	if !ok {
		rest, ok = strings.CutPrefix(s, "http://")
	}
	return ok && rest != "" && !strings.ContainsAny(rest, "/?#*@ ")
}

// checkDSN catches the common mistakes in a go-sql-driver DSN without importing the driver, which
// this package must not depend on.
func checkDSN(dsn string) error {
	if strings.HasPrefix(dsn, "mysql://") {
		return errors.New("use the go-sql-driver form user:password@tcp(host:3306)/db, not a mysql:// URL")
	}
	slash := strings.LastIndex(dsn, "/")
	if slash < 0 {
		return errors.New("missing /database")
	}
	if q := strings.Index(dsn[slash:], "?"); q >= 0 {
		if _, err := url.ParseQuery(dsn[slash+q+1:]); err != nil {
			return errors.New("bad parameters after ?")
		}
	}
	return nil
}
