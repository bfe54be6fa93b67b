package httpapi

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// TestEveryCodeIsTranslated reads the shared packages' source for every error code a response can
// carry (appraisal.E, appraisal.Wrap, &appraisal.Error{Code: …} and field errors) and fails for
// each one without a Chinese message: the console shows zh-CN by default, so an untranslated code
// would show English to its users.
func TestEveryCodeIsTranslated(t *testing.T) {
	patterns := []*regexp.Regexp{
		regexp.MustCompile(`appraisal\.E\(\s*appraisal\.Kind\w+,\s*"([a-z0-9_.]+)"`),
		regexp.MustCompile(`appraisal\.Wrap\(\s*\w+,\s*appraisal\.Kind\w+,\s*"([a-z0-9_.]+)"`),
		regexp.MustCompile(`\bE\(\s*Kind\w+,\s*"([a-z0-9_.]+)"`),
		regexp.MustCompile(`appraisal\.Error\{[^}]*Code:\s*"([a-z0-9_.]+)"`),
	}
	field := regexp.MustCompile(`FieldError\{[^}]*Code:\s*"([a-z0-9_]+)"`)
	codes := map[string]string{}
	err := filepath.WalkDir("..", func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") ||
			strings.Contains(p, "test/") || strings.Contains(p, "testenv") {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		src := string(b)
		for _, re := range patterns {
			for _, m := range re.FindAllStringSubmatch(src, -1) {
				codes[m[1]] = p
			}
		}
		for _, m := range field.FindAllStringSubmatch(src, -1) {
			codes["field."+m[1]] = p
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(codes) < 30 {
		t.Fatalf("found only %d codes: the patterns no longer match the source", len(codes))
	}
	var missing []string
	for c, p := range codes {
		if m, ok := messages[c]; !ok || m[0] == "" {
			missing = append(missing, c+" ("+p+")")
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("%d codes have no zh-CN message in messages:\n  %s", len(missing), strings.Join(missing, "\n  "))
	}
}
