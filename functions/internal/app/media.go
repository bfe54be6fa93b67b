package app

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/jianbao/admin/shared/gallery"
	"github.com/jianbao/admin/shared/httpapi"
	"github.com/jianbao/admin/shared/localstore"
	"github.com/jianbao/admin/shared/media"
	"github.com/jianbao/admin/shared/wecom"
)

// openLocalStore keeps objects under DATA_DIR when COS is not configured, with URLs signed by a
// key derived from JWT_SECRET (one secret fewer to manage) and served by the shim itself.
func openLocalStore(a *App) (*localstore.Store, error) {
	dir, err := filepath.Abs(a.Config.DataDir)
	if err != nil {
		return nil, err
	}
	m := hmac.New(sha256.New, []byte(a.Config.JWTSecret))
	m.Write([]byte("jianbao localstore signing v1"))
	s, err := localstore.New(dir, a.Config.PublicBaseURL, m.Sum(nil))
	if err != nil {
		return nil, err
	}
	s.MaxPut = a.Config.MediaMaxVideoBytes
	return s, nil
}

// tool resolves an FFmpeg binary. A missing one is not fatal at start (API-only instances never
// run it), but every video or WebP rendition will fail with a clear reason.
func (a *App) tool(name string) string {
	p, err := exec.LookPath(name)
	if err != nil {
		a.Log.Warn("media tool not found: processing that needs it will fail", "tool", name)
		return name
	}
	return p
}

// Processor builds the media processor from the configuration.
func (a *App) Processor() *media.Processor {
	host, _ := os.Hostname()
	p := &media.Processor{Blobs: a.Blobs, Store: a.Store, Log: a.Log, Worker: fmt.Sprintf("%s-%d", host, os.Getpid()),
		Lease: media.DefaultLease, MaxAttempts: a.Config.MediaMaxAttempts,
		Limits: media.Limits{MaxImageBytes: a.Config.MediaMaxImageBytes, MaxVideoBytes: a.Config.MediaMaxVideoBytes},
		Image:  media.ImageOptions{Sizes: media.DefaultSizes, Quality: 82, MaxPixels: a.Config.MediaMaxPixels, FFmpeg: a.tool(a.Config.FFmpegPath)},
		Video: media.VideoOptions{Tools: media.Tools{FFmpeg: a.tool(a.Config.FFmpegPath), FFprobe: a.tool(a.Config.FFprobePath)},
			MaxDuration: a.Config.MediaMaxVideoDuration, Preset: "veryfast", CRF: 23},
	}
	if a.Config.WeComWebhookURL != "" {
		p.Notify = wecom.New(a.Config.WeComWebhookURL)
	}
	if a.Config.MediaWatermarkLogo != "" {
		// A logo that cannot be read is logged, not fatal: renditions without a watermark beat none.
		if f, err := os.Open(a.Config.MediaWatermarkLogo); err != nil {
			a.Log.Error("watermark logo unreadable", "path", a.Config.MediaWatermarkLogo, "err", err)
		} else {
			logo, err := media.DecodeLogo(f)
			f.Close()
			if err != nil {
				a.Log.Error("watermark logo unreadable", "path", a.Config.MediaWatermarkLogo, "err", err)
			} else {
				p.Image.Watermark = &media.Watermark{Logo: logo, Position: a.Config.MediaWatermarkPosition,
					Opacity: a.Config.MediaWatermarkOpacity, Scale: 0.2}
			}
		}
	}
	return p
}

// mediaDeps adds what the media routes need.
func (a *App) mediaDeps(d *httpapi.Deps) {
	d.Blobs = a.Blobs
	d.Gallery = &gallery.Service{Store: a.Store, Blobs: a.Blobs, Permissions: a.Auth, Dispatch: a.dispatch, Audit: a.Store,
		Limits: gallery.Limits{MaxImageBytes: a.Config.MediaMaxImageBytes, MaxVideoBytes: a.Config.MediaMaxVideoBytes}}
}

// Sweeper re-queues what processing owes (media.Sweeper) through dispatch; nil dispatch means the
// App's own: the stream, or a COS self-copy on SCF.
func (a *App) Sweeper(dispatch func(ctx context.Context, key string) error) *media.Sweeper {
	if dispatch == nil {
		dispatch = a.dispatch
	}
	return &media.Sweeper{Store: a.MySQL, Blobs: a.Blobs, Dispatch: dispatch, MaxAttempts: a.Config.MediaMaxAttempts, Log: a.Log}
}

// workerHealth says whether the media workers can read their stream: the last read Redis
// answered is recent. While it is not, uploads are still processed, through the sweeper.
func (a *App) workerHealth(context.Context) error {
	if a.Stream == nil {
		return nil
	}
	last, lastErr := a.Stream.Health()
	if lastErr != "" || last.IsZero() || time.Since(last) > 3*a.Stream.Block+5*time.Second {
		return fmt.Errorf("stream not read since %s (%s); the sweeper processes uploads from MySQL", last.UTC().Format(time.RFC3339), lastErr)
	}
	return nil
}

// Relay is the alert relay to the WeCom robot, or nil when it is not configured.
func (a *App) Relay() *wecom.Relay {
	if a.Config.WeComWebhookURL == "" || a.Config.AlertRelayToken == "" {
		return nil
	}
	return &wecom.Relay{Robot: wecom.New(a.Config.WeComWebhookURL), Limit: a.Throttle, Token: a.Config.AlertRelayToken,
		Log: a.Log, Prefix: "relay:"}
}
