package catalog_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/jianbao/admin/shared/appraisal"
	"github.com/jianbao/admin/shared/cos"
	"github.com/jianbao/admin/shared/cos/costest"
	"github.com/jianbao/admin/shared/logs"
	"github.com/jianbao/admin/shared/media/mediatest"
	"github.com/jianbao/admin/shared/mysql"
	"github.com/jianbao/admin/shared/scf/scftest"
	"github.com/jianbao/admin/shared/testenv"
)

// TestMediaFunctions runs the built media-image and media-video binaries under the SCF runtime on
// a COS event in Tencent's documented shape, against an S3-compatible fake of the bucket and a
// real database: the objects are processed once, however often the event comes.
func TestMediaFunctions(t *testing.T) {
	if testing.Short() {
		t.Skip("builds function binaries")
	}
	ffmpeg, ffprobe := mediatest.Tools(t)
	fake := costest.New(t, "jianbao-media-1250000000")
	bucketURL, endpoint := fake.BucketURL, fake.Endpoint
	blobs, err := cos.New(cos.Options{BucketURL: bucketURL, Endpoint: endpoint, DisableCRC: true,
		Credentials: func() cos.Credentials { return cos.Credentials{SecretID: "AKIDtest", SecretKey: "k"} }})
	if err != nil {
		t.Fatal(err)
	}

	ctx := context.Background()
	db, r := testenv.MySQL(t), testenv.Redis(t)
	if _, err := mysql.Migrate(ctx, db.DB, logs.Discard()); err != nil {
		t.Fatal(err)
	}
	store := mysql.NewStore(db.DB)
	env := map[string]string{"APP_ENV": "dev", "MYSQL_DSN": db.DSN, "REDIS_ADDR": r.Addr, "REDIS_PREFIX": r.Prefix,
		"JWT_SECRET": strings.Repeat("f", 32), "PII_SECRET": strings.Repeat("p", 32), "COS_BUCKET_URL": bucketURL,
		"COS_ENDPOINT": endpoint, "FFMPEG_PATH": ffmpeg, "FFPROBE_PATH": ffprobe,
		// The run role's temporary keys arrive with every invoke.
		"TENCENTCLOUD_SECRETID": "AKIDrole", "TENCENTCLOUD_SECRETKEY": "rolekey", "TENCENTCLOUD_SESSIONTOKEN": "roletoken"}

	// A photo uploaded straight to the bucket, with a Chinese name: no media row yet.
	photoKey := "originals/2026/11/青花瓷 瓶.jpg"
	photo := mediatest.JPEG(t, 1200, 800, 6)
	if err := blobs.Put(ctx, photoKey, bytes.NewReader(photo), int64(len(photo)), "image/jpeg"); err != nil {
		t.Fatal(err)
	}
	event, err := os.ReadFile("testdata/cos_media_event.json")
	if err != nil {
		t.Fatal(err)
	}

	fn := scftest.StartBinary(t, scftest.BuildFunction(t, "..", "./media-image"))
	for delivery := 1; delivery <= 2; delivery++ {
		resp := fn.Invoke(t, event, env)
		if resp.Error != nil {
			t.Fatalf("delivery %d: %+v", delivery, resp.Error)
		}
		if !strings.Contains(string(resp.Payload), "青花瓷 瓶.jpg") {
			t.Fatalf("delivery %d: %s", delivery, resp.Payload)
		}
	}
	m, err := store.MediaByKey(ctx, photoKey)
	if err != nil {
		t.Fatal(err)
	}
	if m.Status != appraisal.MediaReady || m.Attempts != 1 || m.OwnerType != "" || m.Width != 800 || m.Height != 1200 || len(m.Renditions) != 6 {
		t.Fatalf("photo after two deliveries: %+v", m)
	}
	for _, rd := range m.Renditions {
		if !strings.HasPrefix(rd.Key, "derived/"+strconv.FormatInt(m.ID, 10)+"/") {
			t.Errorf("rendition outside derived/: %s", rd.Key)
		}
		if _, err := blobs.Head(ctx, rd.Key); err != nil {
			t.Errorf("rendition %s missing: %v", rd.Key, err)
		}
	}

	// A phone video, through media-video.
	clip, _ := os.ReadFile(mediatest.PhoneClip(t, ffmpeg, t.TempDir()))
	videoKey := "originals/2026/11/42.mov"
	if err := blobs.Put(ctx, videoKey, bytes.NewReader(clip), int64(len(clip)), "video/quicktime"); err != nil {
		t.Fatal(err)
	}
	var ev map[string]any
	json.Unmarshal(event, &ev)
	rec := ev["Records"].([]any)[0].(map[string]any)
	rec["cos"].(map[string]any)["cosObject"].(map[string]any)["key"] = "/1250000000/jianbao-media/" + videoKey
	videoEvent, _ := json.Marshal(ev)
	vfn := scftest.StartBinary(t, scftest.BuildFunction(t, "..", "./media-video"))
	if resp := vfn.Invoke(t, videoEvent, env); resp.Error != nil {
		t.Fatalf("video: %+v", resp.Error)
	}
	v, err := store.MediaByKey(ctx, videoKey)
	if err != nil || v.Status != appraisal.MediaReady || v.Kind != appraisal.MediaVideo || v.Width != 360 || v.Height != 640 {
		t.Fatalf("video: %+v %v", v, err)
	}
}
