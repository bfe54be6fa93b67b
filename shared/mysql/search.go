package mysql

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"unicode"
)

// Order search: a keyword of two or more characters is found through order_terms, a bigram
// index kept with every order, instead of LIKE '%q%' over every row. The bigram table is the
// portable way: MySQL 8's ngram full-text parser does not exist in MariaDB, and a search engine
// would be a second system to run for three short columns.
//
// The index only finds candidates. The list's LIKE still runs on them, so the results are
// exactly the LIKE's (tests compare both on a corpus, on both engines); what the index adds is
// that the LIKE no longer runs on every row.

// searchCap is how many candidates a search lists by id. A keyword whose rarest term is in more
// orders than this is common enough that walking the list in its sort order finds a page of
// matches quickly; its count then walks that term's orders, stopping at appraisal.CountBound.
var searchCap = 500

// fold is how both the index and a query see text: lower case, full-width ASCII as ASCII, the
// ideographic space as a space. utf8mb4_unicode_ci, the columns' collation, treats these as
// equal, so a row the LIKE matches always has the query's terms.
func fold(s string) []rune {
	r := []rune(s)
	for i, c := range r {
		switch {
		case c >= '！' && c <= '～':
			c = c - '！' + '!'
		case c == '\u3000':
			c = ' '
		}
		r[i] = unicode.ToLower(c)
	}
	return r
}

// bigrams returns the distinct pairs of adjacent characters of each text, folded.
func bigrams(texts ...string) []string {
	seen := map[string]bool{}
	var out []string
	for _, t := range texts {
		r := fold(t)
		for i := 0; i+1 < len(r); i++ {
			if g := string(r[i : i+2]); !seen[g] {
				seen[g] = true
				out = append(out, g)
			}
		}
	}
	return out
}

// insertTerms indexes orders for search, in one statement per 2,000 terms. A term already
// there is kept (IGNORE), so indexing an order again is harmless.
func insertTerms(ctx context.Context, x execer, orders ...termSource) error {
	return eachTermBatch(orders, func(rows []string, args []any) error {
		_, err := x.ExecContext(ctx, "INSERT IGNORE INTO order_terms (term, order_id) VALUES "+strings.Join(rows, ", "), args...)
		return dbErr(err, "order terms")
	})
}

// deleteTerms removes what the orders' text was indexed under, by key. The old text says which
// terms those are: the index is a function of the text (fold and bigrams), and a change to that
// function is a migration that indexes every order again.
func deleteTerms(ctx context.Context, x execer, orders ...termSource) error {
	return eachTermBatch(orders, func(rows []string, args []any) error {
		_, err := x.ExecContext(ctx, "DELETE FROM order_terms WHERE (term, order_id) IN ("+strings.Join(rows, ", ")+")", args...)
		return dbErr(err, "order terms")
	})
}

func eachTermBatch(orders []termSource, fn func(rows []string, args []any) error) error {
	var rows []string
	var args []any
	for i, o := range orders {
		for _, t := range bigrams(o.orderNo, o.title, o.customerName) {
			rows = append(rows, "(?, ?)")
			args = append(args, t, o.id)
		}
		if len(rows) >= 2000 || i == len(orders)-1 && len(rows) > 0 {
			if err := fn(rows, args); err != nil {
				return err
			}
			rows, args = rows[:0], args[:0]
		}
	}
	return nil
}

// termSources reads the text of the orders the clause selects.
func termSources(ctx context.Context, x execer, clause string, args ...any) ([]termSource, error) {
	var out []termSource
	rows, err := x.QueryContext(ctx, "SELECT id, order_no, title, customer_name FROM orders "+clause, args...)
	if err != nil {
		return nil, dbErr(err, "orders")
	}
	defer rows.Close()
	for rows.Next() {
		var o termSource
		if err := rows.Scan(&o.id, &o.orderNo, &o.title, &o.customerName); err != nil {
			return nil, dbErr(err, "orders")
		}
		out = append(out, o)
	}
	return out, dbErr(rows.Err(), "orders")
}

type termSource struct {
	id                           int64
	orderNo, title, customerName string
}

// termCandidates finds the orders that have every term of a keyword. ok is false when even the
// rarest term is in more than searchCap orders: the caller then walks the list instead, and
// counts through rarest.
func (s *Store) termCandidates(ctx context.Context, terms []string) (ids []any, rarest string, ok bool, err error) {
	// How many orders each term is in, each count stopping past the cap: one round trip.
	parts := make([]string, len(terms))
	args := make([]any, 0, 2*len(terms))
	for i, t := range terms {
		parts[i] = "SELECT ? AS term, COUNT(*) AS n FROM (SELECT 1 FROM order_terms WHERE term = ? LIMIT " + strconv.Itoa(searchCap+1) + ") t" + strconv.Itoa(i)
		args = append(args, t, t)
	}
	least := searchCap + 1
	err = s.each(ctx, strings.Join(parts, " UNION ALL "), args, func(r interface{ Scan(...any) error }) error {
		var t string
		var n int
		if err := r.Scan(&t, &n); err != nil {
			return err
		}
		if rarest == "" || n < least {
			rarest, least = t, n
		}
		return nil
	})
	switch {
	case err != nil:
		return nil, "", false, err
	case least == 0:
		return []any{}, rarest, true, nil
	case least > searchCap:
		return nil, rarest, false, nil
	}
	// The rarest term's orders, kept when they have every other term too.
	q := "SELECT t.order_id FROM order_terms t WHERE t.term = ?"
	args = []any{rarest}
	for _, t := range terms {
		if t != rarest {
			q += " AND EXISTS (SELECT 1 FROM order_terms o WHERE o.term = ? AND o.order_id = t.order_id)"
			args = append(args, t)
		}
	}
	ids = []any{}
	err = s.each(ctx, q, args, func(r interface{ Scan(...any) error }) error {
		var id int64
		err := r.Scan(&id)
		ids = append(ids, id)
		return err
	})
	return ids, rarest, err == nil, err
}

// TermsStep is migration 0014: orders written before order_terms existed are indexed, a batch
// at a time. Running it again finds every term already there.
func TermsStep() DataStep {
	return DataStep{Version: 14, Name: "0014_order_terms", Run: func(ctx context.Context, conn *sql.Conn) error {
		var after int64
		for {
			batch, err := termSources(ctx, conn, "WHERE id > ? ORDER BY id LIMIT 500", after)
			if err != nil {
				return err
			}
			if len(batch) == 0 {
				return nil
			}
			if err := insertTerms(ctx, conn, batch...); err != nil {
				return err
			}
			after = batch[len(batch)-1].id
		}
	}}
}
