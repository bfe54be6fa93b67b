package media_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jianbao/admin/shared/appraisal"
	"github.com/jianbao/admin/shared/localstore"
	"github.com/jianbao/admin/shared/logs"
	"github.com/jianbao/admin/shared/media"
	"github.com/jianbao/admin/shared/media/mediatest"
	"github.com/jianbao/admin/shared/mysql"
	"github.com/jianbao/admin/shared/redis"
	"github.com/jianbao/admin/shared/testenv"
)

func processors(t *testing.T, n int) ([]*media.Processor, *mysql.Store, *localstore.Store) {
	return newProcessors(t, n)
}

func processorsB(b *testing.B) (*media.Processor, *mysql.Store, *localstore.Store) {
	ps, st, blobs := newProcessors(b, 1)
	return ps[0], st, blobs
}

func newProcessors(t testing.TB, n int) ([]*media.Processor, *mysql.Store, *localstore.Store) {
	t.Helper()
	tools := ffmpeg(t)
	d := testenv.MySQL(t)
	if _, err := mysql.Migrate(context.Background(), d.DB, logs.Discard()); err != nil {
		t.Fatal(err)
	}
	st := mysql.NewStore(d.DB)
	blobs, err := localstore.New(t.TempDir(), "http://unused", []byte(strings.Repeat("k", 32)))
	if err != nil {
		t.Fatal(err)
	}
	var ps []*media.Processor
	for i := range n {
		ps = append(ps, &media.Processor{Blobs: blobs, Store: st, Log: logs.Discard(), Worker: "w" + string(rune('a'+i)),
			Lease: time.Minute, MaxAttempts: 3, Limits: media.Limits{MaxImageBytes: 30 << 20, MaxVideoBytes: 1 << 30},
			Image: media.ImageOptions{Sizes: media.DefaultSizes, Quality: 82, MaxPixels: 50_000_000, FFmpeg: tools.FFmpeg},
			Video: media.VideoOptions{Tools: tools, MaxDuration: time.Minute, Preset: "veryfast", CRF: 23}})
	}
	return ps, st, blobs
}

// TestRacingWorkers: two workers get the same asset at once; one processes it, the other
// backs off (ErrBusy, for a retry) or finds it done.
func TestRacingWorkers(t *testing.T) {
	ps, st, blobs := processors(t, 2)
	ctx := context.Background()
	key := "originals/2026/11/race.jpg"
	img := mediatest.JPEG(t, 2000, 1500, 0)
	blobs.Put(ctx, key, bytes.NewReader(img), int64(len(img)), "image/jpeg")
	errs := make([]error, len(ps))
	var wg sync.WaitGroup
	for i, p := range ps {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = p.Handle(ctx, key) }()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil && !errors.Is(err, media.ErrBusy) {
			t.Fatalf("worker error: %v", err)
		}
	}
	m, err := st.MediaByKey(ctx, key)
	if err != nil || m.Status != appraisal.MediaReady || m.Attempts != 1 {
		t.Fatalf("after the race: %+v %v", m, err)
	}
	// A late duplicate does nothing.
	if err := ps[0].Handle(ctx, key); err != nil {
		t.Fatal(err)
	}
	if again, _ := st.MediaByKey(ctx, key); again.Attempts != 1 || !again.ProcessedAt.Equal(*m.ProcessedAt) {
		t.Fatalf("a duplicate reprocessed the asset: %+v", again)
	}
}

// TestExpiredLeaseIsTakenOver: a worker that claimed an asset and died leaves a lease; once it
// expires, another worker takes the asset over and finishes it.
func TestExpiredLeaseIsTakenOver(t *testing.T) {
	ps, st, blobs := processors(t, 1)
	ctx := context.Background()
	key := "originals/2026/11/crash.jpg"
	img := mediatest.JPEG(t, 640, 480, 0)
	blobs.Put(ctx, key, bytes.NewReader(img), int64(len(img)), "image/jpeg")
	m := &appraisal.Media{Key: key, Kind: appraisal.MediaImage, Status: appraisal.MediaUploaded}
	if err := st.CreateMedia(ctx, m, appraisal.AuditEntry{Action: "test", TargetType: "media"}); err != nil {
		t.Fatal(err)
	}
	t0 := time.Now()
	expiry := t0.Add(300 * time.Millisecond)
	if ok, _, err := st.ClaimMedia(ctx, m.ID, "dead-worker", t0, expiry); !ok || err != nil {
		t.Fatalf("claim: %v %v", ok, err)
	}
	// While the lease lives the job is busy — judged only if it still lived when the answer came,
	// so a slow machine cannot fail this.
	if err := ps[0].Handle(ctx, key); !errors.Is(err, media.ErrBusy) && time.Now().Before(expiry) {
		t.Fatalf("while the lease lives: %v", err)
	}
	time.Sleep(time.Until(expiry) + 10*time.Millisecond)
	if err := ps[0].Handle(ctx, key); err != nil {
		t.Fatal(err)
	}
	if got, _ := st.Media(ctx, m.ID); got.Status != appraisal.MediaReady || got.Attempts != 2 {
		t.Fatalf("after the takeover: %+v", got)
	}
	if err := st.CompleteMedia(ctx, m.ID, "dead-worker", appraisal.MediaResult{Status: appraisal.MediaFailed}, time.Now()); appraisal.KindOf(err) != appraisal.KindConflict {
		t.Fatalf("the dead worker's late completion must be refused: %v", err)
	}
}

// TestBadInputsLeaveNothing: each bad file ends REJECTED with a reason and nothing under derived/.
func TestBadInputsLeaveNothing(t *testing.T) {
	ps, st, blobs := processors(t, 1)
	tools := ffmpeg(t)
	ctx := context.Background()
	dir := t.TempDir()
	good := mediatest.JPEG(t, 64, 64, 0)
	audio := mediatest.Video(t, tools.FFmpeg, dir, "audio.mp4", "-f", "lavfi", "-i", "sine=duration=1", "-c:a", "aac")
	long := mediatest.Video(t, tools.FFmpeg, dir, "long.mp4", "-f", "lavfi", "-i", "testsrc=size=160x120:rate=5:duration=65",
		"-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p")
	read := func(p string) []byte { b, _ := os.ReadFile(p); return b }
	cases := map[string][]byte{
		"zero.jpg":      {},
		"truncated.jpg": good[:len(good)/2],
		"text.jpg":      []byte("definitely not a photo"),
		"bomb.png":      mediatest.HugePNG(60000, 60000),
		"audio.mp4":     read(audio),
		"long.mp4":      read(long),
	}
	codes := map[string]string{"zero.jpg": appraisal.ReasonEmpty, "truncated.jpg": appraisal.ReasonDamaged, "text.jpg": appraisal.ReasonUnsupported,
		"bomb.png": appraisal.ReasonTooManyPixels, "audio.mp4": appraisal.ReasonNoVideo, "long.mp4": appraisal.ReasonTooLong}
	for name, data := range cases {
		t.Run(name, func(t *testing.T) {
			key := "originals/2026/11/" + name
			blobs.Put(ctx, key, bytes.NewReader(data), int64(len(data)), "")
			if err := ps[0].Handle(ctx, key); err != nil {
				t.Fatal(err)
			}
			m, err := st.MediaByKey(ctx, key)
			if err != nil || m.Status != appraisal.MediaRejected || m.Reason == "" || m.ReasonCode != codes[name] {
				t.Fatalf("%+v %v, want reason code %q", m, err, codes[name])
			}
			if _, ok := appraisal.ReasonText[m.ReasonCode]; !ok {
				t.Fatalf("reason code %q has no text", m.ReasonCode)
			}
			if left, _ := blobs.List(ctx, "derived/"); len(left) != 0 {
				t.Fatalf("left under derived/: %v", left)
			}
		})
	}
}

// TestDeclarationsAreEnforced: the bytes must be what the upload session declared. A video sent
// as a photo, a photo sent as a video, or a file of another size ends REJECTED with its code (a
// store that checks the length at upload makes the last one rare; processing checks anyway).
func TestDeclarationsAreEnforced(t *testing.T) {
	ps, st, blobs := processors(t, 1)
	tools := ffmpeg(t)
	ctx := context.Background()
	jpg := mediatest.JPEG(t, 64, 64, 0)
	mp4, _ := os.ReadFile(mediatest.Video(t, tools.FFmpeg, t.TempDir(), "v.mp4", "-f", "lavfi", "-i", "testsrc=size=160x120:rate=5:duration=1",
		"-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"))
	cases := []struct {
		name     string
		kind     appraisal.MediaKind
		declared int64
		data     []byte
		want     string
	}{
		{"video as image", appraisal.MediaImage, int64(len(mp4)), mp4, appraisal.ReasonKindMismatch},
		{"image as video", appraisal.MediaVideo, int64(len(jpg)), jpg, appraisal.ReasonKindMismatch},
		{"larger than declared", appraisal.MediaImage, 1000, jpg, appraisal.ReasonSizeMismatch},
		{"as declared", appraisal.MediaImage, int64(len(jpg)), jpg, ""},
	}
	for i, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			key := fmt.Sprintf("originals/2026/11/declared-%d", i)
			m := &appraisal.Media{Key: key, Kind: tt.kind, Size: tt.declared, Status: appraisal.MediaUploaded}
			if err := st.CreateMedia(ctx, m, appraisal.AuditEntry{Action: "test", TargetType: "media"}); err != nil {
				t.Fatal(err)
			}
			blobs.Put(ctx, key, bytes.NewReader(tt.data), int64(len(tt.data)), "")
			if err := ps[0].Handle(ctx, key); err != nil {
				t.Fatal(err)
			}
			got, _ := st.Media(ctx, m.ID)
			if tt.want == "" {
				if got.Status != appraisal.MediaReady || got.Kind != tt.kind {
					t.Fatalf("%+v", got)
				}
				return
			}
			if got.Status != appraisal.MediaRejected || got.ReasonCode != tt.want || got.Kind != tt.kind {
				t.Fatalf("status %s code %q kind %s, want REJECTED %q", got.Status, got.ReasonCode, got.Kind, tt.want)
			}
			if left, _ := blobs.List(ctx, media.Derived+strconv.FormatInt(m.ID, 10)+"/"); len(left) != 0 {
				t.Fatalf("renditions of a rejected file: %v", left)
			}
		})
	}
}

// TestReplacedOriginalIsDetected: the upload URL refuses a second PUT; should an original still
// change after processing (a store that failed to refuse), the next event for its key raises
// the alarm, and the record keeps what was processed.
func TestReplacedOriginalIsDetected(t *testing.T) {
	ps, st, blobs := processors(t, 1)
	n := &notices{}
	ps[0].Notify = n
	ctx := context.Background()
	key := "originals/2026/11/evidence.jpg"
	first, second := mediatest.JPEG(t, 320, 240, 0), mediatest.JPEG(t, 322, 240, 0)
	blobs.Put(ctx, key, bytes.NewReader(first), int64(len(first)), "image/jpeg")
	if err := ps[0].Handle(ctx, key); err != nil {
		t.Fatal(err)
	}
	m, _ := st.MediaByKey(ctx, key)
	if m.Status != appraisal.MediaReady || m.OriginalETag == "" {
		t.Fatalf("processed: %+v", m)
	}
	// The same bytes again (a COS self-copy to reprocess) is no alarm.
	if err := ps[0].Handle(ctx, key); err != nil || len(n.got()) != 0 {
		t.Fatalf("a duplicate event raised %v (%v)", n.got(), err)
	}
	blobs.Put(ctx, key, bytes.NewReader(second), int64(len(second)), "image/jpeg")
	if err := ps[0].Handle(ctx, key); err != nil {
		t.Fatal(err)
	}
	got := n.got()
	if len(got) != 1 || !strings.Contains(got[0], "被替换") {
		t.Fatalf("notices after a replacement: %v", got)
	}
	after, _ := st.Media(ctx, m.ID)
	if after.SHA256 != m.SHA256 || after.Status != appraisal.MediaReady {
		t.Fatalf("the record changed: %+v", after)
	}
}

// flakyBlobs fails every write under derived/, as an outage would.
type flakyBlobs struct{ appraisal.BlobStore }

func (f flakyBlobs) Put(ctx context.Context, key string, r io.Reader, size int64, ct string) error {
	if strings.HasPrefix(key, media.Derived) {
		return appraisal.E(appraisal.KindUnavailable, "storage.unavailable", "COS is down")
	}
	return f.BlobStore.Put(ctx, key, r, size, ct)
}

type notices struct {
	mu   sync.Mutex
	sent []string
}

func (n *notices) Notify(_ context.Context, title, text string) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.sent = append(n.sent, title+": "+text)
	return nil
}

func (n *notices) got() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]string(nil), n.sent...)
}

// TestTransientFailures: a storage outage ends FAILED and asks for a retry until the last
// attempt, which tells the WeCom group and stops.
func TestTransientFailures(t *testing.T) {
	ps, st, blobs := processors(t, 1)
	p := ps[0]
	p.Blobs = flakyBlobs{blobs}
	p.MaxAttempts = 2
	n := &notices{}
	p.Notify = n
	ctx := context.Background()
	key := "originals/2026/11/outage.jpg"
	img := mediatest.JPEG(t, 640, 480, 0)
	blobs.Put(ctx, key, bytes.NewReader(img), int64(len(img)), "image/jpeg")

	if err := p.Handle(ctx, key); err == nil {
		t.Fatal("the first failure must ask for a retry")
	}
	m, _ := st.MediaByKey(ctx, key)
	if m.Status != appraisal.MediaFailed || m.Attempts != 1 || !strings.Contains(m.Reason, "COS is down") || len(n.sent) != 0 {
		t.Fatalf("after attempt 1: %+v, notices %v", m, n.sent)
	}
	if err := p.Handle(ctx, key); err != nil {
		t.Fatalf("the last attempt gives up quietly: %v", err)
	}
	m, _ = st.MediaByKey(ctx, key)
	if m.Status != appraisal.MediaFailed || m.Attempts != 2 || len(n.sent) != 1 || !strings.Contains(n.sent[0], "outage.jpg") {
		t.Fatalf("after the last attempt: %+v, notices %v", m, n.sent)
	}
	if left, _ := blobs.List(ctx, media.Derived); len(left) != 0 {
		t.Fatalf("partial renditions left: %v", left)
	}
}

// TestCrashRecoveryOnTheStream: worker A takes an asset from the stream, claims it and dies.
// Worker B reclaims the stream entry, waits out A's lease, and finishes the asset.
func TestCrashRecoveryOnTheStream(t *testing.T) {
	ps, st, blobs := processors(t, 1)
	r := testenv.Redis(t)
	q := redis.NewQueue(r.Client, r.Prefix+"media", "workers")
	q.MinIdle, q.Block, q.Log = 200*time.Millisecond, 50*time.Millisecond, logs.Discard()
	ctx := context.Background()
	key := "originals/2026/11/crash-stream.jpg"
	img := mediatest.JPEG(t, 800, 600, 0)
	blobs.Put(ctx, key, bytes.NewReader(img), int64(len(img)), "image/jpeg")
	m := &appraisal.Media{Key: key, Kind: appraisal.MediaImage, Status: appraisal.MediaUploaded}
	if err := st.CreateMedia(ctx, m, appraisal.AuditEntry{Action: "test", TargetType: "media"}); err != nil {
		t.Fatal(err)
	}
	if err := q.Publish(ctx, key); err != nil {
		t.Fatal(err)
	}

	// A: takes the entry, claims the asset for a short lease, and dies before finishing.
	actx, die := context.WithCancel(ctx)
	q.Work(actx, "worker-a", func(_ context.Context, k string) error {
		now := time.Now()
		st.ClaimMedia(ctx, m.ID, "worker-a", now, now.Add(500*time.Millisecond))
		die()
		return errors.New("killed")
	})

	// B: the real processor.
	bctx, stop := context.WithTimeout(ctx, 20*time.Second)
	defer stop()
	go q.Work(bctx, "worker-b", func(ctx context.Context, k string) error {
		err := ps[0].Handle(ctx, k)
		if err == nil {
			stop()
		}
		return err
	})
	<-bctx.Done()
	got, _ := st.Media(ctx, m.ID)
	if got.Status != appraisal.MediaReady || got.Attempts != 2 || len(got.Renditions) != 6 {
		t.Fatalf("after the crash: %+v", got)
	}
	// The acknowledgement follows the handler's return: give it a moment.
	for i := 0; ; i++ {
		_, pending, _ := q.Depth(ctx)
		if pending == 0 {
			break
		}
		if i == 50 {
			t.Fatalf("%d entries still pending", pending)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
