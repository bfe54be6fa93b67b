package retention_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jianbao/admin/shared/appraisal"
	"github.com/jianbao/admin/shared/localstore"
	"github.com/jianbao/admin/shared/logs"
	"github.com/jianbao/admin/shared/mysql"
	"github.com/jianbao/admin/shared/retention"
	"github.com/jianbao/admin/shared/testenv"
)

// TestRun: a deleted file's original and renditions leave storage and its row goes, once it has
// been deleted for an hour; a live file and a freshly deleted one stay.
func TestRun(t *testing.T) {
	for _, b := range testenv.MySQLBackends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			d := b.Open(t)
			if _, err := mysql.Migrate(ctx, d.DB, logs.Discard()); err != nil {
				t.Fatal(err)
			}
			st := mysql.NewStore(d.DB)
			blobs, err := localstore.New(t.TempDir(), "http://localhost", []byte(strings.Repeat("k", 32)))
			if err != nil {
				t.Fatal(err)
			}
			a := appraisal.AuditEntry{Action: "test", TargetType: "media"}
			file := func(name string) *appraisal.Media {
				m := &appraisal.Media{Kind: appraisal.MediaImage, Filename: name, ContentType: "image/jpeg", Size: 3, Status: appraisal.MediaPendingUpload}
				if err := st.CreateMedia(ctx, m, a); err != nil {
					t.Fatal(err)
				}
				m.Key = "originals/2026/11/" + name
				if err := st.SetMediaKey(ctx, m.ID, m.Key); err != nil {
					t.Fatal(err)
				}
				for _, k := range []string{m.Key, "derived/" + name + "/thumb.jpg"} {
					if err := blobs.Put(ctx, k, bytes.NewReader([]byte("abc")), 3, "image/jpeg"); err != nil {
						t.Fatal(err)
					}
				}
				return m
			}
			gone, live := file("gone.jpg"), file("live.jpg")
			// The renditions the row names are removed with the original.
			ok, _, err := st.ClaimMedia(ctx, gone.ID, "w", time.Now(), time.Now().Add(time.Minute))
			if err != nil || !ok {
				t.Fatalf("claim: %v %v", ok, err)
			}
			if err := st.CompleteMedia(ctx, gone.ID, "w", appraisal.MediaResult{Status: appraisal.MediaReady,
				Renditions: []appraisal.Rendition{{Name: "thumb", Format: "jpeg", Key: "derived/gone.jpg/thumb.jpg"}}}, time.Now()); err != nil {
				t.Fatal(err)
			}
			if err := st.DeleteMedia(ctx, gone.ID, a); err != nil {
				t.Fatal(err)
			}
			job := &retention.Job{Store: st, Blobs: blobs, Log: logs.Discard(), Audit: 365 * 24 * time.Hour}
			if r, err := job.Run(ctx, time.Now()); err != nil || r.MediaPurged != 0 {
				t.Fatalf("a file deleted just now: %+v %v", r, err)
			}
			r, err := job.Run(ctx, time.Now().Add(2*time.Hour))
			if err != nil || r.MediaPurged != 1 {
				t.Fatalf("an hour later: %+v %v", r, err)
			}
			for _, k := range []string{gone.Key, "derived/gone.jpg/thumb.jpg"} {
				if _, err := blobs.Head(ctx, k); !appraisal.IsKind(err, appraisal.KindNotFound) {
					t.Errorf("%s still stored: %v", k, err)
				}
			}
			if _, err := blobs.Head(ctx, live.Key); err != nil {
				t.Errorf("the live file's original went: %v", err)
			}
			if _, err := st.Media(ctx, gone.ID); !appraisal.IsKind(err, appraisal.KindNotFound) {
				t.Errorf("the deleted file's row is still there: %v", err)
			}

			// A rejected file's original leaves storage after RejectedRetention; the row stays and
			// says so, and it can no longer be reprocessed.
			bad := file("bad.jpg")
			if ok, _, err := st.ClaimMedia(ctx, bad.ID, "w", time.Now(), time.Now().Add(time.Minute)); err != nil || !ok {
				t.Fatalf("claim: %v %v", ok, err)
			}
			if err := st.CompleteMedia(ctx, bad.ID, "w", appraisal.MediaResult{Status: appraisal.MediaRejected, ReasonCode: "size_mismatch",
				Reason: "declared 3 bytes, stored 9"}, time.Now()); err != nil {
				t.Fatal(err)
			}
			if r, err := job.Run(ctx, time.Now().Add(time.Hour)); err != nil || r.RejectedRemoved != 0 {
				t.Fatalf("rejected an hour ago: %+v %v", r, err)
			}
			if r, err := job.Run(ctx, time.Now().Add(retention.RejectedRetention+time.Hour)); err != nil || r.RejectedRemoved != 1 {
				t.Fatalf("rejected a day ago: %+v %v", r, err)
			}
			if _, err := blobs.Head(ctx, bad.Key); !appraisal.IsKind(err, appraisal.KindNotFound) {
				t.Errorf("the rejected original is still stored: %v", err)
			}
			m, err := st.Media(ctx, bad.ID)
			if err != nil || m.OriginalRemovedAt == nil || m.ReasonCode != "size_mismatch" {
				t.Fatalf("rejected row after cleanup: %+v %v", m, err)
			}
			if _, err := st.ResetMedia(ctx, bad.ID, a); !appraisal.IsKind(err, appraisal.KindConflict) {
				t.Errorf("reprocessing a file whose original is gone: %v", err)
			}
			if _, err := blobs.Head(ctx, live.Key); err != nil {
				t.Errorf("the live file's original went: %v", err)
			}
		})
	}
}
