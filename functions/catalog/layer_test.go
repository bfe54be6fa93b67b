package catalog_test

import (
	"archive/zip"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jianbao/admin/shared/testenv"
)

func runLayerScript(t *testing.T, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command("../../scripts/build-ffmpeg-layer", args...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// staticTools writes statically linked stand-ins named ffmpeg and ffprobe (CGO-free Go programs)
// into a folder nested like a release archive.
func staticTools(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	src := filepath.Join(dir, "main.go")
	os.WriteFile(src, []byte("package main\nfunc main() {}\n"), 0o600)
	rel := filepath.Join(dir, "ffmpeg-7.0-amd64-static")
	os.MkdirAll(rel, 0o755)
	for _, name := range []string{"ffmpeg", "ffprobe"} {
		cmd := exec.Command("go", "build", "-o", filepath.Join(rel, name), src)
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOWORK=off", "GO111MODULE=off")
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("build stand-in: %v\n%s", err, b)
		}
	}
	os.Remove(src)
	return dir
}

func TestFFmpegLayerScript(t *testing.T) {
	for _, tool := range []string{"zip", "unzip"} {
		if _, err := exec.LookPath(tool); err != nil {
			if testenv.CI() {
				t.Fatalf("%s is required in CI (scripts/test.sh installs it)", tool)
			}
			t.Skip(tool + " not installed")
		}
	}
	out := t.TempDir()

	t.Run("static binaries become bin/ at the root, reproducibly", func(t *testing.T) {
		src := staticTools(t)
		a, b := filepath.Join(out, "a.zip"), filepath.Join(out, "b.zip")
		if msg, err := runLayerScript(t, src, a); err != nil {
			t.Fatalf("%v\n%s", err, msg)
		}
		if msg, err := runLayerScript(t, src, b); err != nil {
			t.Fatalf("%v\n%s", err, msg)
		}
		za, _ := os.ReadFile(a)
		zb, _ := os.ReadFile(b)
		if !bytes.Equal(za, zb) {
			t.Error("two builds from the same binaries differ")
		}
		zr, err := zip.NewReader(bytes.NewReader(za), int64(len(za)))
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, f := range zr.File {
			names = append(names, f.Name)
			if f.Mode()&0o111 == 0 {
				t.Errorf("%s is not executable in the zip", f.Name)
			}
		}
		if strings.Join(names, ",") != "bin/ffmpeg,bin/ffprobe" {
			t.Errorf("zip holds %v", names)
		}
	})

	t.Run("the distribution's dynamic build is refused, or packaged with a warning", func(t *testing.T) {
		ffmpeg, err := exec.LookPath("ffmpeg")
		if err != nil {
			t.Skip("ffmpeg not installed")
		}
		ffprobe, _ := exec.LookPath("ffprobe")
		dir := t.TempDir()
		for _, p := range []string{ffmpeg, ffprobe} {
			b, _ := os.ReadFile(p)
			os.WriteFile(filepath.Join(dir, filepath.Base(p)), b, 0o755)
		}
		if msg, err := runLayerScript(t, dir, filepath.Join(out, "dyn.zip")); err == nil || !strings.Contains(msg, "static") {
			t.Fatalf("a dynamic build was accepted: %s", msg)
		}
		msg, err := runLayerScript(t, "--allow-dynamic", dir, filepath.Join(out, "dyn.zip"))
		if err != nil || !strings.Contains(msg, "will not run on SCF") {
			t.Fatalf("%v\n%s", err, msg)
		}
	})

	t.Run("usage and bad sources", func(t *testing.T) {
		if msg, err := runLayerScript(t); err == nil || !strings.Contains(msg, "SOURCE") {
			t.Errorf("no arguments: %v %s", err, msg)
		}
		if _, err := runLayerScript(t, filepath.Join(out, "missing")); err == nil {
			t.Error("a missing source was accepted")
		}
	})
}
