package media

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	_ "image/gif" // GIF input: the first frame
	"image/jpeg"
	_ "image/png"
	"os/exec"
	"sort"
	"strconv"

	"github.com/disintegration/imaging"
	_ "golang.org/x/image/webp" // WebP input

	"github.com/jianbao/admin/shared/appraisal"
)

// Size is a rendition's name and the length of its longest side.
type Size struct {
	Name    string
	Longest int
}

// DefaultSizes are the image renditions: thumb for lists, medium for review, large for zoom.
var DefaultSizes = []Size{{"thumb", 320}, {"medium", 1024}, {"large", 2048}}

// Watermark is overlaid on customer-facing renditions (medium and large).
type Watermark struct {
	Logo     image.Image
	Position string  // top-left, top-right, bottom-left, bottom-right, center
	Opacity  float64 // 0–1
	Scale    float64 // logo width as a fraction of the image width
}

// ImageOptions tune image processing.
type ImageOptions struct {
	Sizes     []Size
	Quality   int   // JPEG quality
	MaxPixels int64 // decompression-bomb guard, checked from the header before decoding
	// FFmpeg encodes the WebP renditions; empty means no WebP.
	FFmpeg    string
	Watermark *Watermark
}

// Output is one rendition's bytes.
type Output struct {
	Name   string
	Format string // jpeg | webp | mp4
	Data   []byte
	Width  int
	Height int
}

// ImageInfo describes the original.
type ImageInfo struct {
	Format        Format
	Width, Height int // after orientation
}

// ProcessImage checks, orients and renders an image. Renditions are never upscaled and carry no
// metadata: the encoders write pixels only, so EXIF (GPS included) stays with the private original.
func ProcessImage(ctx context.Context, data []byte, o ImageOptions) (ImageInfo, []Output, error) {
	f := Sniff(data)
	switch {
	case len(data) == 0:
		return ImageInfo{}, nil, reject(appraisal.ReasonEmpty, "the file is empty")
	case f == FormatHEIF:
		return ImageInfo{}, nil, reject(appraisal.ReasonHEIF, "HEIC/HEIF is not supported; export the photo as JPEG")
	case !f.IsImage():
		return ImageInfo{}, nil, reject(appraisal.ReasonUnsupported, "not a JPEG, PNG, WebP or GIF image")
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return ImageInfo{}, nil, reject(appraisal.ReasonDamaged, "unreadable %s header: %v", f, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || int64(cfg.Width)*int64(cfg.Height) > o.MaxPixels {
		return ImageInfo{}, nil, reject(appraisal.ReasonTooManyPixels, "%d×%d is over the %d-pixel limit", cfg.Width, cfg.Height, o.MaxPixels)
	}
	img, err := imaging.Decode(bytes.NewReader(data), imaging.AutoOrientation(true))
	if err != nil {
		return ImageInfo{}, nil, reject(appraisal.ReasonDamaged, "the %s image is damaged or truncated: %v", f, err)
	}
	b := img.Bounds()
	info := ImageInfo{Format: f, Width: b.Dx(), Height: b.Dy()}

	// Render largest first and scale each smaller size from the one before: resampling a
	// 12-megapixel original once instead of three times is most of the speed.
	sizes := append([]Size(nil), o.Sizes...)
	sort.Slice(sizes, func(i, j int) bool { return sizes[i].Longest > sizes[j].Longest })
	var outs []Output
	src := img
	for _, s := range sizes {
		if err := ctx.Err(); err != nil {
			return info, nil, err
		}
		if sb := src.Bounds(); max(sb.Dx(), sb.Dy()) > s.Longest {
			src = imaging.Fit(src, s.Longest, s.Longest, imaging.Lanczos)
		}
		r := src
		if o.Watermark != nil && s.Name != "thumb" {
			r = o.Watermark.apply(r)
		}
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, opaque(r), &jpeg.Options{Quality: o.Quality}); err != nil {
			return info, nil, fmt.Errorf("encode %s: %w", s.Name, err)
		}
		rb := r.Bounds()
		outs = append(outs, Output{Name: s.Name, Format: "jpeg", Data: buf.Bytes(), Width: rb.Dx(), Height: rb.Dy()})
		if o.FFmpeg != "" {
			wb, err := EncodeWebP(ctx, o.FFmpeg, r, o.Quality)
			if err != nil {
				return info, nil, err
			}
			outs = append(outs, Output{Name: s.Name, Format: "webp", Data: wb, Width: rb.Dx(), Height: rb.Dy()})
		}
	}
	return info, outs, nil
}

// opaque returns img as an *image.RGBA for the JPEG encoder, whose fast path takes RGBA (or
// YCbCr) but not NRGBA. Transparent pixels go on white: JPEG has no alpha, and black backgrounds
// surprise. An opaque NRGBA has RGBA's bytes, so it is wrapped, not copied.
func opaque(img image.Image) image.Image {
	if _, ok := img.(*image.YCbCr); ok {
		return img
	}
	n, ok := img.(*image.NRGBA)
	if !ok || !n.Opaque() {
		b := img.Bounds()
		n = imaging.Overlay(imaging.New(b.Dx(), b.Dy(), color.White), img, image.Pt(0, 0), 1)
	}
	return &image.RGBA{Pix: n.Pix, Stride: n.Stride, Rect: n.Rect}
}

// EncodeWebP encodes img as WebP with FFmpeg's libwebp, feeding raw RGBA on stdin so no
// intermediate format is encoded and decoded.
func EncodeWebP(ctx context.Context, ffmpeg string, img image.Image, quality int) ([]byte, error) {
	n := imaging.Clone(img) // *image.NRGBA with a packed stride
	w, h := n.Bounds().Dx(), n.Bounds().Dy()
	cmd := exec.CommandContext(ctx, ffmpeg, "-hide_banner", "-loglevel", "error", "-f", "rawvideo", "-pix_fmt", "rgba",
		"-s", strconv.Itoa(w)+"x"+strconv.Itoa(h), "-i", "-", "-frames:v", "1", "-c:v", "libwebp",
		"-quality", strconv.Itoa(quality), "-f", "webp", "-")
	cmd.Stdin = bytes.NewReader(n.Pix)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("ffmpeg webp: %v: %s", err, errb.Bytes())
	}
	return out.Bytes(), nil
}

func (wm *Watermark) apply(img image.Image) image.Image {
	b := img.Bounds()
	scale := wm.Scale
	if scale <= 0 {
		scale = 0.2
	}
	logo := imaging.Resize(wm.Logo, max(1, int(float64(b.Dx())*scale)), 0, imaging.Lanczos)
	lb := logo.Bounds()
	margin := b.Dx() / 50
	var pt image.Point
	switch wm.Position {
	case "top-left":
		pt = image.Pt(margin, margin)
	case "top-right":
		pt = image.Pt(b.Dx()-lb.Dx()-margin, margin)
	case "bottom-left":
		pt = image.Pt(margin, b.Dy()-lb.Dy()-margin)
	case "center":
		pt = image.Pt((b.Dx()-lb.Dx())/2, (b.Dy()-lb.Dy())/2)
	default:
		pt = image.Pt(b.Dx()-lb.Dx()-margin, b.Dy()-lb.Dy()-margin)
	}
	return imaging.Overlay(img, logo, pt, wm.Opacity)
}
