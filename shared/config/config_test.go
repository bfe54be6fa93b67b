package config

import (
	"fmt"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestLoadDefaults(t *testing.T) {
	c, err := Load(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.Env != "local" || c.HTTPAddr != ":8080" || c.AccessTokenTTL != 15*time.Minute || !c.Embedded() {
		t.Errorf("unexpected defaults: %+v", c)
	}
}

func TestLoadErrorsNameTheVariable(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want []string
	}{
		{"bad env", map[string]string{"APP_ENV": "staging"}, []string{"APP_ENV"}},
		{"wildcard origin", map[string]string{"CORS_ALLOWED_ORIGINS": "https://admin.example.com,*"}, []string{"CORS_ALLOWED_ORIGINS"}},
		{"origin with a path", map[string]string{"CORS_ALLOWED_ORIGINS": "https://admin.example.com/console"}, []string{"CORS_ALLOWED_ORIGINS"}},
		{"bad int", map[string]string{"MYSQL_MAX_OPEN_CONNS": "lots"}, []string{"MYSQL_MAX_OPEN_CONNS"}},
		{"ttl over 15m", map[string]string{"ACCESS_TOKEN_TTL": "1h"}, []string{"ACCESS_TOKEN_TTL"}},
		{"bad level", map[string]string{"LOG_LEVEL": "loud"}, []string{"LOG_LEVEL"}},
		{"url dsn", map[string]string{"MYSQL_DSN": "mysql://u:p@h/db"}, []string{"MYSQL_DSN"}},
		{"short secret", map[string]string{"JWT_SECRET": "short"}, []string{"JWT_SECRET"}},
		{"prod needs services", map[string]string{"APP_ENV": "prod"}, []string{"MYSQL_DSN", "REDIS_ADDR", "JWT_SECRET", "COS_BUCKET_URL"}},
		{"several at once", map[string]string{"REDIS_DB": "99", "SHUTDOWN_TIMEOUT": "x"}, []string{"REDIS_DB", "SHUTDOWN_TIMEOUT"}},
		{"real database needs a PII secret", map[string]string{"MYSQL_DSN": "u:p@tcp(h)/db"}, []string{"PII_SECRET"}},
		{"bad sample rate", map[string]string{"REVIEW_SAMPLE_RATE": "1.5"}, []string{"REVIEW_SAMPLE_RATE"}},
		{"bad public url", map[string]string{"PUBLIC_BASE_URL": "ftp://x"}, []string{"PUBLIC_BASE_URL"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(env(tt.env))
			if err == nil {
				t.Fatal("want an error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not name %s", err, w)
				}
			}
		})
	}
}

func TestSecretsNeverLeak(t *testing.T) {
	const (
		pw    = "s3cret-db-pass"
		jwt   = "0123456789abcdef0123456789abcdef-jwt"
		redis = "redis-pass-xyz"
		boot  = "boot-pass-123"
		pii   = "pii-secret-0123456789abcdef0123456789"
	)
	c, err := Load(env(map[string]string{
		"APP_ENV": "prod", "MYSQL_DSN": "app:" + pw + "@tcp(10.0.0.5:3306)/jianbao?parseTime=true",
		"REDIS_ADDR": "10.0.0.6:6379", "REDIS_PASSWORD": redis, "JWT_SECRET": jwt, "BOOTSTRAP_ADMIN_PASSWORD": boot,
		"PII_SECRET": pii, "COS_BUCKET_URL": "https://jianbao-prod-media-1250000000.cos.ap-guangzhou.myqcloud.com",
	}))
	if err != nil {
		t.Fatal(err)
	}
	var sb strings.Builder
	slog.New(slog.NewJSONHandler(&sb, nil)).Info("config", "config", c)
	out := sb.String() + fmt.Sprint(c) + fmt.Sprintf("%v %+v", c, c)
	for _, s := range []string{pw, jwt, redis, boot, pii} {
		if strings.Contains(out, s) {
			t.Errorf("secret %q leaked into %s", s, out)
		}
	}
	if !strings.Contains(out, "app:***@tcp(10.0.0.5:3306)") {
		t.Errorf("masked DSN missing from %s", out)
	}
}

func TestMaskDSN(t *testing.T) {
	tests := map[string]string{
		"root@tcp(127.0.0.1:3306)/test":    "root@tcp(127.0.0.1:3306)/test",
		"u:p@ss@tcp(h)/db":                 "u:***@tcp(h)/db",
		"u:pw@unix(/run/mysqld.sock)/db?x": "u:***@unix(/run/mysqld.sock)/db?x",
		"":                                 "",
	}
	for in, want := range tests {
		if got := MaskDSN(in); got != want {
			t.Errorf("MaskDSN(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestEnvExampleIsComplete: .env.example names every variable Load and LoadSecretSource read.
func TestEnvExampleIsComplete(t *testing.T) {
	read := map[string]bool{}
	record := func(name string) string { read[name] = true; return "" }
	Load(record)
	c, _ := Load(func(name string) string { read[name] = true; return map[string]string{"COS_SECRET_ID": "id"}[name] })
	c.COSCredentials()
	LoadSecretSource(func(name string) string {
		read[name] = true
		return map[string]string{"SSM_SECRET_NAME": "s", "SSM_SECRET_VERSION": "v", "TENCENTCLOUD_REGION": "ap-guangzhou"}[name]
	})
	raw, err := os.ReadFile("../../.env.example")
	if err != nil {
		t.Fatal(err)
	}
	// NAME= lines are ours; "# NAME=" lines are the platform's (some read by the SDK, not here).
	listed, platform := map[string]bool{}, map[string]bool{}
	for _, line := range strings.Split(string(raw), "\n") {
		set := listed
		if strings.HasPrefix(line, "# ") {
			line, set = strings.TrimPrefix(line, "# "), platform
		}
		if name, _, ok := strings.Cut(line, "="); ok && name == strings.ToUpper(name) && !strings.Contains(name, " ") {
			set[name] = true
		}
	}
	if len(read) < 40 {
		t.Fatalf("only %d variables recorded", len(read))
	}
	for name := range read {
		if !listed[name] && !platform[name] {
			t.Errorf("%s is read but not in .env.example", name)
		}
	}
	for name := range listed {
		if !read[name] {
			t.Errorf(".env.example lists %s, which nothing reads", name)
		}
	}
}

func TestSecretSource(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		ok   bool
		err  string
		tke  bool
	}{
		{"none configured", map[string]string{}, false, "", false},
		{"SCF: the run role's keys", map[string]string{"SSM_SECRET_NAME": "s", "SSM_SECRET_VERSION": "v1", "TENCENTCLOUD_REGION": "ap-guangzhou", "TENCENTCLOUD_SECRETID": "id"}, true, "", false},
		{"TKE: the bound role", map[string]string{"SSM_SECRET_NAME": "s", "SSM_SECRET_VERSION": "v1", "TKE_REGION": "ap-guangzhou", "TKE_ROLE_ARN": "qcs::cam::uin/1:roleName/r"}, true, "", true},
		{"no version", map[string]string{"SSM_SECRET_NAME": "s", "TENCENTCLOUD_REGION": "ap-guangzhou"}, true, "SSM_SECRET_VERSION", false},
		{"no region", map[string]string{"SSM_SECRET_NAME": "s", "SSM_SECRET_VERSION": "v1"}, true, "region", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src, ok, err := LoadSecretSource(env(tc.env))
			if ok != tc.ok || (tc.err == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), tc.err) || src.TKEIdentity != tc.tke {
				t.Errorf("ok %v err %v tke %v", ok, err, src.TKEIdentity)
			}
		})
	}
	// Secrets come from the source only: a stale plain variable cannot shadow it, and a secret the
	// source lacks stays unset; everything else is the environment's.
	get := Overlay(env(map[string]string{"JWT_SECRET": "stale", "PII_SECRET": "plain", "REDIS_ADDR": "10.0.0.6:6379"}),
		map[string]string{"JWT_SECRET": "from-ssm"})
	if get("JWT_SECRET") != "from-ssm" || get("PII_SECRET") != "" || get("REDIS_ADDR") != "10.0.0.6:6379" {
		t.Errorf("overlay: %q %q %q", get("JWT_SECRET"), get("PII_SECRET"), get("REDIS_ADDR"))
	}
}

// TestLocalLinks: without PUBLIC_BASE_URL the links point at the port the server listens on.
func TestLocalLinks(t *testing.T) {
	for addr, want := range map[string]string{"": "http://localhost:8080", ":9090": "http://localhost:9090",
		"127.0.0.1:7000": "http://127.0.0.1:7000", "[::]:8081": "http://localhost:8081"} {
		c, err := Load(env(map[string]string{"HTTP_ADDR": addr}))
		if err != nil || c.PublicBaseURL != want {
			t.Errorf("HTTP_ADDR=%q: %q %v, want %q", addr, c.PublicBaseURL, err, want)
		}
	}
	c, _ := Load(env(map[string]string{"HTTP_ADDR": ":9090", "PUBLIC_BASE_URL": "https://verify.example/"}))
	if c.PublicBaseURL != "https://verify.example" {
		t.Errorf("an explicit base: %q", c.PublicBaseURL)
	}
}
