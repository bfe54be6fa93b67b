// Package catalog is the one list of our SCF functions. The function mains, the shim, the
// Terraform input and serverless.yml all follow it, and tests fail when they drift apart.
package catalog

import "github.com/jianbao/admin/shared/httpapi"

// Kind is how a function is started.
type Kind string

const (
	KindAPI    Kind = "api"    // HTTP events from API Gateway or a Function URL
	KindCOS    Kind = "cos"    // COS upload events
	KindTimer  Kind = "timer"  // timer triggers
	KindInvoke Kind = "invoke" // invoked directly (deploy steps such as migrate)
)

// Handler is the executable's name inside every function zip (SCF's "执行方法" for Go1).
const Handler = "main"

// Function is one SCF function. Name is also its folder under functions/.
type Function struct {
	Name        string
	Kind        Kind
	Description string
	Groups      []httpapi.Group // API groups it serves (KindAPI)
	MemoryMB    int
	TimeoutSec  int
	// Needs are the environment variables it cannot start without in a deployment (APP_ENV other
	// than local): Terraform refuses to plan a stack that does not give each of them a value.
	// Env are the ones it reads when given and otherwise defaults. Variables that config.Secrets
	// names travel through SSM, never as plain function variables. This is the one declaration
	// of a function's environment: Terraform, serverless.yml and the tests read it.
	Needs, Env []string
	// COS is the upload trigger of a KindCOS function.
	COS *COSTrigger
	// Layers are SCF layers the function needs (the FFmpeg layer).
	Layers []string
	// Timers are the cron schedules of a KindTimer function (SCF's 7 fields, UTC; names for days).
	Timers []Timer
	// Paths are HTTP path prefixes a KindAPI function serves outside the API groups (the alert
	// relay's /hooks), routed to it like the groups' prefixes.
	Paths []string
	// Concurrency is the function's reserved concurrency: at most this many instances at once,
	// each holding one MySQL connection for its whole life (SCFPool). It is both a guarantee
	// (the account's other functions cannot take these) and a cap (a burst beyond it is
	// throttled, 429, instead of taking every connection MySQL has). ConnectionBudget sums them.
	Concurrency int
}

// COSTrigger subscribes a function to uploads in the media bucket.
type COSTrigger struct {
	Event    string // cos:ObjectCreated:*
	Prefix   string // always the watched prefix, never derived/
	Suffixes []string
}

// Timer is one timer trigger.
type Timer struct {
	Name     string
	Cron     string
	Argument string
}

// What every function that opens the App (MySQL, Redis, the object store) needs and reads.
var (
	baseNeeds = []string{"APP_ENV", "MYSQL_DSN", "REDIS_ADDR", "JWT_SECRET", "PII_SECRET", "COS_BUCKET_URL"}
	baseEnv   = []string{"LOG_LEVEL", "MYSQL_MAX_OPEN_CONNS", "REDIS_PASSWORD", "REDIS_DB", "REDIS_PREFIX", "COS_ENDPOINT"}
)

func plus(base []string, extra ...string) []string {
	return append(append([]string(nil), base...), extra...)
}

// apiEnv is what every API function reads beyond the base.
var apiEnv = plus(baseEnv, "ACCESS_TOKEN_TTL", "REFRESH_TOKEN_TTL", "API_BASE_PATH",
	"LOGIN_MAX_FAILURES", "LOGIN_MAX_FAILURES_PER_IP", "LOGIN_LOCKOUT", "REVIEW_VALUE_THRESHOLD_FEN", "REVIEW_SAMPLE_RATE",
	"READ_CACHE_SIZE", "CORS_ALLOWED_ORIGINS")

// apiMemoryMB is an API function's size: each holds at most half of it serving its requests
// (TestFunctionBinaries measures every binary's peak RSS and fails when the 2× headroom is gone;
// docs/PERFORMANCE.md has the figures: 18–19 MB). SCF sizes are 64 MB, then multiples of 128;
// the Terraform provider takes only the multiples, so 128 is the smallest. api-auth hashes
// passwords (argon2id, 19 MiB each, up to three at once) and peaks near 76 MB: authMemoryMB.
const (
	apiMemoryMB  = 128
	authMemoryMB = 256
)

func api(name, desc string, g httpapi.Group) Function {
	return Function{Name: name, Kind: KindAPI, Description: desc, Groups: []httpapi.Group{g}, MemoryMB: apiMemoryMB, TimeoutSec: 15,
		Needs: plus(baseNeeds, "PUBLIC_BASE_URL"), Env: apiEnv}
}

func reserve(f Function, n int) Function {
	f.Concurrency = n
	return f
}

func withPaths(f Function, paths ...string) Function {
	f.Paths = paths
	return f
}

func withMemory(f Function, mb int) Function {
	f.MemoryMB = mb
	return f
}

// mediaEnv is what the media functions read; FFMPEG_PATH and FFPROBE_PATH point into the layer
// (the functions module sets them for every function with the FFmpeg layer).
var mediaEnv = plus(baseEnv, "MEDIA_MAX_ATTEMPTS", "MEDIA_MAX_IMAGE_BYTES", "MEDIA_MAX_VIDEO_BYTES", "MEDIA_MAX_PIXELS",
	"MEDIA_MAX_VIDEO_DURATION", "MEDIA_WATERMARK_LOGO", "MEDIA_WATERMARK_POSITION", "MEDIA_WATERMARK_OPACITY", "WECOM_WEBHOOK_URL")

// Functions is the catalog.
var Functions = []Function{
	// Reserved concurrency: 50 staff at a few requests a minute need a handful of instances
	// each; the public certificate pages (api-orders) and the uploads get the most.
	reserve(withPaths(withMemory(api("api-auth", "Login, tokens, sessions (/api/v1/auth)", httpapi.GroupAuth), authMemoryMB),
		"/health"), 20), // every API function answers /health; one entry routes it
	reserve(api("api-admin", "Accounts, roles, login logs (/api/v1/admin)", httpapi.GroupAdmin), 10),
	reserve(api("api-records", "Categories, customers, items, products, experts", httpapi.GroupRecords), 30),
	reserve(api("api-orders", "Orders, opinions, reviews, certificates, public verification", httpapi.GroupOrders), 50),
	reserve(api("api-stats", "Dashboard (/api/v1/dashboard)", httpapi.GroupStats), 10),
	reserve(api("api-audit", "Audit log (/api/v1/audit-logs)", httpapi.GroupAudit), 10),
	reserve(api("api-media", "Upload sessions, media lists and details (/api/v1/media)", httpapi.GroupMedia), 20),
	{
		Name: "media-image", Kind: KindCOS, Description: "Renders every uploaded photo", MemoryMB: 1024, TimeoutSec: 120, Concurrency: 20,
		Needs: baseNeeds, Env: mediaEnv, Layers: []string{"ffmpeg"},
		COS: &COSTrigger{Event: "cos:ObjectCreated:*", Prefix: "originals/", Suffixes: []string{".jpg", ".png", ".webp", ".gif"}},
	},
	{
		Name: "media-video", Kind: KindCOS, Description: "Transcodes every uploaded video", MemoryMB: 3072, TimeoutSec: 900, Concurrency: 5,
		Needs: baseNeeds, Env: mediaEnv, Layers: []string{"ffmpeg"},
		COS: &COSTrigger{Event: "cos:ObjectCreated:*", Prefix: "originals/", Suffixes: []string{".mp4", ".mov", ".webm"}},
	},
	{
		Name: "alert-wecom", Kind: KindAPI, Description: "Relays Alertmanager and Cloud Monitor alarms to the WeCom group robot",
		MemoryMB: 128, TimeoutSec: 30, Needs: plus(baseNeeds, "WECOM_WEBHOOK_URL", "ALERT_RELAY_TOKEN"), Env: plus(baseEnv, "API_BASE_PATH"),
		Paths:       []string{"/hooks"}, // where Cloud Monitor and Alertmanager call it (the shim mounts it there too)
		Concurrency: 5,
	},
	{
		Name: "cron-retention", Kind: KindTimer, Description: "Deletes audit rows past AUDIT_RETENTION, stale idempotency keys, the objects of deleted media and rejected originals; every minute re-queues the media processing owes",
		MemoryMB: 128, TimeoutSec: 300, Concurrency: 2, Needs: baseNeeds, Env: plus(baseEnv, "AUDIT_RETENTION", "MEDIA_MAX_ATTEMPTS"),
		Timers: []Timer{{Name: "daily-retention", Cron: "0 30 19 * * * *", Argument: "retention"}, // 03:30 Asia/Shanghai
			{Name: "media-sweep", Cron: "0 */1 * * * * *", Argument: "sweep"}},
	},
	{
		Name: "migrate", Kind: KindInvoke, Description: "Applies schema migrations, seeds permissions, creates the first admin",
		MemoryMB: 128, TimeoutSec: 300, Concurrency: 1,
		Needs: plus(baseNeeds, "BOOTSTRAP_ADMIN_PASSWORD"), Env: baseEnv,
	},
}

// ByName finds a function.
func ByName(name string) (Function, bool) {
	for _, f := range Functions {
		if f.Name == name {
			return f, true
		}
	}
	return Function{}, false
}
