package auth

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jianbao/admin/shared/appraisal"
)

// knownPairs is this process's copy of where staff log in from: the (account, address) pairs
// with a successful login within KnownFor, read from the login log in MySQL — the record that
// survives Redis losing its data — and topped up with this process's own successes at once.
// Deciding whether an attempt is known needs no Redis call, so a flood that keeps Redis busy
// cannot take the admin's reserved hashing slot away; Redis's known keys still carry another
// instance's fresh successes until the next reload here.
type knownPairs struct {
	log   appraisal.LoginLog
	every time.Duration // how stale the copy may get
	max   int           // pairs kept at most

	mu       sync.Mutex
	set      map[string]struct{}
	loadedAt time.Time
	loading  atomic.Bool
}

// knownReload and knownMax bound the copy: reloaded at most once a minute (one indexed query,
// whatever the traffic), at most 20,000 pairs (a few dozen staff at a few addresses each, many
// times over).
const (
	knownReload = time.Minute
	knownMax    = 20_000
)

func pairKey(username, ip string) string { return username + "\x00" + ip }

// has reports whether the pair is known. The first call loads the copy (bounded by ctx); later
// calls answer from it at once and reload it in the background when it is stale.
func (k *knownPairs) has(ctx context.Context, username, ip string, now time.Time) bool {
	k.mu.Lock()
	loaded, stale := !k.loadedAt.IsZero(), now.Sub(k.loadedAt) > k.every
	k.mu.Unlock()
	switch {
	case !loaded:
		k.reload(ctx, now)
	case stale && k.loading.CompareAndSwap(false, true):
		go func() {
			defer k.loading.Store(false)
			ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			defer cancel()
			k.reload(ctx, now)
		}()
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	_, ok := k.set[pairKey(username, ip)]
	return ok
}

// add records a success of this process at once.
func (k *knownPairs) add(username, ip string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.set == nil {
		k.set = map[string]struct{}{}
	}
	if len(k.set) < k.max {
		k.set[pairKey(username, ip)] = struct{}{}
	}
}

// reload replaces the copy with the login log's pairs; on failure the old copy stays (and is
// tried again after every).
func (k *knownPairs) reload(ctx context.Context, now time.Time) {
	pairs, err := k.log.KnownPairs(ctx, now.Add(-KnownFor), k.max)
	k.mu.Lock()
	defer k.mu.Unlock()
	k.loadedAt = now
	if err != nil {
		return
	}
	set := make(map[string]struct{}, len(pairs))
	for _, p := range pairs {
		set[pairKey(p.Username, p.IP)] = struct{}{}
	}
	k.set = set
}
