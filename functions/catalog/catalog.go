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

// Function is one SCF function. Name is also its folder under functions/ and its binary's name.
type Function struct {
	Name        string
	Kind        Kind
	Description string
	Groups      []httpapi.Group // API groups it serves (KindAPI)
	MemoryMB    int
	TimeoutSec  int
	// Env lists the environment variables it reads, beyond those SCF sets itself.
	Env []string
}

// Common environment of every function that talks to MySQL and Redis.
var baseEnv = []string{"APP_ENV", "LOG_LEVEL", "MYSQL_DSN", "MYSQL_MAX_OPEN_CONNS", "REDIS_ADDR", "REDIS_PASSWORD", "REDIS_DB"}

func env(extra ...string) []string { return append(append([]string(nil), baseEnv...), extra...) }

// Functions is the catalog.
var Functions = []Function{
	{
		Name: "api-auth", Kind: KindAPI, Description: "Login and tokens (/api/v1/auth)",
		Groups: []httpapi.Group{httpapi.GroupAuth}, MemoryMB: 256, TimeoutSec: 10,
		Env: env("JWT_SECRET", "ACCESS_TOKEN_TTL", "API_BASE_PATH"),
	},
	{
		Name: "migrate", Kind: KindInvoke, Description: "Applies schema migrations and creates the first admin",
		MemoryMB: 128, TimeoutSec: 300,
		Env: env("JWT_SECRET", "BOOTSTRAP_ADMIN_PASSWORD"),
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
