package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/jianbao/admin/shared/appraisal"
	"github.com/jianbao/admin/shared/gallery"
)

// renditionWindow is the signing window of rendition links: a link is the same for every read
// within ten minutes (browsers reuse what they downloaded) and good for ten to twenty minutes.
const renditionWindow = 10 * time.Minute

type renditionView struct {
	Name   string `json:"name" enum:"thumb,medium,large,video,poster"`
	Format string `json:"format" enum:"jpeg,webp,mp4"`
	Width  int    `json:"width"`
	Height int    `json:"height"`
	Bytes  int64  `json:"bytes"`
	URL    string `json:"url" doc:"A signed link, valid for at least 10 minutes; the same link for every read within a 10-minute window, so browsers reuse the bytes they have (Cache-Control private, as long as the link lasts)"`
}

type mediaView struct {
	ID              string          `json:"id"`
	OwnerType       string          `json:"owner_type" doc:"item or order; empty for files uploaded outside the API"`
	OwnerID         string          `json:"owner_id"`
	Kind            string          `json:"kind" enum:"image,video"`
	Role            string          `json:"role" example:"bottom_mark"`
	Filename        string          `json:"filename"`
	ContentType     string          `json:"content_type"`
	Size            int64           `json:"size"`
	Status          string          `json:"status" enum:"PENDING_UPLOAD,UPLOADED,PROCESSING,READY,REJECTED,FAILED,DELETED"`
	Reason          string          `json:"reason" doc:"Why processing rejected or failed the file, for people: zh-CN unless Accept-Language asks for English"`
	ReasonCode      string          `json:"reason_code" enum:",empty,unsupported_format,heif_unsupported,damaged,too_many_pixels,too_large,no_video_stream,too_long,unconvertible,kind_mismatch,size_mismatch,processing_failed,original_missing,original_replaced" doc:"The stable code of reason; empty when there is none"`
	ReasonDetail    string          `json:"reason_detail" doc:"What exactly was wrong, as processing saw it (English, technical)"`
	OriginalRemoved bool            `json:"original_removed" doc:"The original of this rejected file has been removed from storage (rejected files are kept a day)"`
	Attempts        int             `json:"attempts"`
	Width           int             `json:"width"`
	Height          int             `json:"height"`
	DurationMS      int64           `json:"duration_ms"`
	SHA256          string          `json:"sha256"`
	Renditions      []renditionView `json:"renditions"`
	CreatedAt       time.Time       `json:"created_at"`
	ProcessedAt     *time.Time      `json:"processed_at,omitempty"`
}

func (d *Deps) viewMedia(ctx context.Context, m *appraisal.Media) (mediaView, error) {
	v := mediaView{ID: formatID(m.ID), OwnerType: m.OwnerType, OwnerID: formatOptionalID(m.OwnerID), Kind: string(m.Kind),
		Role: m.Role, Filename: m.Filename, ContentType: m.ContentType, Size: m.Size, Status: string(m.Status),
		ReasonCode: m.ReasonCode, ReasonDetail: m.Reason, Reason: reasonText(m.ReasonCode, m.Reason, clientFrom(ctx).Lang), OriginalRemoved: m.OriginalRemovedAt != nil,
		Attempts: m.Attempts, Width: m.Width, Height: m.Height, DurationMS: m.DurationMS, SHA256: m.SHA256,
		CreatedAt: m.CreatedAt.UTC(), ProcessedAt: utcPtr(m.ProcessedAt), Renditions: []renditionView{}}
	if m.Status != appraisal.MediaReady {
		return v, nil
	}
	for _, r := range m.Renditions {
		u, err := d.Blobs.PresignGet(ctx, r.Key, renditionWindow)
		if err != nil {
			return v, err
		}
		v.Renditions = append(v.Renditions, renditionView{Name: r.Name, Format: r.Format, Width: r.Width, Height: r.Height, Bytes: r.Bytes, URL: u})
	}
	return v, nil
}

// reasonText is a rejection's message in the caller's language, from its code; a record from
// before codes existed keeps its text.
func reasonText(code, detail string, l lang) string {
	t, ok := appraisal.ReasonText[code]
	if !ok {
		return detail
	}
	if l == en {
		return t[1]
	}
	return t[0]
}

type createUploadInput struct {
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"64" doc:"Retrying with the same key returns the first upload"`
	Body           struct {
		OwnerType   string `json:"owner_type" enum:"item,order"`
		OwnerID     string `json:"owner_id" maxLength:"20"`
		Kind        string `json:"kind" enum:"image,video"`
		Role        string `json:"role,omitempty" maxLength:"32" pattern:"^[a-z_]*$" example:"front"`
		Filename    string `json:"filename" minLength:"1" maxLength:"255" example:"IMG_0042.JPG"`
		ContentType string `json:"content_type" enum:"image/jpeg,image/png,image/webp,image/gif,video/mp4,video/quicktime,video/webm"`
		Size        int64  `json:"size" minimum:"1" doc:"Bytes; images up to 30 MB and videos up to 1 GB by default"`
	}
}

type uploadView struct {
	Method    string            `json:"method" example:"PUT"`
	URL       string            `json:"url" doc:"PUT the file's bytes here, straight to storage"`
	Headers   map[string]string `json:"headers" doc:"Send these headers exactly"`
	ExpiresAt time.Time         `json:"expires_at"`
}

type createUploadOutput struct {
	Body struct {
		Media  mediaView  `json:"media"`
		Upload uploadView `json:"upload"`
	}
}

type mediaListInput struct {
	OwnerType string `query:"owner_type" enum:"item,order" required:"true"`
	OwnerID   string `query:"owner_id" maxLength:"20" required:"true"`
}

type mediaListOutput struct {
	Body struct {
		Items []mediaView `json:"items"`
	}
}

type mediaOutput struct {
	Body mediaView
}

var mediaTags = []string{"media"}

// mediaOut answers with one file, or the error.
func (d *Deps) mediaOut(ctx context.Context, m *appraisal.Media, err error) (*mediaOutput, error) {
	if err != nil {
		return nil, err
	}
	v, err := d.viewMedia(ctx, m)
	return &mediaOutput{Body: v}, err
}

// mediaRoutes is the group as a list of routes, one handler maker per operation.
func mediaRoutes(d *Deps) []route {
	return []route{mediaUploadsCreate(d), mediaList(d), mediaGet(d), mediaDelete(d), mediaUploadsComplete(d), mediaReprocess(d),
		mediaOriginal(d), mediaTroubled(d)}
}

type originalOutput struct {
	Body struct {
		URL       string    `json:"url" doc:"A signed link to the untouched original (EXIF included), good for at least 5 minutes"`
		ExpiresAt time.Time `json:"expires_at"`
	}
}

func mediaOriginal(d *Deps) route {
	return handle(huma.Operation{
		OperationID: "media.original", Method: http.MethodGet, Path: "/api/v1/media/{id}/original", Tags: mediaTags,
		Summary:     "A link to download the original",
		Description: "The original is evidence: the link is short-lived and every request for one is audited. 409 media.original_removed for a rejected file after its retention.",
		Errors:      []int{http.StatusNotFound, http.StatusConflict},
	}, func(ctx context.Context, in *idInput) (*originalOutput, error) {
		id, err := parseID(in.ID)
		if err != nil {
			return nil, err
		}
		u, exp, err := d.Gallery.Original(ctx, principalFrom(ctx), id, actor(ctx))
		if err != nil {
			return nil, err
		}
		out := &originalOutput{}
		out.Body.URL, out.Body.ExpiresAt = u, exp.UTC()
		return out, nil
	})
}

type troubledInput struct {
	ListParams
	Status string `query:"status" enum:"FAILED,REJECTED," doc:"One of them; both when empty"`
}

type troubledOutput struct {
	Body listBody[mediaView]
}

func mediaTroubled(d *Deps) route {
	return handle(huma.Operation{
		OperationID: "media.troubled.list", Method: http.MethodGet, Path: "/api/v1/media/troubled", Tags: mediaTags,
		Summary: "Failed and rejected files across items and orders, most recent first",
	}, func(ctx context.Context, in *troubledInput) (*troubledOutput, error) {
		pg, err := in.page()
		if err != nil {
			return nil, err
		}
		var statuses []appraisal.MediaStatus
		if in.Status != "" {
			statuses = append(statuses, appraisal.MediaStatus(in.Status))
		}
		ms, total, err := d.Gallery.Troubled(ctx, principalFrom(ctx), statuses, pg)
		if err != nil {
			return nil, err
		}
		views := make([]mediaView, 0, len(ms))
		for i := range ms {
			v, err := d.viewMedia(ctx, &ms[i])
			if err != nil {
				return nil, err
			}
			views = append(views, v)
		}
		return &troubledOutput{Body: newList(views, total, pg)}, nil
	})
}

func mediaUploadsCreate(d *Deps) route {
	return handle(huma.Operation{
		OperationID: "media.uploads.create", Method: http.MethodPost, Path: "/api/v1/media/uploads", Tags: mediaTags,
		Summary:       "Start an upload: a media record and a presigned PUT URL",
		Description:   "The client PUTs the file to the returned URL within 15 minutes; processing starts by itself when the file lands. The object key is made from the media id, never from the file name. The owner must be an item or order the caller can see; the files of an order with an issued certificate (and of its item) are frozen.",
		DefaultStatus: http.StatusCreated, Errors: []int{http.StatusUnprocessableEntity, http.StatusConflict},
	}, func(ctx context.Context, in *createUploadInput) (*createUploadOutput, error) {
		return idempotent(ctx, d, in.IdempotencyKey, "media.uploads.create", in.Body, func() (*createUploadOutput, error) {
			b := in.Body
			owner, err := parseOptionalID("owner_id", b.OwnerID)
			if err != nil {
				return nil, err
			}
			m, put, err := d.Gallery.StartUpload(ctx, principalFrom(ctx), gallery.Upload{OwnerType: b.OwnerType, OwnerID: owner,
				Kind: appraisal.MediaKind(b.Kind), Role: b.Role, Filename: b.Filename, ContentType: b.ContentType, Size: b.Size},
				actor(ctx).For("media.uploads.create", "media", ""))
			if err != nil {
				return nil, err
			}
			out := &createUploadOutput{}
			if out.Body.Media, err = d.viewMedia(ctx, m); err != nil {
				return nil, err
			}
			out.Body.Upload = uploadView{Method: put.Method, URL: put.URL, Headers: put.Headers, ExpiresAt: put.Expires.UTC()}
			return out, nil
		})
	})
}

func mediaList(d *Deps) route {
	return handle(huma.Operation{
		OperationID: "media.list", Method: http.MethodGet, Path: "/api/v1/media", Tags: mediaTags,
		Summary: "The photos and videos of an item or order, with signed rendition links",
		Description: "Only what the caller can see: an expert, the files of the orders assigned to them and of those orders' items; " +
			"for anything else the list is empty.",
		Errors: []int{http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *mediaListInput) (*mediaListOutput, error) {
		id, err := parseOptionalID("owner_id", in.OwnerID)
		if err != nil {
			return nil, err
		}
		ms, err := d.Gallery.List(ctx, principalFrom(ctx), in.OwnerType, id)
		if err != nil {
			return nil, err
		}
		out := &mediaListOutput{}
		out.Body.Items = []mediaView{}
		for i := range ms {
			v, err := d.viewMedia(ctx, &ms[i])
			if err != nil {
				return nil, err
			}
			out.Body.Items = append(out.Body.Items, v)
		}
		return out, nil
	})
}

func mediaGet(d *Deps) route {
	return handle(huma.Operation{
		OperationID: "media.get", Method: http.MethodGet, Path: "/api/v1/media/{id}", Tags: mediaTags,
		Summary: "One photo or video: status, reason and signed rendition links", Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, in *idInput) (*mediaOutput, error) {
		id, err := parseID(in.ID)
		if err != nil {
			return nil, err
		}
		m, err := d.Gallery.Get(ctx, principalFrom(ctx), id)
		return d.mediaOut(ctx, m, err)
	})
}

func mediaDelete(d *Deps) route {
	return handle(huma.Operation{
		OperationID: "media.delete", Method: http.MethodDelete, Path: "/api/v1/media/{id}", Tags: mediaTags,
		Summary: "Delete a photo or video", Description: "Soft: the record disappears now, the objects are removed by the cleanup job. Not for the files of an order with an issued certificate.",
		DefaultStatus: http.StatusNoContent, Errors: []int{http.StatusNotFound, http.StatusConflict},
	}, func(ctx context.Context, in *idInput) (*struct{}, error) {
		id, err := parseID(in.ID)
		if err != nil {
			return nil, err
		}
		return nil, d.Gallery.Delete(ctx, principalFrom(ctx), id, actor(ctx).For("media.delete", "media", ""))
	})
}

func mediaUploadsComplete(d *Deps) route {
	return handle(huma.Operation{
		OperationID: "media.uploads.complete", Method: http.MethodPost, Path: "/api/v1/media/{id}/complete", Tags: mediaTags,
		Summary: "Tell the server an upload has finished",
		Description: "Call after the PUT to the presigned URL succeeds. Where the bucket reports uploads by itself " +
			"(COS triggers on SCF, the local store) this is harmless; where it does not (the TKE server on COS) it is " +
			"what starts processing. Idempotent: a file already past upload is returned as it is.",
		Errors: []int{http.StatusNotFound, http.StatusConflict, http.StatusServiceUnavailable},
	}, func(ctx context.Context, in *idInput) (*mediaOutput, error) {
		id, err := parseID(in.ID)
		if err != nil {
			return nil, err
		}
		m, err := d.Gallery.Complete(ctx, principalFrom(ctx), id)
		return d.mediaOut(ctx, m, err)
	})
}

func mediaReprocess(d *Deps) route {
	return handle(huma.Operation{
		OperationID: "media.reprocess", Method: http.MethodPost, Path: "/api/v1/media/{id}/reprocess", Tags: mediaTags,
		Summary: "Process a ready, rejected or failed file again", Errors: []int{http.StatusNotFound, http.StatusConflict, http.StatusServiceUnavailable},
	}, func(ctx context.Context, in *idInput) (*mediaOutput, error) {
		id, err := parseID(in.ID)
		if err != nil {
			return nil, err
		}
		m, err := d.Gallery.Reprocess(ctx, principalFrom(ctx), id, actor(ctx).For("media.reprocess", "media", ""))
		return d.mediaOut(ctx, m, err)
	})
}
