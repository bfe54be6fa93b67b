package readcache

import (
	"context"
	"slices"
	"sync"
)

// batchedEpochs shares readings of the epochs between concurrent requests. A request may not
// use a reading that began before it did (a write could have committed in between), but it may
// use any reading that begins after it: so while one reading is in flight, the requests that
// arrive wait for the next one, and that one reading serves them all. Alone, a request waits
// for its own round trip as before; under load, one round trip serves every request that arrived
// during the previous one, and Redis sees a fraction of the reads.
type batchedEpochs struct {
	Epochs
	mu       sync.Mutex
	inflight bool
	next     *reading // the reading the requests arriving now will share
}

// reading is one round trip's answer, for every request that joined it.
type reading struct {
	names []string
	done  chan struct{}
	vals  []string
	err   error
}

func (b *batchedEpochs) Current(ctx context.Context, names ...string) ([]string, error) {
	b.mu.Lock()
	if b.next != nil && !slices.Equal(b.next.names, names) {
		// Only readings of the same epochs are shared (the store always reads them all).
		b.mu.Unlock()
		return b.Epochs.Current(ctx, names...)
	}
	if b.next == nil {
		b.next = &reading{names: names, done: make(chan struct{})}
	}
	r := b.next
	if !b.inflight {
		b.inflight = true
		b.next = nil
		b.mu.Unlock()
		b.read(ctx, r)
	} else {
		b.mu.Unlock()
	}
	select {
	case <-r.done:
		return r.vals, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// read makes reading r, then starts the reading that requests joined meanwhile, if any. The round
// trip serves many requests, so one caller giving up does not cancel it.
func (b *batchedEpochs) read(ctx context.Context, r *reading) {
	r.vals, r.err = b.Epochs.Current(context.WithoutCancel(ctx), r.names...)
	close(r.done)
	b.mu.Lock()
	next := b.next
	b.next = nil
	if next == nil {
		b.inflight = false
	}
	b.mu.Unlock()
	if next != nil {
		go b.read(ctx, next)
	}
}
