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
	Reason      string // why it was rejected or failed
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
	Status     MediaStatus // READY, REJECTED or FAILED
	Reason     string
	SHA256     string
	Size       int64
	Width      int
	Height     int
	DurationMS int64
	Renditions []Rendition
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
	// CompleteMedia records the result, if worker still holds the lease.
	CompleteMedia(ctx context.Context, id int64, worker string, r MediaResult, now time.Time) error
	// ResetMedia makes an asset eligible for processing again (reprocess).
	ResetMedia(ctx context.Context, id int64, a AuditEntry) (*Media, error)
	// DeleteMedia marks an asset deleted; a cleanup job removes its objects later.
	DeleteMedia(ctx context.Context, id int64, a AuditEntry) error
	// DeletedMedia lists assets deleted before t whose objects are still to be removed.
	DeletedMedia(ctx context.Context, before time.Time, limit int) ([]Media, error)
	// PurgeMedia forgets an asset whose objects have been removed.
	PurgeMedia(ctx context.Context, id int64) error
	// MediaStats counts assets by status since t, for the dashboard.
	MediaStats(ctx context.Context, since time.Time) (map[MediaStatus]int, error)
}

// ObjectInfo describes a stored object.
type ObjectInfo struct {
	Key         string
	Size        int64
	ContentType string
	ETag        string
	Modified    time.Time
}

// PresignedRequest is what a client needs to send an object straight to storage.
type PresignedRequest struct {
	Method  string
	URL     string
	Headers map[string]string // headers the client must send as they are
	Expires time.Time
}

// BlobStore keeps objects: COS in production, a local directory in embedded mode. A missing
// object is KindNotFound.
type BlobStore interface {
	Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error
	Get(ctx context.Context, key string) (io.ReadCloser, ObjectInfo, error)
	Head(ctx context.Context, key string) (ObjectInfo, error)
	Delete(ctx context.Context, key string) error
	List(ctx context.Context, prefix string) ([]ObjectInfo, error)
	PresignPut(ctx context.Context, key, contentType string, expires time.Duration) (PresignedRequest, error)
	PresignGet(ctx context.Context, key string, expires time.Duration) (string, error)
}
