package media

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/disintegration/imaging"

	"github.com/jianbao/admin/shared/appraisal"
)

// Watched is the prefix uploads land under and triggers watch. Renditions go under Derived, so
// writing them never triggers processing again.
const (
	Watched = "originals/"
	Derived = "derived/"
)

// Notifier tells people about assets that failed for good (a WeCom group robot).
type Notifier interface {
	Notify(ctx context.Context, title, text string) error
}

// Limits bound what is processed at all.
type Limits struct {
	MaxImageBytes int64
	MaxVideoBytes int64
}

// Processor turns one uploaded original into renditions and records the outcome. The COS trigger
// functions and the shim's stream workers both call Handle.
type Processor struct {
	Blobs       appraisal.BlobStore
	Store       appraisal.MediaStore
	Notify      Notifier // nil: nobody is told
	Log         *slog.Logger
	Worker      string        // this process, for the lease
	Lease       time.Duration // how long a claim holds unrenewed before another worker may take over (DefaultLease)
	MaxAttempts int           // failures before people are told
	Limits      Limits
	Image       ImageOptions
	Video       VideoOptions
	Now         func() time.Time
	// Observe, if set, sees every finished job (metrics).
	Observe func(kind, result string, took time.Duration)
	// OnRenew, if set, is told of every lease renewal (tests).
	OnRenew func(id int64)
}

func (p *Processor) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}

// Handle processes the object at key once. A duplicate or late event, or one for an asset another
// worker holds, does nothing. Bad input ends REJECTED and returns nil; trouble worth a retry ends
// FAILED and returns the error, so the caller's delivery retries it.
func (p *Processor) Handle(ctx context.Context, key string) error {
	if !strings.HasPrefix(key, Watched) {
		p.Log.WarnContext(ctx, "media event outside the watched prefix ignored", "key", key)
		return nil
	}
	dir, err := os.MkdirTemp("", "media-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	m, err := p.Store.MediaByKey(ctx, key)
	var local, etag string
	if appraisal.IsKind(err, appraisal.KindNotFound) {
		// Uploaded outside the API: give it a row, owned by nobody, so nothing goes unseen.
		if local, etag, err = p.download(ctx, key, dir); err != nil {
			return err
		}
		if m, err = p.adopt(ctx, key, local); err != nil {
			return err
		}
	} else if err != nil {
		return err
	}

	lease := p.lease()
	t := p.now()
	ok, m, err := p.Store.ClaimMedia(ctx, m.ID, p.Worker, t, t.Add(lease))
	if err != nil {
		return err
	}
	if !ok {
		if m.Status == appraisal.MediaReady || m.Status == appraisal.MediaRejected {
			p.checkOriginal(ctx, m)
		}
		if m.Status == appraisal.MediaProcessing {
			// Another worker holds a live lease. Ask for a retry rather than drop the event: if
			// that worker died, its lease expires and the retry finishes the job.
			return ErrBusy
		}
		p.Log.InfoContext(ctx, "media event ignored: already done", "media_id", m.ID, "status", m.Status)
		return nil
	}
	// Keep the lease while working: a crashed worker's job is taken over a lease after its last
	// renewal, and a long video on a live worker is never taken from it.
	ctx, stopRenewing := p.renew(ctx, m.ID, lease)
	defer stopRenewing()
	start := time.Now()
	var written []string
	res, err := p.process(ctx, m, key, dir, local, etag, &written)
	if errors.Is(context.Cause(ctx), errLeaseLost) {
		// The job is another worker's now: it writes the same renditions and records the result,
		// so leave both to it (deleting "partial" files here would delete its work).
		return nil
	}
	if rej, bad := IsRejection(err); bad {
		res = appraisal.MediaResult{Status: appraisal.MediaRejected, Reason: rej.Reason, ReasonCode: rej.Code, SHA256: res.SHA256, Size: res.Size, OriginalETag: res.OriginalETag}
		err = nil
	} else if err != nil {
		res = appraisal.MediaResult{Status: appraisal.MediaFailed, Reason: truncateReason(err.Error()), ReasonCode: appraisal.ReasonFailed, SHA256: res.SHA256, Size: res.Size, OriginalETag: res.OriginalETag}
	}
	if res.Status != appraisal.MediaReady {
		// Nothing partial stays under derived/.
		for _, k := range written {
			if derr := p.Blobs.Delete(context.WithoutCancel(ctx), k); derr != nil {
				p.Log.ErrorContext(ctx, "partial rendition not removed", "key", k, "err", derr)
			}
		}
	}
	if cerr := p.Store.CompleteMedia(context.WithoutCancel(ctx), m.ID, p.Worker, res, p.now()); cerr != nil {
		return cerr
	}
	p.Log.InfoContext(ctx, "media processed", "media_id", m.ID, "kind", m.Kind, "result", res.Status, "reason_code", res.ReasonCode, "reason", res.Reason,
		"attempt", m.Attempts, "duration_ms", time.Since(start).Milliseconds())
	if p.Observe != nil {
		p.Observe(string(m.Kind), string(res.Status), time.Since(start))
	}
	if res.Status == appraisal.MediaFailed {
		if m.Attempts < p.MaxAttempts {
			return err // retried by the delivery
		}
		// The last attempt: tell people, and stop retrying. The asset stays FAILED with its
		// reason; reprocess starts it again.
		if p.Notify != nil {
			text := fmt.Sprintf("媒体 %d（%s）处理失败 %d 次：%s", m.ID, key, m.Attempts, res.Reason)
			if nerr := p.Notify.Notify(context.WithoutCancel(ctx), "媒体处理失败", text); nerr != nil {
				p.Log.ErrorContext(ctx, "failure notice not sent", "err", nerr)
			}
		}
	}
	return nil
}

// DefaultLease is how long a claim holds without renewal; the worker renews it every third of it.
const DefaultLease = time.Minute

func (p *Processor) lease() time.Duration {
	if p.Lease > 0 {
		return p.Lease
	}
	return DefaultLease
}

// renew extends the lease every third of its length until stop is called. When the lease is lost
// (this worker stalled past it and another took the asset over), the returned context is
// cancelled: the work is the other worker's now, and its result is the one recorded.
func (p *Processor) renew(ctx context.Context, id int64, lease time.Duration) (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(ctx)
	done := make(chan struct{})
	go func() {
		tick := time.NewTicker(lease / 3)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				ok, err := p.Store.RenewMediaLease(context.WithoutCancel(ctx), id, p.Worker, p.now().Add(lease))
				switch {
				case err != nil:
					// Try again at the next tick: the lease still has two thirds to run.
					p.Log.WarnContext(ctx, "media lease not renewed", "media_id", id, "err", err)
				case !ok:
					p.Log.ErrorContext(ctx, "media lease lost: another worker took the job over", "media_id", id)
					cancel(errLeaseLost)
					return
				default:
					if p.OnRenew != nil {
						p.OnRenew(id)
					}
				}
			}
		}
	}()
	return ctx, func() { close(done); cancel(nil) }
}

var errLeaseLost = errors.New("media: lease lost to another worker")

// ErrBusy means another worker holds the asset; the event should be delivered again later.
var ErrBusy = errors.New("media: another worker is processing the asset")

func truncateReason(s string) string {
	if r := []rune(s); len(r) > 250 {
		return string(r[:250])
	}
	return s
}

// adopt gives an object uploaded outside the API a row.
func (p *Processor) adopt(ctx context.Context, key, local string) (*appraisal.Media, error) {
	kind := appraisal.MediaImage
	if f, _ := sniffFile(local); f.IsVideo() {
		kind = appraisal.MediaVideo
	}
	st, _ := os.Stat(local)
	m := &appraisal.Media{Key: key, Kind: kind, Filename: filepath.Base(key), Status: appraisal.MediaUploaded, Size: st.Size()}
	err := p.Store.CreateMedia(ctx, m, appraisal.AuditEntry{Actor: appraisal.Actor{Username: "system"}, Action: "media.adopt", TargetType: "media"})
	if appraisal.IsKind(err, appraisal.KindConflict) {
		return p.Store.MediaByKey(ctx, key) // another delivery adopted it first
	}
	return m, err
}

func sniffFile(path string) (Format, error) {
	f, err := os.Open(path)
	if err != nil {
		return FormatUnknown, err
	}
	defer f.Close()
	head := make([]byte, 16)
	n, _ := io.ReadFull(f, head)
	return Sniff(head[:n]), nil
}

// download copies the original into dir. Storage trouble is transient; a missing object is too
// (the event can outrun the upload's visibility), and ends as a retry.
func (p *Processor) download(ctx context.Context, key, dir string) (path, etag string, err error) {
	rc, info, err := p.Blobs.Get(ctx, key)
	if err != nil {
		return "", "", fmt.Errorf("download %s: %w", key, err)
	}
	defer rc.Close()
	path = filepath.Join(dir, "original")
	f, err := os.Create(path)
	if err != nil {
		return "", "", err
	}
	limit := max(p.Limits.MaxImageBytes, p.Limits.MaxVideoBytes)
	n, err := io.Copy(f, io.LimitReader(rc, limit+1))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", "", fmt.Errorf("download %s: %w", key, err)
	}
	if n > limit {
		return path, info.ETag, reject(appraisal.ReasonTooLarge, "the file is larger than %d bytes", limit)
	}
	return path, info.ETag, nil
}

// checkOriginal looks at the stored original of a file already processed, when another event
// for its key arrives: an ETag other than the one processed means the original was replaced.
// The upload URL refuses overwrites (BlobStore.PresignPut); this is the alarm if that ever fails.
func (p *Processor) checkOriginal(ctx context.Context, m *appraisal.Media) {
	if m.OriginalETag == "" || m.OriginalRemovedAt != nil {
		return
	}
	info, err := p.Blobs.Head(ctx, m.Key)
	if err != nil || info.ETag == m.OriginalETag {
		return
	}
	p.Log.ErrorContext(ctx, "media original replaced after processing", "media_id", m.ID, "key", m.Key,
		"processed_etag", m.OriginalETag, "stored_etag", info.ETag, "reason_code", appraisal.ReasonOriginalChange)
	if p.Observe != nil {
		p.Observe(string(m.Kind), appraisal.ReasonOriginalChange, 0)
	}
	if p.Notify != nil {
		text := fmt.Sprintf("媒体 %d（%s）的原始文件在处理后被替换：处理时 ETag %s，现在 %s。记录保留的是处理时的 SHA-256 %s。",
			m.ID, m.Key, m.OriginalETag, info.ETag, m.SHA256)
		if err := p.Notify.Notify(context.WithoutCancel(ctx), "原始文件被替换", text); err != nil {
			p.Log.ErrorContext(ctx, "replacement notice not sent", "err", err)
		}
	}
}

func (p *Processor) process(ctx context.Context, m *appraisal.Media, key, dir, local, etag string, written *[]string) (appraisal.MediaResult, error) {
	var res appraisal.MediaResult
	if local == "" {
		var err error
		local, etag, err = p.download(ctx, key, dir)
		if err != nil {
			res.OriginalETag = etag
			return res, err
		}
	}
	res.OriginalETag = etag
	data, err := os.Open(local)
	if err != nil {
		return res, err
	}
	h := sha256.New()
	res.Size, err = io.Copy(h, data)
	data.Close()
	if err != nil {
		return res, err
	}
	res.SHA256 = hex.EncodeToString(h.Sum(nil))
	format, err := sniffFile(local)
	if err != nil {
		return res, err
	}
	// The bytes decide, never the declaration; a declaration the bytes contradict is refused, so
	// a record never says "image" over a video, and a session sized for 1 KB holds no 200 MB.
	kind := appraisal.MediaKind("")
	switch {
	case format.IsImage() || format == FormatHEIF:
		kind = appraisal.MediaImage
	case format.IsVideo():
		kind = appraisal.MediaVideo
	}
	switch {
	case kind != "" && m.Kind != "" && kind != m.Kind:
		return res, reject(appraisal.ReasonKindMismatch, "declared %s, but the bytes are %s (%s)", m.Kind, kind, format)
	case m.Size > 0 && res.Size != m.Size:
		return res, reject(appraisal.ReasonSizeMismatch, "declared %d bytes, stored %d", m.Size, res.Size)
	}
	switch {
	case res.Size == 0:
		return res, reject(appraisal.ReasonEmpty, "the file is empty")
	case format.IsImage() || format == FormatHEIF:
		if res.Size > p.Limits.MaxImageBytes {
			return res, reject(appraisal.ReasonTooLarge, "the image is larger than %d bytes", p.Limits.MaxImageBytes)
		}
		return p.image(ctx, m, local, res, written)
	case format.IsVideo():
		if res.Size > p.Limits.MaxVideoBytes {
			return res, reject(appraisal.ReasonTooLarge, "the video is larger than %d bytes", p.Limits.MaxVideoBytes)
		}
		return p.video(ctx, m, local, dir, res, written)
	}
	return res, reject(appraisal.ReasonUnsupported, "the file is neither a supported image nor a video")
}

func (p *Processor) image(ctx context.Context, m *appraisal.Media, local string, res appraisal.MediaResult, written *[]string) (appraisal.MediaResult, error) {
	data, err := os.ReadFile(local)
	if err != nil {
		return res, err
	}
	info, outs, err := ProcessImage(ctx, data, p.Image)
	if err != nil {
		return res, err
	}
	res.Width, res.Height = info.Width, info.Height
	return p.ready(ctx, m.ID, outs, res, written)
}

// ready stores the renditions and marks the result READY.
func (p *Processor) ready(ctx context.Context, id int64, outs []Output, res appraisal.MediaResult, written *[]string) (appraisal.MediaResult, error) {
	for _, o := range outs {
		r, err := p.put(ctx, id, o, written)
		if err != nil {
			return res, err
		}
		res.Renditions = append(res.Renditions, r)
	}
	res.Status = appraisal.MediaReady
	return res, nil
}

func (p *Processor) video(ctx context.Context, m *appraisal.Media, local, dir string, res appraisal.MediaResult, written *[]string) (appraisal.MediaResult, error) {
	probe, err := ProbeVideo(ctx, p.Video.Tools, local)
	if err != nil {
		return res, err
	}
	out, poster := filepath.Join(dir, "video.mp4"), filepath.Join(dir, "poster.jpg")
	if err := TranscodeVideo(ctx, p.Video, local, out, poster, probe); err != nil {
		return res, err
	}
	final, err := ProbeVideo(ctx, p.Video.Tools, out)
	if err != nil {
		return res, fmt.Errorf("probe the transcoded video: %w", err)
	}
	res.Width, res.Height, res.DurationMS = probe.Width, probe.Height, probe.Duration.Milliseconds()
	mp4, err := os.ReadFile(out)
	if err != nil {
		return res, err
	}
	outs := []Output{{Name: "video", Format: "mp4", Data: mp4, Width: final.Width, Height: final.Height}}

	jpg, err := os.ReadFile(poster)
	if err != nil {
		return res, err
	}
	img, err := imaging.Decode(bytes.NewReader(jpg))
	if err != nil {
		return res, fmt.Errorf("read the poster: %w", err)
	}
	outs = append(outs, Output{Name: "poster", Format: "jpeg", Data: jpg, Width: img.Bounds().Dx(), Height: img.Bounds().Dy()})
	if p.Image.FFmpeg != "" {
		wb, err := EncodeWebP(ctx, p.Image.FFmpeg, img, p.Image.Quality)
		if err != nil {
			return res, err
		}
		outs = append(outs, Output{Name: "poster", Format: "webp", Data: wb, Width: img.Bounds().Dx(), Height: img.Bounds().Dy()})
	}
	return p.ready(ctx, m.ID, outs, res, written)
}

var extOf = map[string]string{"jpeg": ".jpg", "webp": ".webp", "mp4": ".mp4"}
var typeOf = map[string]string{"jpeg": "image/jpeg", "webp": "image/webp", "mp4": "video/mp4"}

func (p *Processor) put(ctx context.Context, id int64, o Output, written *[]string) (appraisal.Rendition, error) {
	key := fmt.Sprintf("%s%d/%s%s", Derived, id, o.Name, extOf[o.Format])
	if err := p.Blobs.Put(ctx, key, bytes.NewReader(o.Data), int64(len(o.Data)), typeOf[o.Format]); err != nil {
		return appraisal.Rendition{}, fmt.Errorf("store %s: %w", key, err)
	}
	*written = append(*written, key)
	sum := sha256.Sum256(o.Data)
	return appraisal.Rendition{Name: o.Name, Format: o.Format, Key: key, Width: o.Width, Height: o.Height,
		Bytes: int64(len(o.Data)), SHA256: hex.EncodeToString(sum[:])}, nil
}

// DecodeLogo reads a watermark logo (PNG with alpha, ideally).
func DecodeLogo(r io.Reader) (image.Image, error) {
	img, _, err := image.Decode(r)
	if err != nil {
		return nil, errors.New("media: the watermark logo is not a readable image")
	}
	return img, nil
}
