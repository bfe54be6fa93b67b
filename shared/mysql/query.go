package mysql

import (
	"context"
	"strconv"
	"strings"

	"github.com/jianbao/admin/shared/appraisal"
)

// where builds a parameterised WHERE clause. Only fixed SQL fragments written in this package go
// into clauses; every value goes into args.
type where struct {
	clauses []string
	args    []any
}

func (w *where) add(clause string, args ...any) {
	w.clauses = append(w.clauses, clause)
	w.args = append(w.args, args...)
}

func (w *where) String() string {
	if len(w.clauses) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.clauses, " AND ")
}

// like escapes a user's keyword for a LIKE '%kw%' pattern. Only infix patterns are used: the
// embedded engine misses prefix patterns followed by CJK characters.
func like(kw string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(kw) + "%"
}

// orderBy turns an allow-listed sort key (appraisal.ListSorts) into an ORDER BY over the list's
// own columns: nameCol is what "name" means for it. Anything else gets the default. Only these
// fixed fragments ever reach the SQL; the id breaks ties so pages never overlap.
func orderBy(sort, nameCol, def string) string {
	col := map[string]string{"created_at": "created_at", "updated_at": "updated_at", "name": nameCol}
	desc := strings.HasPrefix(sort, "-")
	c, ok := col[strings.TrimPrefix(sort, "-")]
	if !ok {
		return def
	}
	if desc {
		return c + " DESC, id DESC"
	}
	return c + ", id"
}

// byTime orders a list by a time column, newest first unless oldest, its id column breaking ties.
func byTime(col, id string, oldest bool) string {
	if oldest {
		return col + ", " + id
	}
	return col + " DESC, " + id + " DESC"
}

// MaxPageSize bounds every list.
const MaxPageSize = 100

func limits(p appraisal.Page) (limit, offset int) {
	limit, offset = p.Limit, p.Offset
	if limit <= 0 {
		limit = 20
	}
	if limit > MaxPageSize {
		limit = MaxPageSize
	}
	if offset < 0 {
		offset = 0
	}
	return limit, offset
}

// count runs SELECT COUNT(*) over the same FROM and WHERE as a list.
func (s *Store) count(ctx context.Context, from string, w *where) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+from+w.String(), w.args...).Scan(&n)
	return n, dbErr(err, "count")
}

// countBounded counts like count but stops past appraisal.CountBound: a list whose filter has
// no exact count cheaper than reading every match says "at least CountBound" instead.
func (s *Store) countBounded(ctx context.Context, from string, w *where) (n int, exact bool, err error) {
	err = s.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM (SELECT 1 FROM "+from+w.String()+" LIMIT "+strconv.Itoa(appraisal.CountBound+1)+") b", w.args...).Scan(&n)
	if n > appraisal.CountBound {
		return appraisal.CountBound, false, dbErr(err, "count")
	}
	return n, true, dbErr(err, "count")
}

// list runs a page query and scans each row with scan.
func (s *Store) list(ctx context.Context, query string, w *where, order string, p appraisal.Page, scan func(row interface{ Scan(...any) error }) error) error {
	limit, offset := limits(p)
	args := append(append([]any(nil), w.args...), limit, offset)
	rows, err := s.db.QueryContext(ctx, query+w.String()+" ORDER BY "+order+" LIMIT ? OFFSET ?", args...)
	if err != nil {
		return dbErr(err, "list")
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return dbErr(err, "list")
		}
	}
	return dbErr(rows.Err(), "list")
}

// qualify prefixes each of a column list's columns with a table alias.
func qualify(alias, columns string) string {
	cols := strings.Split(columns, ",")
	for i, c := range cols {
		cols[i] = alias + "." + strings.TrimSpace(c)
	}
	return strings.Join(cols, ", ")
}
