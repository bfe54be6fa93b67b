// Package media turns uploaded originals into web renditions: images with
// disintegration/imaging (orientation, metadata stripping, sizes, watermark) and videos with
// ffprobe and ffmpeg run as processes. It decides from the bytes, never from the file name or the
// declared type, and it tells bad input (Rejection: final) from trouble worth a retry.
package media

import (
	"bytes"
	"errors"
	"fmt"
)

// Format is a file format recognised from its first bytes.
type Format string

const (
	FormatUnknown Format = ""
	FormatJPEG    Format = "jpeg"
	FormatPNG     Format = "png"
	FormatGIF     Format = "gif"
	FormatWebP    Format = "webp"
	FormatHEIF    Format = "heif"
	FormatMP4     Format = "mp4" // ISO BMFF: MP4 and QuickTime MOV
	FormatWebM    Format = "webm"
)

// IsImage reports whether f is an image format we process.
func (f Format) IsImage() bool {
	return f == FormatJPEG || f == FormatPNG || f == FormatGIF || f == FormatWebP
}

// IsVideo reports whether f is a video container.
func (f Format) IsVideo() bool { return f == FormatMP4 || f == FormatWebM }

// Sniff recognises a format from at least the first 16 bytes of a file.
func Sniff(head []byte) Format {
	switch {
	case len(head) >= 3 && bytes.Equal(head[:3], []byte{0xFF, 0xD8, 0xFF}):
		return FormatJPEG
	case len(head) >= 8 && bytes.Equal(head[:8], []byte("\x89PNG\r\n\x1a\n")):
		return FormatPNG
	case len(head) >= 6 && (bytes.Equal(head[:6], []byte("GIF87a")) || bytes.Equal(head[:6], []byte("GIF89a"))):
		return FormatGIF
	case len(head) >= 12 && bytes.Equal(head[:4], []byte("RIFF")) && bytes.Equal(head[8:12], []byte("WEBP")):
		return FormatWebP
	case len(head) >= 4 && bytes.Equal(head[:4], []byte{0x1A, 0x45, 0xDF, 0xA3}):
		return FormatWebM
	case len(head) >= 12 && bytes.Equal(head[4:8], []byte("ftyp")):
		switch string(head[8:12]) {
		case "heic", "heix", "hevc", "hevx", "heim", "heis", "mif1", "msf1", "avif":
			return FormatHEIF
		}
		return FormatMP4
	case len(head) >= 8 && (bytes.Equal(head[4:8], []byte("moov")) || bytes.Equal(head[4:8], []byte("mdat")) ||
		bytes.Equal(head[4:8], []byte("wide")) || bytes.Equal(head[4:8], []byte("free"))):
		return FormatMP4
	}
	return FormatUnknown
}

// Rejection is bad input: processing it again will not help. Its reason is shown to staff.
type Rejection struct {
	Code   string // one of the Reason… codes: stable, for clients and translations
	Reason string // what exactly was wrong, for people reading the record
}

func (r *Rejection) Error() string { return "rejected (" + r.Code + "): " + r.Reason }

func reject(code, format string, args ...any) error {
	return &Rejection{Code: code, Reason: fmt.Sprintf(format, args...)}
}

// IsRejection reports whether err means the input is bad.
func IsRejection(err error) (*Rejection, bool) {
	var r *Rejection
	ok := errors.As(err, &r)
	return r, ok
}
