// Package readcache keeps the hottest reads of the API (the per-request authorization grant, order
// lists and order details) in process memory, and checks on every request that they are still
// current: each entry is tagged with a shared epoch (a Redis counter) that every write which could
// change it increments. A read costs one Redis round trip instead of several MySQL queries, and
// no instance ever serves an entry older than the last committed write it could have seen.
//
// It decorates an appraisal.Store: reads it caches are answered from memory, writes pass through
// and bump the epochs they affect. Every method of the store is classified in the tests (read,
// write with the epochs it bumps, or write that changes nothing cached), and a write said to bump
// an epoch must be overridden here and bump it, so a new write method cannot silently leave a
// cached read stale.
package readcache

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jianbao/admin/shared/appraisal"
)

// Epochs are shared validity tokens, one per kind of data. A token that was replaced must never
// come back, even after the store that keeps them loses its data (redis.Epochs uses random
// values and recreates missing ones).
type Epochs interface {
	// Current returns the token of each named epoch.
	Current(ctx context.Context, names ...string) ([]string, error)
	// Bump replaces the named epochs' tokens.
	Bump(ctx context.Context, names ...string) error
}

// allEpochs are every epoch, bumped together after an invalidation was lost.
var allEpochs = []string{EpochAuth, EpochOrders}

// The epochs. Auth covers sessions, accounts, roles and expert profiles (everything a grant
// reads); orders covers orders, their children and the customers shown in their details.
const (
	EpochAuth   = "auth"
	EpochOrders = "orders"
)

// Store caches reads of the wrapped store.
type Store struct {
	appraisal.Store
	epochs Epochs
	log    *slog.Logger
	mem    *memory
	// lost is set when an invalidation could not reach Redis: until every epoch has been bumped
	// again, nothing is served from or put into the cache, here or (through the bump) anywhere.
	lost atomic.Bool
}

// New wraps s. size bounds the number of cached entries; ttl bounds their age even without writes.
func New(s appraisal.Store, epochs Epochs, log *slog.Logger, size int, ttl time.Duration) *Store {
	return &Store{Store: s, epochs: &batchedEpochs{Epochs: epochs}, log: log, mem: &memory{items: map[string]entry{}, size: size, maxBytes: answerBytes, ttl: ttl}}
}

// requestEpochs is one request's reading of the epochs: the first cached read of the request
// fetches every epoch in one round trip and the request's later reads reuse it (a detail reads
// the grant, the order, the role's holds and the customer: one round trip, not four). A write
// in the request forgets it, so the request reads its own writes.
type requestEpochs struct {
	mu     sync.Mutex
	tokens map[string]string
}

type requestKey struct{}

// ForRequest gives a request its own reading of the epochs (requestEpochs). A read without one
// asks Redis every time.
func ForRequest(ctx context.Context) context.Context {
	return context.WithValue(ctx, requestKey{}, &requestEpochs{})
}

// Middleware is ForRequest for every request of h.
func Middleware(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r.WithContext(ForRequest(r.Context())))
	})
}

// epoch reads one epoch. When Redis cannot say, ok is false and the caller reads through; this
// process's entries are dropped, since writes elsewhere may not be able to tell it either.
func (s *Store) epoch(ctx context.Context, name string) (string, bool) {
	tokens, ok := s.tokens(ctx)
	return tokens[name], ok
}

// tokens reads every epoch, once per request (requestEpochs).
func (s *Store) tokens(ctx context.Context) (map[string]string, bool) {
	req, _ := ctx.Value(requestKey{}).(*requestEpochs)
	if req != nil {
		req.mu.Lock()
		defer req.mu.Unlock()
		if req.tokens != nil {
			return req.tokens, true
		}
	}
	if s.lost.Load() {
		// An invalidation was lost: bump everything once Redis answers, which every other
		// instance then sees, before anything is cached again.
		if err := s.epochs.Bump(context.WithoutCancel(ctx), allEpochs...); err != nil {
			return nil, false
		}
		s.lost.Store(false)
		s.log.InfoContext(ctx, "read cache back: every epoch bumped after a lost invalidation")
	}
	v, err := s.epochs.Current(ctx, allEpochs...)
	if err != nil {
		s.mem.clear()
		s.log.WarnContext(ctx, "read cache bypassed: epochs unavailable", "err", err)
		return nil, false
	}
	tokens := map[string]string{}
	for i, n := range allEpochs {
		tokens[n] = v[i]
	}
	if req != nil {
		req.tokens = tokens
	}
	return tokens, true
}

// bump invalidates after a successful write. When Redis does not take it, this process drops its
// entries and remembers to bump every epoch as soon as Redis answers again (epoch), so no
// instance keeps serving what the write changed.
func (s *Store) bump(ctx context.Context, names ...string) {
	if req, _ := ctx.Value(requestKey{}).(*requestEpochs); req != nil {
		req.mu.Lock()
		req.tokens = nil
		req.mu.Unlock()
	}
	if err := s.epochs.Bump(context.WithoutCancel(ctx), names...); err != nil {
		s.lost.Store(true)
		s.mem.clear()
		s.log.ErrorContext(ctx, "read cache invalidation failed: cache off until Redis answers", "epochs", names, "err", err)
	}
}

// cached returns the value under key for the given epoch, computing and storing it on a miss.
func cached[T any](ctx context.Context, s *Store, epochName, key string, load func() (T, error)) (T, error) {
	ep, ok := s.epoch(ctx, epochName)
	if !ok {
		return load()
	}
	if v, hit := s.mem.get(key, ep); hit {
		return v.(T), nil
	}
	v, err := load()
	if err == nil {
		s.mem.put(key, ep, v, 0)
	}
	return v, err
}

// Grant caches authorization per session and operation. The session's own expiry is evaluated
// when the entry is loaded; a cached entry lives at most the cache TTL past it, and no access
// token outlives its session by that much (access tokens last 15 minutes, sessions days past
// their last refresh).
func (s *Store) Grant(ctx context.Context, sessionID string, userID int64, operation string, now time.Time) (*appraisal.Grant, error) {
	key := "grant\x00" + sessionID + "\x00" + formatID(userID) + "\x00" + operation
	g, err := cached(ctx, s, EpochAuth, key, func() (appraisal.Grant, error) {
		g, err := s.Store.Grant(ctx, sessionID, userID, operation, now)
		if err != nil {
			return appraisal.Grant{}, err
		}
		return *g, nil
	})
	if err != nil {
		return nil, err
	}
	return &g, nil
}

// ListOrders caches order lists per filter. Filters on the clock (sla_breached) change without
// writes, so they are not cached.
func (s *Store) ListOrders(ctx context.Context, f appraisal.OrderFilter) (appraisal.OrderList, error) {
	if f.SLABreached {
		return s.Store.ListOrders(ctx, f)
	}
	k, _ := json.Marshal(f)
	return cached(ctx, s, EpochOrders, "orders\x00"+string(k), func() (appraisal.OrderList, error) {
		return s.Store.ListOrders(ctx, f)
	})
}

// Can caches a role's hold on an operation, under the same epoch as grants: an order's
// allowed_actions asks it on every detail read, and SetPermissions bumps that epoch.
func (s *Store) Can(ctx context.Context, role appraisal.RoleID, operation string) (bool, error) {
	return cached(ctx, s, EpochAuth, "can\x00"+formatID(int64(role))+"\x00"+operation, func() (bool, error) {
		return s.Store.Can(ctx, role, operation)
	})
}

// OrderDetail caches order details.
func (s *Store) OrderDetail(ctx context.Context, id int64) (*appraisal.OrderDetail, error) {
	return cached(ctx, s, EpochOrders, "detail\x00"+formatID(id), func() (*appraisal.OrderDetail, error) {
		return s.Store.OrderDetail(ctx, id)
	})
}

// answer is an encoded response (httpapi's answer cache): what a hit writes without running the
// handler or encoding anything.
type answer struct {
	etag, contentType string
	body              []byte
	// until is when the answer stops being true without any write: an order shown as within its
	// SLA is breached from its due time on.
	until time.Time
}

// Answer returns the response kept under key, if no epoch has moved since it was kept and its
// clock has not run out. An answer depends on every epoch: it carries the caller's grant (auth)
// as much as the data (orders), and the request has read all of them in its one round trip.
func (s *Store) Answer(ctx context.Context, key string) (etag, contentType string, body []byte, ok bool) {
	tag, ok := s.tag(ctx)
	if !ok {
		return "", "", nil, false
	}
	v, hit := s.mem.get("answer\x00"+key, tag)
	if !hit {
		return "", "", nil, false
	}
	a := v.(*answer)
	if !a.until.IsZero() && !time.Now().Before(a.until) {
		return "", "", nil, false
	}
	return a.etag, a.contentType, a.body, true
}

// KeepAnswer keeps a response under key for Answer, tagged with the epochs the request read before
// the handler ran: a write racing the handler moves an epoch after that reading, so the answer
// is never served again.
func (s *Store) KeepAnswer(ctx context.Context, key, etag, contentType string, body []byte, until time.Time) {
	if tag, ok := s.tag(ctx); ok {
		s.mem.put("answer\x00"+key, tag, &answer{etag: etag, contentType: contentType, body: body, until: until}, len(body))
	}
}

// tag is the request's reading of every epoch as one string.
func (s *Store) tag(ctx context.Context) (string, bool) {
	tokens, ok := s.tokens(ctx)
	if !ok {
		return "", false
	}
	tag := ""
	for _, n := range allEpochs {
		tag += tokens[n] + "\x00"
	}
	return tag, true
}

type customerRow struct {
	c   *appraisal.Customer
	enc []byte
}

// Customer caches customers for the customer's own page and edits. An order's detail no longer
// reads it: the detail's store query joins the customer (and the detail is cached whole).
func (s *Store) Customer(ctx context.Context, id int64) (*appraisal.Customer, []byte, error) {
	r, err := cached(ctx, s, EpochOrders, "customer\x00"+formatID(id), func() (customerRow, error) {
		c, enc, err := s.Store.Customer(ctx, id)
		return customerRow{c, enc}, err
	})
	if err != nil {
		return nil, nil, err
	}
	c := *r.c
	return &c, r.enc, nil
}

// Writes that change what a grant says.

func (s *Store) RotateRefresh(ctx context.Context, r appraisal.Rotation) (appraisal.RefreshUse, *appraisal.Session, []byte, error) {
	use, sess, sealed, err := s.Store.RotateRefresh(ctx, r)
	if err == nil && use == appraisal.RefreshReused {
		s.bump(ctx, EpochAuth)
	}
	return use, sess, sealed, err
}

func (s *Store) RevokeSession(ctx context.Context, userID int64, sessionID, reason string, a appraisal.AuditEntry) error {
	err := s.Store.RevokeSession(ctx, userID, sessionID, reason, a)
	if err == nil {
		s.bump(ctx, EpochAuth)
	}
	return err
}

func (s *Store) RevokeUserSessions(ctx context.Context, userID int64, keep, reason string, a appraisal.AuditEntry) (int, error) {
	n, err := s.Store.RevokeUserSessions(ctx, userID, keep, reason, a)
	if err == nil {
		s.bump(ctx, EpochAuth)
	}
	return n, err
}

func (s *Store) SetPermissions(ctx context.Context, role appraisal.RoleID, operations []string, a appraisal.AuditEntry) error {
	err := s.Store.SetPermissions(ctx, role, operations, a)
	if err == nil {
		s.bump(ctx, EpochAuth)
	}
	return err
}

func (s *Store) SetPassword(ctx context.Context, id int64, hash string, mustChange bool, a appraisal.AuditEntry) error {
	err := s.Store.SetPassword(ctx, id, hash, mustChange, a)
	if err == nil {
		s.bump(ctx, EpochAuth) // the grant carries must_change_password
	}
	return err
}

func (s *Store) RemoveCustomer(ctx context.Context, id, version, into int64, a appraisal.AuditEntry) error {
	err := s.Store.RemoveCustomer(ctx, id, version, into, a)
	if err == nil {
		s.bump(ctx, EpochOrders) // Customer is cached; a merge rewrites orders' customer
	}
	return err
}

func (s *Store) RemoveItem(ctx context.Context, id, version, into int64, a appraisal.AuditEntry) error {
	err := s.Store.RemoveItem(ctx, id, version, into, a)
	if err == nil {
		s.bump(ctx, EpochOrders) // a merge moves orders to another item
	}
	return err
}

func (s *Store) UpdateItem(ctx context.Context, it *appraisal.Item, a appraisal.AuditEntry) error {
	err := s.Store.UpdateItem(ctx, it, a)
	if err == nil {
		s.bump(ctx, EpochOrders) // an order's detail answer shows its item
	}
	return err
}

func (s *Store) UpdateUser(ctx context.Context, u *appraisal.User, a appraisal.AuditEntry) error {
	err := s.Store.UpdateUser(ctx, u, a)
	if err == nil {
		s.bump(ctx, EpochAuth, EpochOrders) // order timelines show the display name
	}
	return err
}

func (s *Store) CreateExpert(ctx context.Context, e *appraisal.Expert, a appraisal.AuditEntry) error {
	err := s.Store.CreateExpert(ctx, e, a)
	if err == nil {
		s.bump(ctx, EpochAuth)
	}
	return err
}

func (s *Store) UpdateExpert(ctx context.Context, e *appraisal.Expert, a appraisal.AuditEntry) error {
	err := s.Store.UpdateExpert(ctx, e, a)
	if err == nil {
		s.bump(ctx, EpochAuth)
	}
	return err
}

func (s *Store) SeedPermissions(ctx context.Context, policy map[string][]appraisal.RoleID) (int, error) {
	n, err := s.Store.SeedPermissions(ctx, policy)
	if err == nil && n > 0 {
		s.bump(ctx, EpochAuth)
	}
	return n, err
}

// Writes that change what order lists and details say.

func (s *Store) CreateOrder(ctx context.Context, o *appraisal.Order, a appraisal.AuditEntry) error {
	err := s.Store.CreateOrder(ctx, o, a)
	if err == nil {
		s.bump(ctx, EpochOrders)
	}
	return err
}

func (s *Store) ApplyOrderChange(ctx context.Context, ch appraisal.OrderChange) (*appraisal.Order, error) {
	o, err := s.Store.ApplyOrderChange(ctx, ch)
	if err == nil {
		s.bump(ctx, EpochOrders)
	}
	return o, err
}

func (s *Store) RevokeCertificate(ctx context.Context, id int64, r appraisal.Revocation, a appraisal.AuditEntry) (*appraisal.Certificate, error) {
	c, err := s.Store.RevokeCertificate(ctx, id, r, a)
	if err == nil {
		s.bump(ctx, EpochOrders)
	}
	return c, err
}

func (s *Store) UpdateCustomer(ctx context.Context, c *appraisal.Customer, phoneEnc []byte, phoneHash string, setPhone bool, a appraisal.AuditEntry) error {
	err := s.Store.UpdateCustomer(ctx, c, phoneEnc, phoneHash, setPhone, a)
	if err == nil {
		s.bump(ctx, EpochOrders)
	}
	return err
}

// answerBytes bounds the bytes of the answers kept, whatever their number: a function has 128 MB
// in all (the catalog), and an order page of 100 is about 60 KB.
const answerBytes = 16 << 20

// memory is a bounded map of entries tagged with the epoch they were read at: at most size
// entries, and at most maxBytes of those whose size is known (the answers).
type memory struct {
	mu       sync.Mutex
	items    map[string]entry
	size     int
	bytes    int
	maxBytes int
	ttl      time.Duration
}

type entry struct {
	epoch string
	at    time.Time
	v     any
	bytes int
}

func (m *memory) get(key string, epoch string) (any, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.items[key]
	if !ok {
		return nil, false
	}
	if e.epoch != epoch || time.Since(e.at) > m.ttl {
		m.remove(key, e) // it can never be served again
		return nil, false
	}
	return e.v, true
}

func (m *memory) clear() {
	m.mu.Lock()
	defer m.mu.Unlock()
	clear(m.items)
	m.bytes = 0
}

func (m *memory) put(key string, epoch string, v any, bytes int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if old, ok := m.items[key]; ok {
		m.remove(key, old)
	}
	if len(m.items) >= m.size || m.bytes+bytes > m.maxBytes {
		// Evict an arbitrary eighth (more if the bytes still do not fit): cheap, and the hot
		// entries come straight back.
		n := max(m.size/8, 1)
		for k, e := range m.items {
			m.remove(k, e)
			if n--; n <= 0 && m.bytes+bytes <= m.maxBytes {
				break
			}
		}
	}
	if bytes > m.maxBytes {
		return
	}
	m.items[key] = entry{epoch: epoch, at: time.Now(), v: v, bytes: bytes}
	m.bytes += bytes
}

func (m *memory) remove(key string, e entry) {
	delete(m.items, key)
	m.bytes -= e.bytes
}

func formatID(id int64) string { return strconv.FormatInt(id, 10) }
