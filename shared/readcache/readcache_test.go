package readcache_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jianbao/admin/shared/appraisal"
	"github.com/jianbao/admin/shared/logs"
	"github.com/jianbao/admin/shared/mysql"
	"github.com/jianbao/admin/shared/readcache"
	"github.com/jianbao/admin/shared/redis"
	"github.com/jianbao/admin/shared/testenv"
)

// TestTwoInstances runs two caches over one database and one Redis, as two instances of the
// service would: whatever one writes, the other reads on its next request.
func TestTwoInstances(t *testing.T) {
	redisFor := map[string]func(testing.TB) *testenv.RedisServer{"mariadb": testenv.Redis, "embedded": testenv.EmbeddedRedis}
	for _, b := range testenv.MySQLBackends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			d, r := b.Open(t), redisFor[b.Name](t)
			if _, err := mysql.Migrate(ctx, d.DB, logs.Discard()); err != nil {
				t.Fatal(err)
			}
			my := mysql.NewStore(d.DB)
			my.SeedPermissions(ctx, appraisal.DefaultPolicy)
			epochs := redis.NewEpochs(r.Client, r.Prefix+"epoch:")
			a := readcache.New(my, epochs, logs.Discard(), 100, time.Hour)
			bb := readcache.New(my, epochs, logs.Discard(), 100, time.Hour)
			audit := appraisal.AuditEntry{Action: "test", TargetType: "test"}

			u := &appraisal.User{Username: "vic", PasswordHash: "h", Role: appraisal.RoleViewer}
			if err := a.CreateUser(ctx, u, audit); err != nil {
				t.Fatal(err)
			}
			now := time.Now()
			sess := &appraisal.Session{ID: "s1", UserID: u.ID, CreatedAt: now, LastUsedAt: now, ExpiresAt: now.Add(time.Hour)}
			if err := a.CreateSession(ctx, sess, "hash1"); err != nil {
				t.Fatal(err)
			}
			grant := func(st *readcache.Store, op string) *appraisal.Grant {
				t.Helper()
				g, err := st.Grant(ctx, "s1", u.ID, op, time.Now())
				if err != nil {
					t.Fatal(err)
				}
				return g
			}
			if g := grant(bb, "orders.list"); !g.Allowed || !g.SessionActive {
				t.Fatalf("initial grant %+v", g)
			}
			can := func(st *readcache.Store, op string) bool {
				t.Helper()
				ok, err := st.Can(ctx, appraisal.RoleViewer, op)
				if err != nil {
					t.Fatal(err)
				}
				return ok
			}
			if !can(bb, "orders.list") {
				t.Fatal("the viewer's role does not hold orders.list at first")
			}
			// A permission change made through one instance applies on the other's next read.
			if err := a.SetPermissions(ctx, appraisal.RoleViewer, []string{"orders.get"}, audit); err != nil {
				t.Fatal(err)
			}
			if g := grant(bb, "orders.list"); g.Allowed {
				t.Fatal("instance B still allows orders.list after A removed it")
			}
			if can(bb, "orders.list") {
				t.Fatal("instance B's Can still answers yes after A removed orders.list")
			}
			// So does a logout.
			if err := a.RevokeSession(ctx, u.ID, "s1", "logout", audit); err != nil {
				t.Fatal(err)
			}
			if g := grant(bb, "orders.get"); g.SessionActive {
				t.Fatal("instance B still sees the session after A revoked it")
			}

			// Order lists: B caches, A writes, B sees the write.
			cust := &appraisal.Customer{Name: "c"}
			a.CreateCustomer(ctx, cust, nil, "", audit)
			it := &appraisal.Item{CustomerID: cust.ID, CategoryID: 1, Title: "瓶"}
			a.CreateItem(ctx, it, audit)
			list := func() int {
				l, err := bb.ListOrders(ctx, appraisal.OrderFilter{})
				if err != nil {
					t.Fatal(err)
				}
				return l.Total
			}
			if n := list(); n != 0 {
				t.Fatalf("orders: %d", n)
			}
			o := &appraisal.Order{CustomerID: cust.ID, ItemID: it.ID, ProductID: 1, CategoryID: 1, Title: "瓶", CustomerName: "c",
				SLADueAt: time.Now().Add(time.Hour), CreatedBy: u.ID}
			if err := a.CreateOrder(ctx, o, audit); err != nil {
				t.Fatal(err)
			}
			if n := list(); n != 1 {
				t.Fatalf("B does not see A's new order: %d", n)
			}
			det, _ := bb.OrderDetail(ctx, o.ID)
			next := *o
			if _, err := a.ApplyOrderChange(ctx, appraisal.OrderChange{Order: &next, Audit: audit,
				Event: appraisal.OrderEvent{Action: appraisal.ActionTriage, From: appraisal.StatusSubmitted, To: appraisal.StatusTriage}}); err != nil {
				t.Fatal(err)
			}
			if det2, _ := bb.OrderDetail(ctx, o.ID); det2.Order.Status != appraisal.StatusTriage || len(det2.Events) != 2 || det.Order.Status != appraisal.StatusSubmitted {
				t.Fatalf("B's detail after A's transition: %s with %d events", det2.Order.Status, len(det2.Events))
			}
		})
	}
}

// countingEpochs counts the round trips to the epochs.
type countingEpochs struct {
	readcache.Epochs
	reads int
}

func (c *countingEpochs) Current(ctx context.Context, names ...string) ([]string, error) {
	c.reads++
	return c.Epochs.Current(ctx, names...)
}

// TestOneReadingPerRequest: within a request every cached read shares one round trip for the
// epochs, and a write in the request is seen by the request's next read.
func TestOneReadingPerRequest(t *testing.T) {
	ctx := context.Background()
	d, r := testenv.MySQLBackends()[0].Open(t), testenv.Redis(t)
	if _, err := mysql.Migrate(ctx, d.DB, logs.Discard()); err != nil {
		t.Fatal(err)
	}
	my := mysql.NewStore(d.DB)
	my.SeedPermissions(ctx, appraisal.DefaultPolicy)
	epochs := &countingEpochs{Epochs: redis.NewEpochs(r.Client, r.Prefix+"epoch:")}
	c := readcache.New(my, epochs, logs.Discard(), 100, time.Hour)
	audit := appraisal.AuditEntry{Action: "test", TargetType: "test"}
	cust := &appraisal.Customer{Name: "c"}
	c.CreateCustomer(ctx, cust, nil, "", audit)
	it := &appraisal.Item{CustomerID: cust.ID, CategoryID: 1, Title: "瓶"}
	c.CreateItem(ctx, it, audit)
	newOrder := func(ctx context.Context) {
		o := &appraisal.Order{CustomerID: cust.ID, ItemID: it.ID, ProductID: 1, CategoryID: 1, Title: "瓶", CustomerName: "c",
			SLADueAt: time.Now().Add(time.Hour), CreatedBy: 1}
		if err := c.CreateOrder(ctx, o, audit); err != nil {
			t.Fatal(err)
		}
	}
	newOrder(ctx)

	req := readcache.ForRequest(ctx)
	epochs.reads = 0
	l, err := c.ListOrders(req, appraisal.OrderFilter{})
	if err != nil {
		t.Fatal(err)
	}
	c.OrderDetail(req, l.Orders[0].ID)
	c.Can(req, appraisal.RoleOperator, "orders.list")
	c.Customer(req, cust.ID)
	if epochs.reads != 1 {
		t.Fatalf("four cached reads in one request asked Redis %d times, want 1", epochs.reads)
	}
	newOrder(req)
	if l, _ := c.ListOrders(req, appraisal.OrderFilter{}); l.Total != 2 {
		t.Fatalf("the request does not read its own write: %d orders", l.Total)
	}
	if epochs.reads != 2 {
		t.Fatalf("after a write the request asked Redis %d times in all, want 2", epochs.reads)
	}
	// Without a request, every read asks.
	c.ListOrders(ctx, appraisal.OrderFilter{})
	c.ListOrders(ctx, appraisal.OrderFilter{})
	if epochs.reads != 4 {
		t.Fatalf("reads outside a request: %d round trips in all, want 4", epochs.reads)
	}
}

// TestAnswers: a kept answer is served while no epoch moves, on this instance and not after a
// write through another; never past its clock bound; and not at all while Redis is away.
func TestAnswers(t *testing.T) {
	ctx := context.Background()
	r := testenv.Redis(t)
	epochs := redis.NewEpochs(r.Client, r.Prefix+"epoch:")
	a := readcache.New(nil, epochs, logs.Discard(), 100, time.Hour)
	b := readcache.New(nil, epochs, logs.Discard(), 100, time.Hour)
	get := func(st *readcache.Store, key string) string {
		_, _, body, ok := st.Answer(readcache.ForRequest(ctx), key)
		if !ok {
			return "miss"
		}
		return string(body)
	}
	a.KeepAnswer(readcache.ForRequest(ctx), "k", `"e"`, "application/json", []byte("one"), time.Time{})
	bound := time.Now().Add(300 * time.Millisecond)
	a.KeepAnswer(readcache.ForRequest(ctx), "soon", `"s"`, "application/json", []byte("soon"), bound)
	a.KeepAnswer(readcache.ForRequest(ctx), "past", `"p"`, "application/json", []byte("past"), time.Now().Add(-time.Millisecond))
	if etag, ct, body, ok := a.Answer(readcache.ForRequest(ctx), "k"); !ok || etag != `"e"` || ct != "application/json" || string(body) != "one" {
		t.Fatalf("kept answer: %q %q %q %v", etag, ct, body, ok)
	}
	// Inside its bound it is served — asked only while the bound still holds once answered, so a
	// slow machine cannot fail this.
	if got := get(a, "soon"); got != "soon" && time.Now().Before(bound) {
		t.Fatalf("an answer inside its clock bound: %s", got)
	}
	if got := get(a, "past"); got != "miss" {
		t.Fatalf("an answer past its clock bound was served: %s", got)
	}
	time.Sleep(time.Until(bound) + 10*time.Millisecond)
	if got := get(a, "soon"); got != "miss" {
		t.Fatalf("an answer was served after its clock bound ran out: %s", got)
	}
	// Any epoch moving, here through the other instance, ends every answer.
	for _, ep := range []string{readcache.EpochOrders, readcache.EpochAuth} {
		a.KeepAnswer(readcache.ForRequest(ctx), "k", `"e"`, "application/json", []byte("one"), time.Time{})
		if err := epochs.Bump(ctx, ep); err != nil {
			t.Fatal(err)
		}
		if got := get(a, "k"); got != "miss" {
			t.Fatalf("an answer outlived a bump of %s: %s", ep, got)
		}
	}
	if got := get(b, "k"); got != "miss" {
		t.Fatalf("instance b holds what only a kept: %s", got)
	}
	// Without Redis nothing is served, not even what was kept while it answered.
	flaky := &failingEpochs{Epochs: epochs}
	c := readcache.New(nil, flaky, logs.Discard(), 100, time.Hour)
	c.KeepAnswer(readcache.ForRequest(ctx), "k", `"e"`, "application/json", []byte("one"), time.Time{})
	if got := get(c, "k"); got != "one" {
		t.Fatalf("kept while Redis answered: %s", got)
	}
	flaky.down = true
	if got := get(c, "k"); got != "miss" {
		t.Fatalf("served without Redis: %s", got)
	}
}

// failingEpochs are Redis's epochs until down.
type failingEpochs struct {
	readcache.Epochs
	down bool
}

func (f *failingEpochs) Current(ctx context.Context, names ...string) ([]string, error) {
	if f.down {
		return nil, errors.New("redis: connection refused")
	}
	return f.Epochs.Current(ctx, names...)
}
