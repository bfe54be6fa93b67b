// Package gallery is the media API group's service: who may start an upload, finish it, see,
// delete and reprocess which photos and videos, and the rules of an upload (the declared type and
// size, the object key). The HTTP handlers only translate; every method here takes the caller and
// works within the caller's scope (appraisal.Scope), which the store applies in SQL, so no route
// can forget who may see what. A file outside the scope is not found, exactly like one that does
// not exist.
package gallery

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jianbao/admin/shared/appraisal"
)

// Store is what the service needs of the media store: reads within a scope, and the writes.
type Store interface {
	appraisal.MediaAccess
	CreateMedia(ctx context.Context, m *appraisal.Media, a appraisal.AuditEntry) error
	SetMediaKey(ctx context.Context, id int64, key string) error
	ResetMedia(ctx context.Context, id int64, a appraisal.AuditEntry) (*appraisal.Media, error)
	DeleteMedia(ctx context.Context, id int64, a appraisal.AuditEntry) error
}

// Permissions answers whether a principal's role holds a capability now, and the scope it sees
// (auth.Service decides both).
type Permissions interface {
	Can(ctx context.Context, p *appraisal.Principal, capability string) (bool, error)
	Scope(ctx context.Context, p *appraisal.Principal) (appraisal.Scope, error)
}

// Limits bound what an upload may declare.
type Limits struct {
	MaxImageBytes int64
	MaxVideoBytes int64
}

// UploadURLTTL is how long a presigned PUT stays valid.
const UploadURLTTL = 15 * time.Minute

// Types are the content types an upload may declare, with their kind and key extension.
var Types = map[string]struct {
	Kind appraisal.MediaKind
	Ext  string
}{
	"image/jpeg": {appraisal.MediaImage, ".jpg"}, "image/png": {appraisal.MediaImage, ".png"},
	"image/webp": {appraisal.MediaImage, ".webp"}, "image/gif": {appraisal.MediaImage, ".gif"},
	"video/mp4": {appraisal.MediaVideo, ".mp4"}, "video/quicktime": {appraisal.MediaVideo, ".mov"},
	"video/webm": {appraisal.MediaVideo, ".webm"},
}

// ContentTypes are Types' keys in the order the API lists them (the upload's enum; a test keeps
// the two and the rejection message's promise in step).
var ContentTypes = []string{"image/jpeg", "image/png", "image/webp", "image/gif", "video/mp4", "video/quicktime", "video/webm"}

// Errors of the media group.
var (
	ErrNoDispatcher = appraisal.E(appraisal.KindUnavailable, "media.no_dispatcher", "this deployment cannot start processing on request")
	ErrFrozen       = appraisal.E(appraisal.KindConflict, "media.owner_frozen",
		"a certificate has been issued on these files: they can no longer be added to or removed, except by a role that may supersede the result")
	ErrNotUploaded = appraisal.E(appraisal.KindConflict, "media.not_uploaded", "the file has not arrived in storage: PUT it to the upload URL first")
)

// Service is the media group's rules.
type Service struct {
	Store       Store
	Blobs       appraisal.BlobStore
	Permissions Permissions
	Limits      Limits
	// Dispatch hands an uploaded original to processing (the stream on TKE and locally, a COS
	// self-copy on SCF); nil where the deployment cannot.
	Dispatch func(ctx context.Context, key string) error
	// Audit records reads that are audited (an original's download).
	Audit interface {
		RecordAudit(ctx context.Context, a appraisal.AuditEntry) error
	}
	// Now is the clock (tests).
	Now func() time.Time
}

// scope decides the caller's scope once for the call.
func (s *Service) scope(ctx context.Context, p *appraisal.Principal) (appraisal.Scope, error) {
	return s.Permissions.Scope(ctx, p)
}

// editable refuses a change to the files of a frozen owner unless the caller may supersede.
func (s *Service) editable(ctx context.Context, p *appraisal.Principal, owner appraisal.MediaOwner) error {
	if !owner.Frozen {
		return nil
	}
	ok, err := s.Permissions.Can(ctx, p, appraisal.CapEditFrozenMedia)
	if err != nil {
		return err
	}
	if !ok {
		return ErrFrozen
	}
	return nil
}

// Upload is a declared upload.
type Upload struct {
	OwnerType, Role, Filename, ContentType string
	OwnerID                                int64
	Kind                                   appraisal.MediaKind
	Size                                   int64
}

// StartUpload records a file of an owner the caller may see and returns it with the presigned PUT
// the client sends the bytes with.
func (s *Service) StartUpload(ctx context.Context, p *appraisal.Principal, u Upload, a appraisal.AuditEntry) (*appraisal.Media, *appraisal.PresignedRequest, error) {
	t, ok := Types[u.ContentType]
	if !ok || t.Kind != u.Kind {
		return nil, nil, appraisal.Invalid(appraisal.FieldError{Field: "content_type", Code: "not_allowed",
			Message: "the content type does not match the kind: " + strings.Join(ContentTypes, ", ") + " are accepted"})
	}
	limit := s.Limits.MaxImageBytes
	if t.Kind == appraisal.MediaVideo {
		limit = s.Limits.MaxVideoBytes
	}
	if u.Size > limit {
		return nil, nil, appraisal.Invalid(appraisal.FieldError{Field: "size", Code: "too_large", Message: fmt.Sprintf("at most %d bytes", limit), Limit: limit})
	}
	if u.OwnerID == 0 {
		return nil, nil, appraisal.Invalid(appraisal.FieldError{Field: "owner_id", Code: "required", Message: "what the file belongs to"})
	}
	sc, err := s.scope(ctx, p)
	if err != nil {
		return nil, nil, err
	}
	owner, err := s.Store.MediaOwner(ctx, sc, u.OwnerType, u.OwnerID)
	if appraisal.IsKind(err, appraisal.KindNotFound) {
		return nil, nil, appraisal.Invalid(appraisal.FieldError{Field: "owner_id", Code: "not_found", Message: "no such " + u.OwnerType})
	}
	if err != nil {
		return nil, nil, err
	}
	if err := s.editable(ctx, p, owner); err != nil {
		return nil, nil, err
	}
	m := &appraisal.Media{OwnerType: u.OwnerType, OwnerID: u.OwnerID, Kind: t.Kind, Role: u.Role, Filename: u.Filename,
		ContentType: u.ContentType, Size: u.Size, Status: appraisal.MediaPendingUpload, CreatedBy: p.UserID}
	if err := s.Store.CreateMedia(ctx, m, a); err != nil {
		return nil, nil, err
	}
	now := s.now()
	// The key comes from the id, never from the file name.
	m.Key = fmt.Sprintf("originals/%04d/%02d/%d%s", now.Year(), now.Month(), m.ID, t.Ext)
	if err := s.Store.SetMediaKey(ctx, m.ID, m.Key); err != nil {
		return nil, nil, err
	}
	put, err := s.Blobs.PresignPut(ctx, m.Key, u.ContentType, u.Size, UploadURLTTL)
	if err != nil {
		return nil, nil, err
	}
	return m, &put, nil
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// List returns the live files of an owner, within the caller's scope.
func (s *Service) List(ctx context.Context, p *appraisal.Principal, ownerType string, ownerID int64) ([]appraisal.Media, error) {
	sc, err := s.scope(ctx, p)
	if err != nil {
		return nil, err
	}
	return s.Store.ListMedia(ctx, sc, ownerType, ownerID)
}

// Get returns one live file the caller may see.
func (s *Service) Get(ctx context.Context, p *appraisal.Principal, id int64) (*appraisal.Media, error) {
	sc, err := s.scope(ctx, p)
	if err != nil {
		return nil, err
	}
	return s.Store.VisibleMedia(ctx, sc, id)
}

// Complete starts processing a file whose bytes have arrived; a file already past upload is
// returned as it is (idempotent).
func (s *Service) Complete(ctx context.Context, p *appraisal.Principal, id int64) (*appraisal.Media, error) {
	m, err := s.Get(ctx, p, id)
	if err != nil || m.Status != appraisal.MediaPendingUpload {
		return m, err
	}
	if _, err := s.Blobs.Head(ctx, m.Key); appraisal.KindOf(err) == appraisal.KindNotFound {
		return nil, ErrNotUploaded
	} else if err != nil {
		return nil, err
	}
	// A second event for the same original is harmless: the processor's lease and status make
	// duplicates no-ops. When the queue cannot take it (Redis down), the file is still safe: it is
	// in storage and waiting in MySQL, where the sweeper finds it within a minute or two.
	if err := s.dispatch(ctx, m.Key); err != nil && !appraisal.IsKind(err, appraisal.KindUnavailable) {
		return nil, err
	}
	return m, nil
}

func (s *Service) dispatch(ctx context.Context, key string) error {
	if s.Dispatch == nil {
		return ErrNoDispatcher
	}
	return s.Dispatch(ctx, key)
}

// owned reads a file the caller may see and checks that its owner may be changed.
func (s *Service) owned(ctx context.Context, p *appraisal.Principal, id int64) (*appraisal.Media, error) {
	sc, err := s.scope(ctx, p)
	if err != nil {
		return nil, err
	}
	m, err := s.Store.VisibleMedia(ctx, sc, id)
	if err != nil {
		return nil, err
	}
	if m.OwnerType != "" {
		owner, err := s.Store.MediaOwner(ctx, sc, m.OwnerType, m.OwnerID)
		if err != nil {
			return nil, err
		}
		if err := s.editable(ctx, p, owner); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// Delete removes a file the caller may see (soft: the cleanup job removes its objects later).
func (s *Service) Delete(ctx context.Context, p *appraisal.Principal, id int64, a appraisal.AuditEntry) error {
	if _, err := s.owned(ctx, p, id); err != nil {
		return err
	}
	return s.Store.DeleteMedia(ctx, id, a)
}

// Reprocess processes a ready, rejected or failed file again.
func (s *Service) Reprocess(ctx context.Context, p *appraisal.Principal, id int64, a appraisal.AuditEntry) (*appraisal.Media, error) {
	if _, err := s.Get(ctx, p, id); err != nil {
		return nil, err
	}
	if s.Dispatch == nil {
		return nil, ErrNoDispatcher // before the reset, which would leave the file waiting
	}
	m, err := s.Store.ResetMedia(ctx, id, a)
	if err != nil {
		return nil, err
	}
	return m, s.dispatch(ctx, m.Key)
}

// Troubled lists the failed and rejected files the caller may see, across owners: what someone
// should look at (reprocess, or ask the customer for another photo).
func (s *Service) Troubled(ctx context.Context, p *appraisal.Principal, statuses []appraisal.MediaStatus, pg appraisal.Page) ([]appraisal.Media, int, error) {
	for _, st := range statuses {
		if st != appraisal.MediaFailed && st != appraisal.MediaRejected {
			return nil, 0, appraisal.Invalid(appraisal.FieldError{Field: "status", Code: "not_allowed", Message: "FAILED or REJECTED"})
		}
	}
	if len(statuses) == 0 {
		statuses = []appraisal.MediaStatus{appraisal.MediaFailed, appraisal.MediaRejected}
	}
	sc, err := s.scope(ctx, p)
	if err != nil {
		return nil, 0, err
	}
	return s.Store.TroubledMedia(ctx, sc, statuses, pg)
}

// OriginalWindow is the signing window of a link to an original: short, since an original is
// evidence and every link to it is audited.
const OriginalWindow = 5 * time.Minute

// ErrOriginalGone: a rejected file's original is removed after a day.
var ErrOriginalGone = appraisal.E(appraisal.KindConflict, "media.original_removed", "the original of this rejected file has been removed")

// Original links to the untouched original of a file the caller may see, and audits that it did.
func (s *Service) Original(ctx context.Context, p *appraisal.Principal, id int64, a appraisal.AuditEntry) (string, time.Time, error) {
	m, err := s.Get(ctx, p, id)
	if err != nil {
		return "", time.Time{}, err
	}
	if m.OriginalRemovedAt != nil {
		return "", time.Time{}, ErrOriginalGone
	}
	if m.Status == appraisal.MediaPendingUpload {
		return "", time.Time{}, ErrNotUploaded
	}
	u, err := s.Blobs.PresignGet(ctx, m.Key, OriginalWindow)
	if err != nil {
		return "", time.Time{}, err
	}
	if err := s.Audit.RecordAudit(ctx, a.For("media.original", "media", fmt.Sprint(id))); err != nil {
		return "", time.Time{}, err
	}
	_, end := appraisal.SigningWindow(s.now(), OriginalWindow)
	return u, end, nil
}

// Cover returns the first ready photo of an item, for the public certificate page; nil when it
// has none. It is not scoped: the certificate's holder is meant to see its item.
func (s *Service) Cover(ctx context.Context, itemID int64) (*appraisal.Media, error) {
	ms, err := s.Store.ListMedia(ctx, appraisal.Scope{All: true}, "item", itemID)
	if err != nil {
		return nil, err
	}
	for i := range ms {
		if ms[i].Kind == appraisal.MediaImage && ms[i].Status == appraisal.MediaReady {
			return &ms[i], nil
		}
	}
	return nil, nil
}
