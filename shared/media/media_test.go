package media_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/gif"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/disintegration/imaging"

	"github.com/jianbao/admin/shared/media"
	"github.com/jianbao/admin/shared/media/mediatest"
)

func ffmpeg(tb testing.TB) media.Tools {
	f, p := mediatest.Tools(tb)
	return media.Tools{FFmpeg: f, FFprobe: p}
}

func opts(tb testing.TB) media.ImageOptions {
	return media.ImageOptions{Sizes: media.DefaultSizes, Quality: 82, MaxPixels: 50_000_000, FFmpeg: ffmpeg(tb).FFmpeg}
}

func TestSniff(t *testing.T) {
	tests := []struct {
		head string
		want media.Format
	}{
		{"\xFF\xD8\xFF\xE0", media.FormatJPEG},
		{"\x89PNG\r\n\x1a\n", media.FormatPNG},
		{"GIF89a", media.FormatGIF},
		{"RIFF\x00\x00\x00\x00WEBPVP8 ", media.FormatWebP},
		{"\x00\x00\x00\x18ftypheic", media.FormatHEIF},
		{"\x00\x00\x00\x18ftypisom", media.FormatMP4},
		{"\x00\x00\x00\x14ftypqt  ", media.FormatMP4},
		{"\x1A\x45\xDF\xA3", media.FormatWebM},
		{"hello, world", media.FormatUnknown},
		{"", media.FormatUnknown},
	}
	for _, tt := range tests {
		if got := media.Sniff([]byte(tt.head)); got != tt.want {
			t.Errorf("Sniff(%q) = %q, want %q", tt.head, got, tt.want)
		}
	}
}

// TestOrientationAndMetadata: a phone photo stored 400×200 with EXIF orientation 6 (rotate 90°
// clockwise to display) becomes upright 200×400 renditions with no EXIF or GPS left.
func TestOrientationAndMetadata(t *testing.T) {
	src := mediatest.JPEG(t, 400, 200, 6)
	if !bytes.Contains(src, []byte("Exif")) {
		t.Fatal("the test photo lacks its EXIF block")
	}
	info, outs, err := media.ProcessImage(context.Background(), src, opts(t))
	if err != nil {
		t.Fatal(err)
	}
	if info.Width != 200 || info.Height != 400 {
		t.Fatalf("oriented size %d×%d, want 200×400", info.Width, info.Height)
	}
	if len(outs) != 6 {
		t.Fatalf("%d renditions, want thumb, medium and large in JPEG and WebP", len(outs))
	}
	for _, o := range outs {
		if bytes.Contains(o.Data, []byte("Exif")) || bytes.Contains(o.Data, []byte("GPS")) {
			t.Errorf("%s.%s keeps metadata", o.Name, o.Format)
		}
		if o.Width > 200 || o.Height > 400 {
			t.Errorf("%s.%s upscaled to %d×%d", o.Name, o.Format, o.Width, o.Height)
		}
		if o.Format != "jpeg" {
			if media.Sniff(o.Data) != media.FormatWebP {
				t.Errorf("%s.webp is not WebP", o.Name)
			}
			continue
		}
		img, err := imaging.Decode(bytes.NewReader(o.Data))
		if err != nil {
			t.Fatal(err)
		}
		b := img.Bounds()
		// Rotating 90° clockwise moves the stored top-left corner to the top-right.
		r, g, _, _ := img.At(b.Max.X-3, 2).RGBA()
		if r>>8 < 180 || g>>8 > 80 {
			t.Errorf("%s: top-right pixel is not red (%d,%d): the orientation was not applied", o.Name, r>>8, g>>8)
		}
	}
}

func TestRenditionSizes(t *testing.T) {
	_, outs, err := media.ProcessImage(context.Background(), mediatest.JPEG(t, 3000, 2000, 0), opts(t))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][2]int{"thumb": {320, 213}, "medium": {1024, 682}, "large": {2048, 1365}}
	for _, o := range outs {
		if w := want[o.Name]; o.Width != w[0] || o.Height != w[1] {
			t.Errorf("%s.%s is %d×%d, want %v", o.Name, o.Format, o.Width, o.Height, w)
		}
	}
}

func TestBadImages(t *testing.T) {
	good := mediatest.JPEG(t, 64, 64, 0)
	tests := map[string][]byte{
		"zero bytes":          nil,
		"truncated JPEG":      good[:len(good)/2],
		"text named .jpg":     []byte("this is not a photo, just text in a .jpg file"),
		"60000×60000 PNG":     mediatest.HugePNG(60000, 60000),
		"HEIC":                []byte("\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic"),
		"a JPEG header alone": good[:20],
	}
	for name, data := range tests {
		t.Run(name, func(t *testing.T) {
			_, _, err := media.ProcessImage(context.Background(), data, opts(t))
			if r, ok := media.IsRejection(err); !ok || r.Reason == "" {
				t.Fatalf("want a rejection with a reason, got %v", err)
			}
		})
	}
}

func TestWatermark(t *testing.T) {
	logo := imaging.New(40, 20, mediatest.Red)
	o := opts(t)
	o.FFmpeg = ""
	o.Watermark = &media.Watermark{Logo: logo, Position: "bottom-right", Opacity: 1, Scale: 0.25}
	_, outs, err := media.ProcessImage(context.Background(), mediatest.JPEG(t, 800, 800, 0), o)
	if err != nil {
		t.Fatal(err)
	}
	for _, out := range outs {
		img, _ := imaging.Decode(bytes.NewReader(out.Data))
		b := img.Bounds()
		r, _, _, _ := img.At(b.Max.X-b.Dx()/50-5, b.Max.Y-b.Dy()/50-5).RGBA()
		if marked := r>>8 > 180; marked != (out.Name != "thumb") {
			t.Errorf("%s: watermark present = %v", out.Name, marked)
		}
	}
}

func TestVideo(t *testing.T) {
	tools := ffmpeg(t)
	dir := t.TempDir()
	ctx := context.Background()
	clip := mediatest.PhoneClip(t, tools.FFmpeg, dir)
	p, err := media.ProbeVideo(ctx, tools, clip)
	if err != nil {
		t.Fatal(err)
	}
	if p.Width != 360 || p.Height != 640 || p.VideoCodec != "h264" || p.AudioCodec != "aac" || p.Duration < 1900*time.Millisecond {
		t.Fatalf("probe %+v", p)
	}
	vo := media.VideoOptions{Tools: tools, MaxDuration: time.Minute, Preset: "veryfast", CRF: 23}
	out, poster := filepath.Join(dir, "out.mp4"), filepath.Join(dir, "poster.jpg")
	if err := media.TranscodeVideo(ctx, vo, clip, out, poster, p); err != nil {
		t.Fatal(err)
	}
	q, err := media.ProbeVideo(ctx, tools, out)
	if err != nil {
		t.Fatal(err)
	}
	if q.Width != 360 || q.Height != 640 || q.Rotation != 0 || q.VideoCodec != "h264" || q.AudioCodec != "aac" {
		t.Fatalf("transcoded %+v: want upright 360×640 H.264/AAC with no rotation left", q)
	}
	if !faststart(t, out) {
		t.Error("the moov atom is not before mdat (no faststart)")
	}
	if img, err := imaging.Open(poster); err != nil || img.Bounds().Dx() != 360 || img.Bounds().Dy() != 640 {
		t.Fatalf("poster: %v %v", err, bounds(img))
	}

	big := mediatest.Video(t, tools.FFmpeg, dir, "big.mp4", "-f", "lavfi", "-i", "testsrc=size=1920x1080:rate=25:duration=1",
		"-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p")
	bp, _ := media.ProbeVideo(ctx, tools, big)
	if err := media.TranscodeVideo(ctx, vo, big, out, poster, bp); err != nil {
		t.Fatal(err)
	}
	if q, _ := media.ProbeVideo(ctx, tools, out); q.Width != 1280 || q.Height != 720 {
		t.Fatalf("1080p became %d×%d, want 1280×720", q.Width, q.Height)
	}
}

func TestBadVideos(t *testing.T) {
	tools := ffmpeg(t)
	dir := t.TempDir()
	ctx := context.Background()
	audio := mediatest.Video(t, tools.FFmpeg, dir, "audio.mp4", "-f", "lavfi", "-i", "sine=duration=1", "-c:a", "aac")
	if _, err := media.ProbeVideo(ctx, tools, audio); !isRejection(err) {
		t.Errorf("audio only: %v", err)
	}
	garbage := filepath.Join(dir, "garbage.mp4")
	os.WriteFile(garbage, []byte("\x00\x00\x00\x18ftypisom not really a video"), 0o600)
	if _, err := media.ProbeVideo(ctx, tools, garbage); !isRejection(err) {
		t.Errorf("garbage: %v", err)
	}
	clip := mediatest.PhoneClip(t, tools.FFmpeg, dir)
	p, _ := media.ProbeVideo(ctx, tools, clip)
	vo := media.VideoOptions{Tools: tools, MaxDuration: time.Second, Preset: "veryfast", CRF: 23}
	if err := media.TranscodeVideo(ctx, vo, clip, filepath.Join(dir, "o.mp4"), filepath.Join(dir, "p.jpg"), p); !isRejection(err) {
		t.Errorf("over the duration limit: %v", err)
	}
}

func isRejection(err error) bool { _, ok := media.IsRejection(err); return ok }

func bounds(img image.Image) any {
	if img == nil {
		return nil
	}
	return img.Bounds()
}

// faststart reports whether the moov box comes before mdat.
func faststart(t *testing.T, path string) bool {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	moov, mdat := bytes.Index(b, []byte("moov")), bytes.Index(b, []byte("mdat"))
	return moov > 0 && mdat > 0 && moov < mdat
}

// TestGIFFirstFrame: an animated GIF becomes renditions of its first frame.
func TestGIFFirstFrame(t *testing.T) {
	pal := color.Palette{color.Black, mediatest.Red}
	frame := func(c uint8) *image.Paletted {
		p := image.NewPaletted(image.Rect(0, 0, 40, 30), pal)
		for i := range p.Pix {
			p.Pix[i] = c
		}
		return p
	}
	var buf bytes.Buffer
	if err := gif.EncodeAll(&buf, &gif.GIF{Image: []*image.Paletted{frame(1), frame(0)}, Delay: []int{10, 10}}); err != nil {
		t.Fatal(err)
	}
	info, outs, err := media.ProcessImage(context.Background(), buf.Bytes(), opts(t))
	if err != nil || info.Format != media.FormatGIF || info.Width != 40 || len(outs) == 0 {
		t.Fatalf("%+v %v", info, err)
	}
	img, _ := imaging.Decode(bytes.NewReader(outs[0].Data))
	if r, _, _, _ := img.At(5, 5).RGBA(); r>>8 < 180 {
		t.Error("not the first (red) frame")
	}
}
