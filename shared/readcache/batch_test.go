package readcache

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// slowEpochs answers with the epoch as it was when the round trip began, after a delay: the worst
// a real round trip can do.
type slowEpochs struct {
	epoch atomic.Int64
	reads atomic.Int64
}

func (e *slowEpochs) Current(ctx context.Context, names ...string) ([]string, error) {
	e.reads.Add(1)
	v := strconv.FormatInt(e.epoch.Load(), 10)
	time.Sleep(time.Millisecond)
	out := make([]string, len(names))
	for i := range out {
		out[i] = v
	}
	return out, nil
}

func (e *slowEpochs) Bump(ctx context.Context, names ...string) error {
	e.epoch.Add(1)
	return nil
}

// TestBatchedEpochs: concurrent requests share round trips, and none is ever answered by a
// reading that began before its own write was done.
func TestBatchedEpochs(t *testing.T) {
	slow := &slowEpochs{}
	b := &batchedEpochs{Epochs: slow}
	ctx := context.Background()
	const workers, rounds = 16, 50
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range rounds {
				b.Bump(ctx, EpochOrders)
				after := slow.epoch.Load()
				v, err := b.Current(ctx, allEpochs...)
				if err != nil {
					t.Error(err)
					return
				}
				if got, _ := strconv.ParseInt(v[0], 10, 64); got < after {
					t.Errorf("read epoch %d after the write made it %d", got, after)
					return
				}
			}
		}()
	}
	wg.Wait()
	if n := slow.reads.Load(); n >= workers*rounds/2 {
		t.Errorf("%d requests made %d round trips: readings are not shared", workers*rounds, n)
	}
	t.Logf("%d requests, %d round trips", workers*rounds, slow.reads.Load())
}
