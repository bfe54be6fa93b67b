package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/jianbao/admin/shared/appraisal"
	"github.com/jianbao/admin/shared/password"
)

// loginKeys are the throttle counters one login attempt touches. Usernames are hashed into the
// keys: a login may carry any text as a username, and keys must stay plain.
type loginKeys struct {
	ip        string // attempts from the address (successes given back)
	source    string // attempts on the account from the address, until one succeeds
	account   string // failures on the account from anywhere
	slow      string // the growing delay of a source on an account under attack
	throttled string // throttled attempts from the address: only the first of a window is logged
	known     string // the account logged in from the address lately: its attempts may use the reserved hashing slot
	prefix    string // every per-source key of the account, for an unlock
}

// KnownFor is how long a successful login makes its (account, address) pair known.
const KnownFor = 30 * 24 * time.Hour

func accountTag(username string) string {
	sum := sha256.Sum256([]byte(username))
	return hex.EncodeToString(sum[:8])
}

func loginKeysFor(username, ip string) loginKeys {
	acct := accountTag(username)
	return loginKeys{
		ip:        "login:ip:" + ip,
		source:    "login:acct:" + acct + ":src:" + ip,
		account:   "login:acct:" + acct + ":failures",
		slow:      "login:acct:" + acct + ":slow:" + ip,
		throttled: "login:throttled:" + ip,
		known:     "login:known:" + acct + ":" + ip,
		prefix:    "login:acct:" + acct + ":",
	}
}

// limiter is the throttle the login limits count with: Redis (s.Throttle, shared by every
// instance) while it answers, this process's bounded counts when it cannot (failover).
func (s *Service) limiter() *failover {
	s.limiterOnce.Do(func() {
		s.failover = &failover{shared: s.Throttle, local: newLocalThrottle(localKeys, s.now), decided: s.LimitDecided}
	})
	return s.failover
}

// localKeys bounds the in-process counts: about 100 bytes a key, so 100,000 keys is ~10 MB
// however many addresses a flood uses.
const localKeys = 100_000

// admit counts the attempt against its address and its (account, address) pair before anything
// is hashed, and reports how long the caller must wait when a limit is reached (0: go ahead).
// Every attempt gets a decision: Redis's, or — while Redis cannot answer in time — this
// process's own counts (limiter), so a guesser is stopped at its limit either way. Were both to
// fail, the attempt is refused for a second rather than let through (docs/SECURITY.md).
func (s *Service) admit(ctx context.Context, k loginKeys) time.Duration {
	if s.Throttle == nil {
		return 0
	}
	l, t := s.limits(), s.limiter()
	wait, err := t.Blocked(ctx, k.slow, 1)
	if err == nil && wait == 0 {
		wait, err = t.Take(ctx, k.ip, l.PerIP, l.Window)
		if err == nil && wait == 0 {
			if wait, err = t.Take(ctx, k.source, l.PerSource, l.Window); wait > 0 {
				// The address is over its limit for this account only; give back its address-wide
				// count so a shared office address is not blocked for every account as well.
				_ = t.Forgive(ctx, k.ip)
			}
		}
	}
	if err != nil {
		s.Log.ErrorContext(ctx, "login limits could not decide: attempt refused", "err", err)
		return time.Second
	}
	return wait
}

// failed counts a wrong password against the account. Past PerAccount failures the account is
// under attack: the failing address then waits 2^n seconds (n: its own failures) before its
// next attempt, while addresses that have not failed are not slowed.
func (s *Service) failed(ctx context.Context, k loginKeys) {
	if s.Throttle == nil {
		return
	}
	l, t := s.limits(), s.limiter()
	n, err := t.Hit(ctx, k.account, l.Window)
	if err != nil {
		s.Log.ErrorContext(ctx, "login throttle unavailable", "err", err)
		return
	}
	if n == l.PerAccount {
		s.Log.WarnContext(ctx, "account under attack: failing addresses are slowed", "account", k.account, "failures", n)
	}
	if n < l.PerAccount {
		return
	}
	own, err := t.Hit(ctx, k.slow+":n", l.Window)
	if err != nil {
		return
	}
	delay := min(time.Duration(1<<min(own, 20))*time.Second, l.Window)
	if _, err := t.Hit(ctx, k.slow, delay); err != nil {
		s.Log.ErrorContext(ctx, "login throttle unavailable", "err", err)
	}
}

// known reports whether the account logged in from the address within KnownFor: such attempts
// may use the gate's reserved slot, so staff at their usual desk get in while a flood from many
// addresses fills the others. Only the account's own success makes a pair known, so an attacker
// cannot get there, and the answer does not depend on whether the username exists. The login
// log in MySQL is the record (knownPairs, read without touching Redis); Redis's keys add
// another instance's successes since this one last read it.
func (s *Service) known(ctx context.Context, name string, m Meta, k loginKeys) bool {
	if s.Throttle == nil {
		return false
	}
	if s.pairs().has(ctx, name, m.IP, s.now()) {
		return true
	}
	d, err := s.limiter().Blocked(ctx, k.known, 1)
	return err == nil && d > 0
}

func (s *Service) pairs() *knownPairs {
	s.pairsOnce.Do(func() { s.knownPairs = &knownPairs{log: s.LoginLog, every: knownReload, max: knownMax} })
	return s.knownPairs
}

// succeeded clears the source's count, gives back its attempt on the address, and marks the pair
// known, here at once and in Redis for the other instances.
func (s *Service) succeeded(ctx context.Context, name string, m Meta, k loginKeys) {
	if s.Throttle == nil {
		return
	}
	s.pairs().add(name, m.IP)
	t := s.limiter()
	if _, err := t.Hit(ctx, k.known, KnownFor); err != nil {
		s.Log.WarnContext(ctx, "known address not recorded", "err", err)
	}
	if err := t.Reset(ctx, k.source); err != nil {
		s.Log.WarnContext(ctx, "throttle reset failed", "err", err)
	}
	s.forgive(ctx, k)
}

// forgive gives back an attempt that was counted but never judged (the gate was full, the
// database failed): the caller did nothing wrong, so neither its address nor its (account,
// address) pair keeps the attempt — a user retrying through a busy spell is never locked out.
func (s *Service) forgive(ctx context.Context, k loginKeys) {
	if s.Throttle == nil {
		return
	}
	for _, key := range []string{k.ip, k.source} {
		if err := s.limiter().Forgive(ctx, key); err != nil {
			s.Log.WarnContext(ctx, "throttle forgive failed", "err", err)
		}
	}
}

// throttled notes a refused attempt. Only the first refusal of an address in a window becomes a
// login-log row (reason "throttled"); the rest are counted (here and in the HTTP metrics as 429s
// of auth.login), so an anonymous caller cannot grow the table.
func (s *Service) throttled(ctx context.Context, name string, m Meta, k loginKeys) {
	n, err := s.limiter().Hit(ctx, k.throttled, s.limits().Window)
	if err != nil || n == 1 {
		s.record(ctx, appraisal.LoginAttempt{Username: name, Reason: appraisal.LoginThrottled, IP: m.IP, UserAgent: m.UserAgent})
	}
}

func (s *Service) limits() Limits {
	l := s.Limits
	d := DefaultLimits
	if l.PerSource <= 0 {
		l.PerSource = d.PerSource
	}
	if l.PerIP <= 0 {
		l.PerIP = d.PerIP
	}
	if l.PerAccount <= 0 {
		l.PerAccount = max(d.PerAccount, 4*l.PerSource)
	}
	if l.Window <= 0 {
		l.Window = d.Window
	}
	return l
}

// Unlock clears every login limit on an account (an administrator's action after a lockout):
// its sources' counts and delays and its failure count. Address-wide limits stay: they are not
// the account's.
func (s *Service) Unlock(ctx context.Context, actor *appraisal.Principal, userID int64, a appraisal.AuditEntry) error {
	target, err := s.Users.UserByID(ctx, userID)
	if err != nil {
		return err
	}
	if err := CanManage(actor, target.Role); err != nil {
		return err
	}
	if s.Throttle != nil {
		if err := s.limiter().ResetPrefix(ctx, loginKeysFor(target.Username, "").prefix); err != nil {
			return err
		}
	}
	a = a.For("admin.users.unlock", "user", formatID(userID))
	if s.Audit == nil {
		return nil
	}
	return s.Audit.RecordAudit(ctx, a)
}

// Gate bounds the password hashes computed at once. A caller takes a slot, or waits for one
// while fewer than its queue bound are waiting and not longer than its wait; otherwise it is
// refused at once, without hashing. One more slot, with its own queue, is reserved for logins
// from an address the account has logged in from before (Service.known): a flood from many
// addresses fills the shared slots, not that one.
type Gate struct {
	slots, reserved       chan struct{}
	waiting, waitingKnown atomic.Int64
	queue                 int64
	wait                  time.Duration
	// peak is the most hashes ever in flight (tests and the benchmark read it).
	inFlight, peak atomic.Int64
}

// NewGate allows slots hashes at once (plus the reserved one) and queue callers waiting up to
// wait each (as many again for the reserved slot).
func NewGate(slots, queue int, wait time.Duration) *Gate {
	return &Gate{slots: make(chan struct{}, max(slots, 1)), reserved: make(chan struct{}, 1), queue: int64(max(queue, 0)), wait: wait}
}

// DefaultHashing is one hash per CPU (at least two) and the reserved one, eight waiting per slot,
// for at most two seconds: with argon2id at 19 MiB that is under 100 MiB for hashing on a
// two-core pod.
func DefaultHashing() *Gate {
	n := max(runtime.GOMAXPROCS(0), 2)
	return NewGate(n, 8*n, 2*time.Second)
}

// Peak reports the most hashes that were ever in flight at once.
func (g *Gate) Peak() int64 { return g.peak.Load() }

var errBusy = &appraisal.Error{Kind: appraisal.KindUnavailable, Code: "auth.busy",
	Message: "too many logins are being checked right now; try again in a moment", RetryAfter: time.Second}

func (g *Gate) enter(ctx context.Context, known bool) (func(), error) {
	took := func(c chan struct{}) (func(), error) {
		n := g.inFlight.Add(1)
		for p := g.peak.Load(); n > p && !g.peak.CompareAndSwap(p, n); p = g.peak.Load() {
		}
		return func() {
			g.inFlight.Add(-1)
			<-c
		}, nil
	}
	var reserved chan struct{} // nil (never ready) unless the caller may use it
	waiting := &g.waiting
	if known {
		reserved, waiting = g.reserved, &g.waitingKnown
	}
	select {
	case g.slots <- struct{}{}:
		return took(g.slots)
	case reserved <- struct{}{}:
		return took(reserved)
	default:
	}
	if waiting.Add(1) > g.queue {
		waiting.Add(-1)
		return nil, errBusy
	}
	defer waiting.Add(-1)
	t := time.NewTimer(g.wait)
	defer t.Stop()
	select {
	case g.slots <- struct{}{}:
		return took(g.slots)
	case reserved <- struct{}{}:
		return took(reserved)
	case <-t.C:
		return nil, errBusy
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (s *Service) gate() *Gate {
	s.gateOnce.Do(func() {
		if s.Hashing == nil {
			s.Hashing = DefaultHashing()
		}
	})
	return s.Hashing
}

// verify checks a password within the Hashing gate; a full gate is KindUnavailable (auth.busy).
// known callers may use the reserved slot.
func (s *Service) verify(ctx context.Context, pw, hash string, known bool) error {
	release, err := s.gate().enter(ctx, known)
	if err != nil {
		return err
	}
	defer release()
	return password.Verify(pw, hash)
}

// hash hashes a password within the Hashing gate.
func (s *Service) hash(ctx context.Context, pw string) (string, error) {
	release, err := s.gate().enter(ctx, true) // an authenticated caller setting a password
	if err != nil {
		return "", err
	}
	defer release()
	return password.Hash(pw, s.Password)
}
