package appraisal

import (
	"context"
	"io"
	"time"
)

// MediaKind is what an asset is.
type MediaKind string

const (
	MediaImage MediaKind = "image"
	MediaVideo MediaKind = "video"
)

// MediaStatus is where an asset stands: pending upload → uploaded → processing → ready |
// rejected (the input is bad; final) | failed (something transient; retried), and deleted.
type MediaStatus string

const (
	MediaPendingUpload MediaStatus = "PENDING_UPLOAD"
	MediaUploaded      MediaStatus = "UPLOADED"
	MediaProcessing    MediaStatus = "PROCESSING"
	MediaReady         MediaStatus = "READY"
	MediaRejected      MediaStatus = "REJECTED"
	MediaFailed        MediaStatus = "FAILED"
	MediaDeleted       MediaStatus = "DELETED"
)

// MediaStatuses lists every media status, in the order a file goes through them.
var MediaStatuses = []MediaStatus{MediaPendingUpload, MediaUploaded, MediaProcessing, MediaReady, MediaRejected, MediaFailed, MediaDeleted}

// Media is one uploaded photo or video. The original stays private and untouched under Key (its
// EXIF can be evidence); what clients see are the renditions under derived/.
type Media struct {
	ID          int64
	OwnerType   string // item | order | "" (uploaded outside the API: owned by nobody)
	OwnerID     int64
	Kind        MediaKind
	Role        string // front, bottom_mark, detail, video …
	Key         string // originals/{yyyy}/{mm}/{id}{ext}
	Filename    string // as the uploader named it; never used in keys
	ContentType string
	Size        int64 // declared at upload, then as stored
	Status      MediaStatus
	Reason      string // why it was rejected or failed, in detail
	ReasonCode  string // the stable code of Reason (media.Reason…)
	Attempts    int
	LeaseOwner  string
	LeaseUntil  *time.Time
	SHA256      string
	Width       int
	Height      int
	DurationMS  int64
	Renditions  []Rendition
	CreatedBy   int64
	CreatedAt   time.Time
	UpdatedAt   time.Time
	ProcessedAt *time.Time
	DeletedAt   *time.Time
	// OriginalETag is the stored original's ETag when it was processed: another ETag later means
	// the original was replaced.
	OriginalETag string
	// OriginalRemovedAt: the original of a rejected file was removed from storage.
	OriginalRemovedAt *time.Time
}

// Rendition is one derived file.
type Rendition struct {
	Name   string `json:"name"`   // thumb, medium, large, poster, video
	Format string `json:"format"` // jpeg, webp, mp4
	Key    string `json:"key"`
	Width  int    `json:"width"`
	Height int    `json:"height"`
	Bytes  int64  `json:"bytes"`
	SHA256 string `json:"sha256"`
}

// MediaResult is what processing concluded.
type MediaResult struct {
	Status       MediaStatus // READY, REJECTED or FAILED
	Reason       string
	ReasonCode   string
	OriginalETag string
	SHA256       string
	Size         int64
	Width        int
	Height       int
	DurationMS   int64
	Renditions   []Rendition
}

// MediaStore keeps media rows.
type MediaStore interface {
	CreateMedia(ctx context.Context, m *Media, a AuditEntry) error
	// SetMediaKey records the key derived from the new row's id.
	SetMediaKey(ctx context.Context, id int64, key string) error
	MediaAccess
	// Media reads any file, deleted or not, whoever asks: for processing and cleanup, never for
	// a caller (MediaAccess answers within a scope).
	Media(ctx context.Context, id int64) (*Media, error)
	MediaByKey(ctx context.Context, key string) (*Media, error)
	// ClaimMedia takes the asset for processing until leaseUntil. It succeeds for an asset
	// waiting to be processed, one that failed, or one whose previous lease expired; for anything
	// else (already processing, ready, rejected, deleted) it reports false: a duplicate or late
	// event is a no-op.
	ClaimMedia(ctx context.Context, id int64, worker string, now, leaseUntil time.Time) (bool, *Media, error)
	// RenewMediaLease extends worker's lease to leaseUntil; false when the worker no longer holds
	// it (it expired and another worker took the asset over).
	RenewMediaLease(ctx context.Context, id int64, worker string, leaseUntil time.Time) (bool, error)
	// CompleteMedia records the result, if worker still holds the lease.
	CompleteMedia(ctx context.Context, id int64, worker string, r MediaResult, now time.Time) error
	// ResetMedia makes an asset eligible for processing again (reprocess).
	ResetMedia(ctx context.Context, id int64, a AuditEntry) (*Media, error)
	// DeleteMedia marks an asset deleted; a cleanup job removes its objects later.
	DeleteMedia(ctx context.Context, id int64, a AuditEntry) error
	// DeletedMedia lists assets deleted before t whose objects are still to be removed.
	DeletedMedia(ctx context.Context, before time.Time, limit int) ([]Media, error)
	// StuckMedia lists what processing owes at now: files uploaded but never claimed (status
	// UPLOADED since before settle, or PENDING_UPLOAD created between pendingSince and settle —
	// the caller checks storage for those), claims whose lease expired, and failures with
	// attempts left (FAILED since before settle, fewer than maxAttempts).
	StuckMedia(ctx context.Context, now, settle, pendingSince time.Time, maxAttempts, limit int) ([]Media, error)
	// RejectedOriginals lists rejected assets processed before t whose original is still stored.
	RejectedOriginals(ctx context.Context, before time.Time, limit int) ([]Media, error)
	// MarkOriginalRemoved records that a rejected asset's original was removed from storage.
	MarkOriginalRemoved(ctx context.Context, id int64, t time.Time) error
	// PurgeMedia forgets an asset whose objects have been removed.
	PurgeMedia(ctx context.Context, id int64) error
	// MediaStats counts assets created in [since, until) by status, for the dashboard.
	MediaStats(ctx context.Context, since, until time.Time) (map[MediaStatus]int, error)
}

// ObjectInfo describes a stored object.
type ObjectInfo struct {
	Key         string
	Size        int64
	ContentType string
	ETag        string
	Modified    time.Time
}

// SigningWindow is the window PresignGet signs for: from the start of the window now falls in to
// two windows later.
func SigningWindow(now time.Time, window time.Duration) (start, end time.Time) {
	if window <= 0 {
		return now.Add(window), now.Add(window)
	}
	start = now.Truncate(window)
	return start, start.Add(2 * window)
}

// PresignedRequest is what a client needs to send an object straight to storage.
type PresignedRequest struct {
	Method  string
	URL     string
	Headers map[string]string // headers the client must send as they are
	Expires time.Time
}

// BlobStore keeps objects: COS in production, a local directory in embedded mode. A missing
// object is KindNotFound. Put (the server's own writes: renditions) may replace an object; a
// presigned PUT (a client's upload) never does.
type BlobStore interface {
	Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error
	Get(ctx context.Context, key string) (io.ReadCloser, ObjectInfo, error)
	Head(ctx context.Context, key string) (ObjectInfo, error)
	Delete(ctx context.Context, key string) error
	List(ctx context.Context, prefix string) ([]ObjectInfo, error)
	// PresignPut lets a client create key once, with exactly size bytes of contentType: the store
	// refuses a different length or type, and refuses to write over an object that exists (an
	// original is evidence: once written it is never replaced).
	PresignPut(ctx context.Context, key, contentType string, size int64, expires time.Duration) (PresignedRequest, error)
	// PresignGet links to key for window: the link is the same for every call within one window
	// (signed from the window's start to two windows later), so repeated reads of a page give
	// browsers the same URLs to cache, and it stays valid at least window from now. A negative
	// window gives an already expired link (tests).
	PresignGet(ctx context.Context, key string, window time.Duration) (string, error)
}

// The codes of a media rejection (Media.ReasonCode). A client shows ReasonText of the code; the
// stored reason adds detail.
const (
	ReasonEmpty          = "empty"
	ReasonUnsupported    = "unsupported_format"
	ReasonHEIF           = "heif_unsupported"
	ReasonDamaged        = "damaged"
	ReasonTooManyPixels  = "too_many_pixels"
	ReasonTooLarge       = "too_large"
	ReasonNoVideo        = "no_video_stream"
	ReasonTooLong        = "too_long"
	ReasonUnconvertible  = "unconvertible"
	ReasonKindMismatch   = "kind_mismatch"
	ReasonSizeMismatch   = "size_mismatch"
	ReasonFailed         = "processing_failed" // not a rejection: trouble that is retried
	ReasonOriginalGone   = "original_missing"  // the original left storage before processing
	ReasonOriginalChange = "original_replaced" // the stored original is not the one processed
)

// ReasonText is what a media reason code means, in Chinese (zh) and English (en).
var ReasonText = map[string][2]string{
	ReasonEmpty:          {"文件为空", "the file is empty"},
	ReasonUnsupported:    {"不支持的文件格式：请上传 JPEG、PNG、WebP、GIF 图片或 MP4、MOV、WebM 视频", "unsupported format: upload a JPEG, PNG, WebP or GIF image, or an MP4, MOV or WebM video"},
	ReasonHEIF:           {"不支持 HEIC/HEIF 格式，请导出为 JPEG 后上传", "HEIC/HEIF is not supported: export the photo as JPEG"},
	ReasonDamaged:        {"文件已损坏或不完整，无法读取", "the file is damaged or truncated"},
	ReasonTooManyPixels:  {"图片像素过多，超出上限", "the image has more pixels than allowed"},
	ReasonTooLarge:       {"文件超过大小上限", "the file is larger than allowed"},
	ReasonNoVideo:        {"文件中没有视频画面", "the file has no video stream"},
	ReasonTooLong:        {"视频时长超过上限", "the video is longer than allowed"},
	ReasonUnconvertible:  {"视频无法转码，请换一种格式后重新上传", "the video cannot be converted: upload it in another format"},
	ReasonKindMismatch:   {"文件内容与声明的类型不符（例如把视频作为图片上传）", "the file's content is not the declared kind (e.g. a video sent as a photo)"},
	ReasonSizeMismatch:   {"文件大小与声明的不一致", "the file's size is not the declared size"},
	ReasonFailed:         {"处理失败，将自动重试", "processing failed; it is retried"},
	ReasonOriginalGone:   {"原始文件已不在存储中", "the original is no longer in storage"},
	ReasonOriginalChange: {"原始文件被替换，与处理时的不一致", "the original was replaced after processing"},
}
