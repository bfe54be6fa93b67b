package media

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"strconv"
	"time"

	"github.com/jianbao/admin/shared/appraisal"
)

// Tools says where FFmpeg is: /opt/bin on SCF (the layer), PATH locally.
type Tools struct {
	FFmpeg  string
	FFprobe string
}

// Probe is what ffprobe says of a video.
type Probe struct {
	Duration   time.Duration
	Width      int // as displayed, after rotation
	Height     int
	Rotation   int // degrees from the display matrix or the rotate tag
	VideoCodec string
	AudioCodec string
}

type ffprobeOut struct {
	Streams []struct {
		CodecType    string            `json:"codec_type"`
		CodecName    string            `json:"codec_name"`
		Width        int               `json:"width"`
		Height       int               `json:"height"`
		Tags         map[string]string `json:"tags"`
		SideDataList []struct {
			Rotation *float64 `json:"rotation"`
		} `json:"side_data_list"`
	} `json:"streams"`
	Format struct {
		Duration string `json:"duration"`
	} `json:"format"`
}

// ProbeVideo runs ffprobe. A file ffprobe cannot read, or one with no video stream, is rejected.
func ProbeVideo(ctx context.Context, t Tools, path string) (*Probe, error) {
	cmd := exec.CommandContext(ctx, t.FFprobe, "-v", "error", "-print_format", "json", "-show_streams", "-show_format", path)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if _, ok := err.(*exec.ExitError); ok {
			return nil, reject(appraisal.ReasonDamaged, "ffprobe cannot read the video: %s", firstLine(errb.String()))
		}
		return nil, fmt.Errorf("ffprobe: %w", err)
	}
	var p ffprobeOut
	if err := json.Unmarshal(out.Bytes(), &p); err != nil {
		return nil, fmt.Errorf("ffprobe output: %w", err)
	}
	res := &Probe{}
	for _, s := range p.Streams {
		switch s.CodecType {
		case "video":
			if res.VideoCodec != "" || s.CodecName == "mjpeg" || s.CodecName == "png" {
				continue // cover art is not the video
			}
			res.VideoCodec, res.Width, res.Height = s.CodecName, s.Width, s.Height
			if r, err := strconv.Atoi(s.Tags["rotate"]); err == nil {
				res.Rotation = r
			}
			for _, sd := range s.SideDataList {
				if sd.Rotation != nil {
					res.Rotation = int(*sd.Rotation)
				}
			}
		case "audio":
			if res.AudioCodec == "" {
				res.AudioCodec = s.CodecName
			}
		}
	}
	if res.VideoCodec == "" {
		return nil, reject(appraisal.ReasonNoVideo, "the file has no video stream")
	}
	if r := ((res.Rotation % 360) + 360) % 360; r == 90 || r == 270 {
		res.Width, res.Height = res.Height, res.Width
	}
	if secs, err := strconv.ParseFloat(p.Format.Duration, 64); err == nil {
		res.Duration = time.Duration(secs * float64(time.Second))
	}
	return res, nil
}

func firstLine(s string) string {
	if i := bytes.IndexByte([]byte(s), '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// VideoOptions tune video processing.
type VideoOptions struct {
	Tools
	MaxDuration time.Duration
	// Preset and CRF trade encoding time for size; veryfast/23 keeps a 30 s phone clip well
	// under the function timeout on 2 cores.
	Preset string
	CRF    int
}

// TranscodeVideo writes a 720p (longest side at most 1280, shortest at most 720) H.264/AAC MP4
// with the index first (faststart) to out, upright: FFmpeg applies the rotation to the pixels and
// drops the tag. Then it writes a poster JPEG chosen by FFmpeg's thumbnail filter.
func TranscodeVideo(ctx context.Context, o VideoOptions, in, out, poster string, p *Probe) error {
	if o.MaxDuration > 0 && p.Duration > o.MaxDuration {
		return reject(appraisal.ReasonTooLong, "the video lasts %s, over the %s limit", p.Duration.Round(time.Second), o.MaxDuration)
	}
	if err := run(ctx, o.FFmpeg, TranscodeArgs(o, in, out)...); err != nil {
		return err
	}
	at := p.Duration / 10
	if at > 3*time.Second {
		at = 3 * time.Second
	}
	return run(ctx, o.FFmpeg, "-hide_banner", "-loglevel", "error", "-y", "-ss", fmt.Sprintf("%.3f", at.Seconds()), "-i", out,
		"-vf", "thumbnail=25", "-frames:v", "1", "-q:v", "3", poster)
}

// TranscodeArgs are FFmpeg's arguments for the 720p transcode (the benchmark runs them bare).
func TranscodeArgs(o VideoOptions, in, out string) []string {
	scale := "scale=w='if(gte(iw,ih),min(1280,iw),-2)':h='if(gte(iw,ih),-2,min(1280,ih))',scale=w='if(gte(iw,ih),-2,min(720,iw))':h='if(gte(iw,ih),min(720,ih),-2)'"
	return []string{"-hide_banner", "-loglevel", "error", "-y", "-i", in, "-map", "0:v:0", "-map", "0:a:0?",
		"-vf", scale + ",format=yuv420p", "-c:v", "libx264", "-preset", o.Preset, "-crf", strconv.Itoa(o.CRF),
		"-profile:v", "high", "-c:a", "aac", "-b:a", "128k", "-ac", "2", "-movflags", "+faststart",
		"-map_metadata", "-1", out}
}

func run(ctx context.Context, bin string, args ...string) error {
	cmd := exec.CommandContext(ctx, bin, args...)
	var errb bytes.Buffer
	cmd.Stderr = &errb
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("%s: %w", bin, ctx.Err())
		}
		if _, ok := err.(*exec.ExitError); ok {
			return reject(appraisal.ReasonUnconvertible, "ffmpeg cannot convert the video: %s", firstLine(errb.String()))
		}
		return fmt.Errorf("%s: %w", bin, err)
	}
	return nil
}
