package media_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jianbao/admin/shared/appraisal"
	"github.com/jianbao/admin/shared/logs"
	"github.com/jianbao/admin/shared/media"
	"github.com/jianbao/admin/shared/media/mediatest"
)

// TestSweeperFindsWhatDeliveryLost: MySQL is the truth about what processing owes. Whatever
// state a lost event left a file in, the sweeper re-queues it — and nothing else.
func TestSweeperFindsWhatDeliveryLost(t *testing.T) {
	_, st, blobs := processors(t, 1)
	ctx := context.Background()
	a := appraisal.AuditEntry{Action: "test", TargetType: "media"}
	row := func(name string, status appraisal.MediaStatus, stored bool) *appraisal.Media {
		t.Helper()
		m := &appraisal.Media{Key: "originals/2026/11/" + name, Kind: appraisal.MediaImage, Status: status}
		if err := st.CreateMedia(ctx, m, a); err != nil {
			t.Fatal(err)
		}
		if stored {
			blobs.Put(ctx, m.Key, strings.NewReader("x"), 1, "image/jpeg")
		}
		return m
	}
	now := time.Now()
	fail := func(m *appraisal.Media, times int) {
		for range times {
			if ok, _, err := st.ClaimMedia(ctx, m.ID, "w", now, now.Add(time.Minute)); !ok || err != nil {
				t.Fatalf("claim: %v %v", ok, err)
			}
			if err := st.CompleteMedia(ctx, m.ID, "w", appraisal.MediaResult{Status: appraisal.MediaFailed}, now); err != nil {
				t.Fatal(err)
			}
		}
	}
	uploadedNoEvent := row("pending-stored.jpg", appraisal.MediaPendingUpload, true)
	row("pending-abandoned.jpg", appraisal.MediaPendingUpload, false)
	requeued := row("uploaded.jpg", appraisal.MediaUploaded, true)
	crashed := row("crashed.jpg", appraisal.MediaUploaded, true)
	if ok, _, err := st.ClaimMedia(ctx, crashed.ID, "dead-worker", now, now.Add(time.Second)); !ok || err != nil {
		t.Fatalf("claim: %v %v", ok, err)
	}
	held := row("held.jpg", appraisal.MediaUploaded, true)
	if ok, _, err := st.ClaimMedia(ctx, held.ID, "live-worker", now, now.Add(time.Hour)); !ok || err != nil {
		t.Fatalf("claim: %v %v", ok, err)
	}
	retry := row("failed-once.jpg", appraisal.MediaUploaded, true)
	fail(retry, 1)
	givenUp := row("failed-thrice.jpg", appraisal.MediaUploaded, true)
	fail(givenUp, 3)

	var mu sync.Mutex
	var got []string
	s := &media.Sweeper{Store: st, Blobs: blobs, MaxAttempts: 3, Log: logs.Discard(),
		Now: func() time.Time { return now.Add(2 * time.Minute) },
		Dispatch: func(_ context.Context, key string) error {
			mu.Lock()
			defer mu.Unlock()
			got = append(got, key)
			return nil
		}}
	n, err := s.Sweep(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{uploadedNoEvent.Key, requeued.Key, crashed.Key, retry.Key}
	slices.Sort(got)
	slices.Sort(want)
	if n != len(want) || !slices.Equal(got, want) {
		t.Fatalf("re-queued %v (%d), want %v", got, n, want)
	}
	// Nothing is re-queued before it had time to be delivered normally.
	got = nil
	s.Now = func() time.Time { return now.Add(10 * time.Second) }
	if _, err := s.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	if slices.Contains(got, requeued.Key) || slices.Contains(got, uploadedNoEvent.Key) {
		t.Fatalf("re-queued files still within their delivery time: %v", got)
	}
}

// gatedBlobs holds every rendition write until released: a job that takes as long as the test
// wants, like a long video.
type gatedBlobs struct {
	appraisal.BlobStore
	release chan struct{}
}

func (g gatedBlobs) Put(ctx context.Context, key string, r io.Reader, size int64, ct string) error {
	if strings.HasPrefix(key, media.Derived) {
		<-g.release
	}
	return g.BlobStore.Put(ctx, key, r, size, ct)
}

// TestLeaseIsRenewedWhileWorking: a job that runs many lease lengths keeps its lease, renewed by
// its live worker, so another worker never takes it over; it finishes once, by its worker.
func TestLeaseIsRenewedWhileWorking(t *testing.T) {
	ps, st, blobs := processors(t, 2)
	ctx := context.Background()
	gate := gatedBlobs{BlobStore: blobs, release: make(chan struct{})}
	var renewals atomic.Int64
	for _, p := range ps {
		p.Blobs = gate
		p.Lease = 150 * time.Millisecond
		p.OnRenew = func(int64) { renewals.Add(1) }
	}
	key := "originals/2026/11/long.jpg"
	img := mediatest.JPEG(t, 640, 480, 0)
	blobs.Put(ctx, key, bytes.NewReader(img), int64(len(img)), "image/jpeg")
	done := make(chan error, 1)
	go func() { done <- ps[0].Handle(ctx, key) }()
	// Wait for several renewals: the job has outlived its lease more than once by then.
	for renewals.Load() < 4 {
		select {
		case err := <-done:
			t.Fatalf("the job ended before it was released: %v", err)
		case <-time.After(10 * time.Millisecond):
		}
	}
	if err := ps[1].Handle(ctx, key); !errors.Is(err, media.ErrBusy) {
		t.Fatalf("another worker during a renewed lease: %v, want ErrBusy", err)
	}
	close(gate.release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	m, _ := st.MediaByKey(ctx, key)
	if m.Status != appraisal.MediaReady || m.Attempts != 1 {
		t.Fatalf("after the long job: %s, %d attempts", m.Status, m.Attempts)
	}
}

// TestCrashedJobIsTakenOverBySweep: a worker claimed a file and died (no renewals). Once its
// lease has run out, the sweeper hands the file to processing again and another worker finishes
// it — a lease after the crash, not a quarter of an hour.
func TestCrashedJobIsTakenOverBySweep(t *testing.T) {
	ps, st, blobs := processors(t, 1)
	ctx := context.Background()
	key := "originals/2026/11/orphan.jpg"
	img := mediatest.JPEG(t, 320, 240, 0)
	blobs.Put(ctx, key, bytes.NewReader(img), int64(len(img)), "image/jpeg")
	m := &appraisal.Media{Key: key, Kind: appraisal.MediaImage, Status: appraisal.MediaUploaded}
	if err := st.CreateMedia(ctx, m, appraisal.AuditEntry{Action: "test", TargetType: "media"}); err != nil {
		t.Fatal(err)
	}
	crash := time.Now()
	if ok, _, err := st.ClaimMedia(ctx, m.ID, "crashed-worker", crash, crash.Add(media.DefaultLease)); !ok || err != nil {
		t.Fatalf("claim: %v %v", ok, err)
	}
	s := &media.Sweeper{Store: st, Blobs: blobs, MaxAttempts: 3, Log: logs.Discard(), Dispatch: ps[0].Handle}
	s.Now = func() time.Time { return crash.Add(media.DefaultLease / 2) }
	if n, _ := s.Sweep(ctx); n != 0 {
		t.Fatalf("swept %d while the lease lives", n)
	}
	s.Now = func() time.Time { return crash.Add(media.DefaultLease + time.Second) }
	// The processor's own clock must also see the lease as run out.
	ps[0].Now = s.Now
	if n, err := s.Sweep(ctx); n != 1 || err != nil {
		t.Fatalf("swept %d (%v) after the lease ran out, want 1", n, err)
	}
	got, _ := st.Media(ctx, m.ID)
	if got.Status != appraisal.MediaReady || got.Attempts != 2 {
		t.Fatalf("after the takeover: %s, %d attempts", got.Status, got.Attempts)
	}
}
