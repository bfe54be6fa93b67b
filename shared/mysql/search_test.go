package mysql_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jianbao/admin/shared/appraisal"
	"github.com/jianbao/admin/shared/mysql"
	"github.com/jianbao/admin/shared/testenv"
)

// searchCorpus writes orders whose titles and customers look like the business's: eras, glazes,
// shapes, a little ASCII (upper, lower and full-width), a one-character title and name. It
// returns the customers by name.
func searchCorpus(t testing.TB, s *mysql.Store) map[string]*appraisal.Customer {
	t.Helper()
	ctx := context.Background()
	eras := []string{"乾隆", "康熙", "雍正", "明代", "清中期", "宋"}
	kinds := []string{"青花", "粉彩", "斗彩", "白玉", "和田玉", "翡翠", "Ming ", "ＡＢ"}
	things := []string{"缠枝莲纹梅瓶", "山水笔筒", "龙纹盘", "手镯", "观音挂件", "银元 1元", "No.3 瓶", "100%_真品"}
	names := []string{"王芳", "李雷", "张伟", "Tom Lee", "欧阳娜娜", "王"}
	customers := map[string]*appraisal.Customer{}
	items := map[string]*appraisal.Item{}
	for i := range 90 {
		name := names[i%len(names)]
		c := customers[name]
		if c == nil {
			c = &appraisal.Customer{Name: name}
			if err := s.CreateCustomer(ctx, c, nil, "", sys); err != nil {
				t.Fatal(err)
			}
			customers[name] = c
		}
		title := eras[i%len(eras)] + kinds[(i/2)%len(kinds)] + things[(i/3)%len(things)]
		if i == 7 {
			title = "瓶"
		}
		it := items[title+name]
		if it == nil {
			it = &appraisal.Item{CustomerID: c.ID, CategoryID: 1, Title: title}
			if err := s.CreateItem(ctx, it, sys); err != nil {
				t.Fatal(err)
			}
			items[title+name] = it
		}
		o := &appraisal.Order{CustomerID: c.ID, ItemID: it.ID, ProductID: 1, CategoryID: 1, Title: title, CustomerName: name,
			PriceFen: int64(100 * (i % 7)), SLADueAt: time.Now().Add(time.Duration(i%5) * time.Hour), CreatedBy: 1}
		if err := s.CreateOrder(ctx, o, sys); err != nil {
			t.Fatal(err)
		}
	}
	return customers
}

// likeIDs is what the search meant before it had an index: LIKE over the three columns.
func likeIDs(t testing.TB, d *testenv.Database, q string) []int64 {
	t.Helper()
	kw := "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(q) + "%"
	rows, err := d.DB.Query("SELECT id FROM orders WHERE order_no LIKE ? OR title LIKE ? OR customer_name LIKE ?", kw, kw, kw)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	ids := []int64{}
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// searchIDs pages through a search by its cursor, in a sort, and checks the count of every
// page on the way (the first page counts in its own query, the later ones apart).
func searchIDs(t testing.TB, s *mysql.Store, q, sort string) []int64 {
	t.Helper()
	f := appraisal.OrderFilter{Keyword: q, Sort: sort, Page: appraisal.Page{Limit: 7}}
	ids := []int64{}
	var totals []int
	for {
		l, err := s.ListOrders(context.Background(), f)
		if err != nil {
			t.Fatalf("%q: %v", q, err)
		}
		if !l.TotalExact {
			t.Fatalf("%q: total not exact on a corpus under the bound", q)
		}
		totals = append(totals, l.Total)
		for _, o := range l.Orders {
			ids = append(ids, o.ID)
		}
		if l.Next == "" {
			break
		}
		f.After = l.Next
	}
	for i, total := range totals {
		if total != len(ids) {
			t.Errorf("%q sorted %s: page %d says total %d, paged through %d", q, sort, i+1, total, len(ids))
		}
	}
	if n := len(ids); len(slices.Compact(slices.Sorted(slices.Values(ids)))) != n {
		t.Errorf("%q sorted %s: pages overlap: %v", q, sort, ids)
	}
	slices.Sort(ids)
	return ids
}

var searchQueries = []string{
	"青花", "乾隆青花", "隆青", "缠枝莲纹梅瓶", "莲纹梅", "花", "瓶", "王", "王芳", "欧阳", "阳娜",
	"Ming", "ming", "MING", "ing 青", "ＡＢ", "ab", "Ａb", "No.3", "no.3 瓶", "o.", "银元 1", "1元", "Tom", "om l", "TOM LEE",
	"100%", "%_", "_真", "JB", "0000", "不存在", "青花粉彩", "xyz", " ", "元 ",
}

// TestSearchMatchesLike: the indexed search returns exactly what LIKE '%q%' over order number,
// title and customer name returned, for one- and two-character, CJK, ASCII, mixed, case- and
// width-varied queries and LIKE's own wildcards; through both of its paths (the rare keyword
// listed by id, the common one walked), paged by cursor in every sort; after a merge renames
// orders' customer; and after migration 0014 rebuilds the index.
func TestSearchMatchesLike(t *testing.T) {
	forEachBackend(t, func(t *testing.T, d *testenv.Database) {
		ctx := context.Background()
		s := migrated(t, d)
		customers := searchCorpus(t, s)
		var some appraisal.Order
		d.DB.QueryRow("SELECT order_no FROM orders ORDER BY id DESC LIMIT 1").Scan(&some.OrderNo)
		queries := append(slices.Clone(searchQueries), some.OrderNo[len(some.OrderNo)-4:], some.OrderNo)

		check := func(t *testing.T, queries []string, sorts ...string) {
			for _, q := range queries {
				want := likeIDs(t, d, q)
				for _, sort := range sorts {
					if got := searchIDs(t, s, q, sort); !slices.Equal(got, want) {
						t.Errorf("%q sorted %q: search found %d %v, LIKE %d %v", q, sort, len(got), got, len(want), want)
					}
				}
			}
		}
		if n := len(likeIDs(t, d, "青花")); n < 5 || n > 40 {
			t.Fatalf("corpus: 青花 in %d orders; the test wants a term that is neither rare nor everywhere", n)
		}
		// Every query in the default sort; every sort (its cursor) with a few.
		few := []string{"青花", "花", "Ming", "王"}
		t.Run("rare", func(t *testing.T) {
			check(t, queries, "")
			check(t, few, appraisal.OrderSorts...)
		})
		t.Run("common", func(t *testing.T) {
			defer mysql.SetSearchCap(3)()
			check(t, queries, "")
			check(t, few, "price_fen", "-order_no")
		})
		t.Run("after merge", func(t *testing.T) {
			from, into := customers["Tom Lee"], customers["欧阳娜娜"]
			if err := s.RemoveCustomer(ctx, from.ID, from.Version, into.ID, sys); err != nil {
				t.Fatal(err)
			}
			if n := len(searchIDs(t, s, "Tom", "")); n != 0 {
				t.Errorf("Tom still finds %d orders after the merge", n)
			}
			check(t, queries, "")
		})
		t.Run("rebuilt", func(t *testing.T) {
			if _, err := d.DB.Exec("DELETE FROM order_terms"); err != nil {
				t.Fatal(err)
			}
			if _, err := d.DB.Exec("DELETE FROM schema_migrations WHERE name = '0014_order_terms'"); err != nil {
				t.Fatal(err)
			}
			if applied, err := mysql.Migrate(ctx, d.DB, quiet); err != nil || len(applied) != 1 {
				t.Fatalf("migrate: %v %v", applied, err)
			}
			check(t, queries, "")
		})
	})
}

// TestOrderCounts: the list's total comes from order_counts when only statuses filter, from a
// count that stops at CountBound otherwise, and a page past the first needs a cursor of its
// own sort.
func TestOrderCounts(t *testing.T) {
	forEachBackend(t, func(t *testing.T, d *testenv.Database) {
		ctx := context.Background()
		s := migrated(t, d)
		searchCorpus(t, s)
		for _, tc := range []struct {
			name string
			f    appraisal.OrderFilter
			want int
		}{
			{"all", appraisal.OrderFilter{}, 90},
			{"submitted", appraisal.OrderFilter{Statuses: []appraisal.Status{appraisal.StatusSubmitted}}, 90},
			{"none in status", appraisal.OrderFilter{Statuses: []appraisal.Status{appraisal.StatusCompleted}}, 0},
			{"customer", appraisal.OrderFilter{CustomerID: 1}, 15},
			// A keyword's page counts in its own query; a page past the last match, apart.
			{"keyword", appraisal.OrderFilter{Keyword: "青花"}, -1},
			{"keyword past the end", appraisal.OrderFilter{Keyword: "青花", Page: appraisal.Page{Limit: 5, Offset: 500}}, -1},
		} {
			if tc.want < 0 {
				tc.want = len(likeIDs(t, d, tc.f.Keyword))
			}
			l, err := s.ListOrders(ctx, tc.f)
			if err != nil || l.Total != tc.want || !l.TotalExact {
				t.Errorf("%s: total %d exact %v, %v; want %d exact", tc.name, l.Total, l.TotalExact, err, tc.want)
			}
		}
		// Orders past the bound: the count stops there and says so.
		if _, err := d.DB.Exec(fmt.Sprintf(`INSERT INTO orders (order_no, customer_id, item_id, product_id, category_id, title, customer_name,
  status, price_fen, sla_due_at, created_by, created_at, updated_at)
  SELECT CONCAT('X', a.id, '-', b.id), a.customer_id, a.item_id, 1, 1, a.title, a.customer_name, 'SUBMITTED', 0, a.sla_due_at, 1, a.created_at, a.updated_at
  FROM orders a JOIN orders b LIMIT %d`, appraisal.CountBound)); err != nil {
			t.Fatal(err)
		}
		l, err := s.ListOrders(ctx, appraisal.OrderFilter{ProductID: 1})
		if err != nil || l.Total != appraisal.CountBound || l.TotalExact {
			t.Errorf("past the bound: total %d exact %v, %v", l.Total, l.TotalExact, err)
		}
		if _, err := s.ListOrders(ctx, appraisal.OrderFilter{Sort: "price_fen", After: l.Next}); !appraisal.IsKind(err, appraisal.KindInvalid) {
			t.Errorf("a -created_at cursor under price_fen: %v, want invalid", err)
		}
	})
}
