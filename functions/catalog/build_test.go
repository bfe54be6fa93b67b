package catalog_test

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/jianbao/admin/functions/catalog"
	"github.com/jianbao/admin/shared/cos/costest"
	"github.com/jianbao/admin/shared/scf"
	"github.com/jianbao/admin/shared/scf/scftest"
	"github.com/jianbao/admin/shared/testenv"
)

// TestBuildFunctions packages a function twice (the zips must be identical), then runs the
// executable from the zip under the SCF runtime.
func TestBuildFunctions(t *testing.T) {
	if testing.Short() {
		t.Skip("builds function zips")
	}
	if _, err := exec.LookPath("zip"); err != nil {
		if testenv.CI() {
			t.Fatal("zip is required in CI")
		}
		t.Skip("zip not installed")
	}
	a, b := t.TempDir(), t.TempDir()
	for _, dir := range []string{a, b} {
		if out, err := exec.Command("../../scripts/build-functions", "--out", dir, "api-auth").CombinedOutput(); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
	}
	za, _ := os.ReadFile(filepath.Join(a, "api-auth.zip"))
	zb, _ := os.ReadFile(filepath.Join(b, "api-auth.zip"))
	if len(za) == 0 || !bytes.Equal(za, zb) {
		t.Fatalf("the same commit built two different zips (%d and %d bytes)", len(za), len(zb))
	}
	zr, err := zip.NewReader(bytes.NewReader(za), int64(len(za)))
	if err != nil || len(zr.File) != 1 || zr.File[0].Name != "main" || zr.File[0].Mode()&0o111 == 0 {
		t.Fatalf("zip layout: %v %v", err, zr.File)
	}
	rc, _ := zr.File[0].Open()
	bin := filepath.Join(t.TempDir(), "main")
	f, _ := os.OpenFile(bin, os.O_CREATE|os.O_WRONLY, 0o755)
	io.Copy(f, rc)
	f.Close()
	rc.Close()

	fn := scftest.StartBinary(t, bin)
	d := testenv.EmbeddedMySQL(t)
	r := testenv.EmbeddedRedis(t)
	event := []byte(`{"httpMethod":"GET","path":"/healthz","headers":{"host":"fn.example"}}`)
	bucket := costest.New(t, "jianbao-dev-media-1250000000")
	resp := fn.Invoke(t, event, map[string]string{"APP_ENV": "dev", "MYSQL_DSN": d.DSN, "MYSQL_MAX_OPEN_CONNS": "1",
		"REDIS_ADDR": r.Addr, "JWT_SECRET": string(bytes.Repeat([]byte("j"), 32)), "PII_SECRET": string(bytes.Repeat([]byte("p"), 32)),
		"COS_BUCKET_URL": bucket.BucketURL, "COS_ENDPOINT": bucket.Endpoint})
	var out scf.HTTPResponse
	if resp.Error != nil || json.Unmarshal(resp.Payload, &out) != nil || out.StatusCode != 200 {
		t.Fatalf("the packaged function: %+v %s", resp.Error, resp.Payload)
	}
}

// TestNoStandInsInProduction: no function, and not the production build of the shim, links the
// embedded stand-ins (go-mysql-server alone adds about 60 MB and a quarter second of start-up).
func TestNoStandInsInProduction(t *testing.T) {
	check := func(t *testing.T, args ...string) {
		out, err := exec.Command("go", append([]string{"list", "-deps"}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("go list: %v\n%s", err, out)
		}
		for _, bad := range []string{"github.com/dolthub/go-mysql-server", "github.com/alicebob/miniredis", "shared/memmysql", "shared/memredis"} {
			if bytes.Contains(out, []byte(bad)) {
				t.Errorf("%v links %s", args, bad)
			}
		}
	}
	for _, f := range catalog.Functions {
		check(t, "../"+f.Name)
	}
	check(t, "-tags", "noembed", "../server")
}
