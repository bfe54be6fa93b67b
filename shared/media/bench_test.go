package media_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/jianbao/admin/shared/media"
	"github.com/jianbao/admin/shared/media/mediatest"
)

// photo12MP is a 4000×3000 JPEG with gradients and noise, so the encoders do real work.
var photo12MP = sync.OnceValue(func() []byte {
	img := image.NewNRGBA(image.Rect(0, 0, 4000, 3000))
	r := rand.New(rand.NewPCG(1, 2))
	for y := 0; y < 3000; y++ {
		for x := 0; x < 4000; x++ {
			n := uint8(r.IntN(24))
			img.Set(x, y, color.NRGBA{R: uint8(x/16) + n, G: uint8(y/12) + n, B: uint8((x+y)/28) + n, A: 255})
		}
	}
	var buf bytes.Buffer
	jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90})
	return buf.Bytes()
})

// BenchmarkImage12MP is one 12-megapixel photo to every rendition (JPEG and WebP). Run it on one
// core: go test -run '^$' -bench Image12MP -cpu 1 -count 5 ./shared/media/
func BenchmarkImage12MP(b *testing.B) {
	o := opts(b)
	data := photo12MP()
	b.ResetTimer()
	for b.Loop() {
		if _, _, err := media.ProcessImage(context.Background(), data, o); err != nil {
			b.Fatal(err)
		}
	}
}

// clip1080p is a 30-second 1080p H.264/AAC clip, made once.
func clip1080p(b *testing.B, ffmpeg string) string {
	b.Helper()
	dir := filepath.Join(os.TempDir(), "jianbao-bench")
	os.MkdirAll(dir, 0o700)
	path := filepath.Join(dir, "clip-1080p-30s.mp4")
	if _, err := os.Stat(path); err == nil {
		return path
	}
	mediatest.Video(b, ffmpeg, dir, "clip-1080p-30s.mp4", "-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=30:duration=30",
		"-f", "lavfi", "-i", "sine=frequency=440:duration=30", "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p",
		"-c:a", "aac", "-shortest")
	return path
}

// BenchmarkVideo30s1080p compares the bare FFmpeg transcode with the whole pipeline (probe,
// transcode, poster, probe of the result, storing the renditions and recording them in MariaDB)
// in one run: go test -run '^$' -bench Video30s -benchtime 1x -count 3 ./shared/media/
func BenchmarkVideo30s1080p(b *testing.B) {
	tools := ffmpeg(b)
	clip := clip1080p(b, tools.FFmpeg)
	vo := media.VideoOptions{Tools: tools, MaxDuration: 10 * 60e9, Preset: "veryfast", CRF: 23}
	b.Run("bare-ffmpeg", func(b *testing.B) {
		out := filepath.Join(b.TempDir(), "out.mp4")
		for b.Loop() {
			if o, err := exec.Command(tools.FFmpeg, media.TranscodeArgs(vo, clip, out)...).CombinedOutput(); err != nil {
				b.Fatalf("%v %s", err, o)
			}
		}
	})
	b.Run("pipeline", func(b *testing.B) {
		ps, _, blobs := processorsB(b)
		data, _ := os.ReadFile(clip)
		ctx := context.Background()
		i := 0
		for b.Loop() {
			b.StopTimer()
			i++
			key := fmt.Sprintf("originals/2026/11/bench-%d.mp4", i)
			blobs.Put(ctx, key, bytes.NewReader(data), int64(len(data)), "video/mp4")
			b.StartTimer()
			if err := ps.Handle(ctx, key); err != nil {
				b.Fatal(err)
			}
		}
	})
}
