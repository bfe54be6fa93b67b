package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/disintegration/imaging"

	"github.com/jianbao/admin/shared/appraisal"
	"github.com/jianbao/admin/shared/gallery"
	"github.com/jianbao/admin/shared/media"
	"github.com/jianbao/admin/shared/media/mediatest"
)

func needFFmpeg(t *testing.T) media.Tools {
	f, p := mediatest.Tools(t)
	return media.Tools{FFmpeg: f, FFprobe: p}
}

// upload starts an upload through the API and PUTs data to the presigned URL, as a browser does.
func upload(t *testing.T, c *apiClient, tok, itemID, kind, contentType, filename string, data []byte) string {
	t.Helper()
	r := c.want(201, tok, "POST", "/api/v1/media/uploads", map[string]any{"owner_type": "item", "owner_id": itemID,
		"kind": kind, "role": "front", "filename": filename, "content_type": contentType, "size": max(1, len(data))})
	up := r.body["upload"].(map[string]any)
	req, _ := http.NewRequest(up["method"].(string), up["url"].(string), bytes.NewReader(data))
	for k, v := range up["headers"].(map[string]any) {
		req.Header.Set(k, v.(string))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("PUT to the presigned URL: %d", resp.StatusCode)
	}
	return r.str("media", "id")
}

// settle waits until processing has concluded.
func settle(t *testing.T, c *apiClient, tok, id string) *reply {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		r := c.want(200, tok, "GET", "/api/v1/media/"+id, nil)
		switch r.str("status") {
		case "READY", "REJECTED", "FAILED":
			return r
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("media %s never settled", id)
	return nil
}

func fetch(t *testing.T, url string) []byte {
	t.Helper()
	code, body := get(t, url)
	if code != 200 {
		t.Fatalf("GET rendition: %d", code)
	}
	return []byte(body)
}

func renditions(r *reply) map[string]map[string]any {
	out := map[string]map[string]any{}
	for _, x := range r.body["renditions"].([]any) {
		m := x.(map[string]any)
		out[m["name"].(string)+"."+m["format"].(string)] = m
	}
	return out
}

// TestMediaEmbedded is the local flow end to end: an upload through a presigned URL becomes
// renditions by itself, in embedded mode with nothing but Go and FFmpeg.
func TestMediaEmbedded(t *testing.T) {
	tools := needFFmpeg(t)
	dataDir := t.TempDir()
	base, _, _ := startRun(t, map[string]string{"BOOTSTRAP_ADMIN_PASSWORD": "media-admin-password", "DATA_DIR": dataDir})
	c := newAPIClient(t, base)
	admin := c.login("admin", "media-admin-password")
	cust := c.want(201, admin, "POST", "/api/v1/customers", map[string]any{"name": "周先生"}).str("id")
	item := c.want(201, admin, "POST", "/api/v1/items", map[string]any{"customer_id": cust, "category_id": "8", "title": "青花盘"}).str("id")

	t.Run("photo with EXIF orientation 6 and GPS", func(t *testing.T) {
		id := upload(t, c, admin, item, "image", "image/jpeg", "IMG_0001.JPG", mediatest.JPEG(t, 1200, 800, 6))
		r := settle(t, c, admin, id)
		if r.str("status") != "READY" || r.str("width") != "800" || r.str("height") != "1200" {
			t.Fatalf("photo: %s", r.raw)
		}
		rs := renditions(r)
		if len(rs) != 6 {
			t.Fatalf("renditions: %v", rs)
		}
		med := fetch(t, rs["medium.jpeg"]["url"].(string))
		if bytes.Contains(med, []byte("Exif")) || bytes.Contains(med, []byte("GPS")) {
			t.Error("the medium rendition keeps EXIF")
		}
		img, err := imaging.Decode(bytes.NewReader(med))
		if err != nil || img.Bounds().Dx() != 682 || img.Bounds().Dy() != 1024 {
			t.Fatalf("medium: %v %v", err, img.Bounds())
		}
		if r, g, _, _ := img.At(img.Bounds().Dx()-3, 2).RGBA(); r>>8 < 180 || g>>8 > 80 {
			t.Error("the medium rendition is not upright")
		}
		if media.Sniff(fetch(t, rs["thumb.webp"]["url"].(string))) != media.FormatWebP {
			t.Error("thumb.webp is not WebP")
		}
		// Reading the photo again gives the same links (browsers reuse the thumbnails they have),
		// and the store lets them keep the bytes while the link lasts.
		again := renditions(c.want(200, admin, "GET", "/api/v1/media/"+id, nil))
		if again["thumb.jpeg"]["url"] != rs["thumb.jpeg"]["url"] {
			t.Errorf("the thumbnail link changed between two reads:\n%v\n%v", rs["thumb.jpeg"]["url"], again["thumb.jpeg"]["url"])
		}
		resp, err := http.Get(rs["thumb.jpeg"]["url"].(string))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if cc := resp.Header.Get("Cache-Control"); !strings.HasPrefix(cc, "private, max-age=") || cc == "private, max-age=0" {
			t.Errorf("rendition Cache-Control = %q", cc)
		}
	})

	t.Run("phone video with a rotation tag", func(t *testing.T) {
		clip, err := os.ReadFile(mediatest.PhoneClip(t, tools.FFmpeg, t.TempDir()))
		if err != nil {
			t.Fatal(err)
		}
		id := upload(t, c, admin, item, "video", "video/quicktime", "VID_0001.MOV", clip)
		r := settle(t, c, admin, id)
		if r.str("status") != "READY" || r.str("width") != "360" || r.str("height") != "640" {
			t.Fatalf("video: %s", r.raw)
		}
		rs := renditions(r)
		path := filepath.Join(t.TempDir(), "v.mp4")
		os.WriteFile(path, fetch(t, rs["video.mp4"]["url"].(string)), 0o600)
		p, err := media.ProbeVideo(context.Background(), tools, path)
		if err != nil || p.VideoCodec != "h264" || p.Width != 360 || p.Height != 640 || p.Rotation != 0 {
			t.Fatalf("transcoded: %+v %v", p, err)
		}
		if rs["poster.jpeg"] == nil || rs["poster.webp"] == nil {
			t.Fatalf("no poster: %v", rs)
		}
	})

	// Every type the API accepts — and the rejection message promises — becomes READY when the
	// bytes are what the type says: enumerated from gallery.Types, made by ffmpeg.
	t.Run("every accepted type", func(t *testing.T) {
		for _, ct := range gallery.ContentTypes {
			typ := gallery.Types[ct]
			t.Run(ct, func(t *testing.T) {
				args := []string{"-f", "lavfi", "-i", "testsrc=size=320x240:rate=10:duration=1"}
				if typ.Kind == appraisal.MediaImage {
					args = append(args, "-frames:v", "1")
				} else {
					args = append(args, "-pix_fmt", "yuv420p")
				}
				sample, err := os.ReadFile(mediatest.Video(t, tools.FFmpeg, t.TempDir(), "sample"+typ.Ext, args...))
				if err != nil {
					t.Fatal(err)
				}
				id := upload(t, c, admin, item, string(typ.Kind), ct, "sample"+typ.Ext, sample)
				if r := settle(t, c, admin, id); r.str("status") != "READY" {
					t.Fatalf("%s: %s", ct, r.raw)
				}
				c.want(204, admin, "DELETE", "/api/v1/media/"+id, nil)
			})
		}
	})

	t.Run("a text file named .jpg is rejected and leaves nothing", func(t *testing.T) {
		id := upload(t, c, admin, item, "image", "image/jpeg", "notes.jpg", []byte("just some text pretending to be a photo"))
		r := settle(t, c, admin, id)
		if r.str("status") != "REJECTED" || r.str("reason") == "" {
			t.Fatalf("disguised text: %s", r.raw)
		}
		if _, err := os.Stat(filepath.Join(dataDir, "objects", "originals")); err != nil {
			t.Fatalf("the originals are not where this test looks: %v", err)
		}
		if _, err := os.Stat(filepath.Join(dataDir, "objects", "derived", id)); !os.IsNotExist(err) {
			t.Errorf("derived/%s exists after a rejection", id)
		}
		// Reprocessing runs it again, with the same verdict.
		if rr := c.want(200, admin, "POST", "/api/v1/media/"+id+"/reprocess", nil); rr.str("status") != "UPLOADED" {
			t.Fatalf("reprocess: %s", rr.raw)
		}
		if r := settle(t, c, admin, id); r.str("status") != "REJECTED" || r.str("attempts") != "1" {
			t.Fatalf("after reprocess: %s", r.raw)
		}
	})

	list := c.want(200, admin, "GET", "/api/v1/media?owner_type=item&owner_id="+item, nil)
	if n := len(list.body["items"].([]any)); n != 3 {
		t.Fatalf("the item has %d media, want 3", n)
	}
	dash := c.want(200, admin, "GET", "/api/v1/dashboard", nil)
	m := dash.body["media"].(map[string]any)
	if m["ready"] != float64(2) || m["rejected"] != float64(1) {
		t.Errorf("dashboard media %v", m)
	}
	var deleted string
	json.Unmarshal([]byte(`"`+list.body["items"].([]any)[0].(map[string]any)["id"].(string)+`"`), &deleted)
	c.want(204, admin, "DELETE", "/api/v1/media/"+deleted, nil)
	c.want(404, admin, "GET", "/api/v1/media/"+deleted, nil)
	if strings.Contains(string(c.want(200, admin, "GET", "/api/v1/media?owner_type=item&owner_id="+item, nil).raw), `"id":"`+deleted+`"`) {
		t.Error("a deleted file is still listed")
	}
}
