// Command media-video is the SCF function that COS triggers for every video uploaded under
// originals/: it probes and transcodes it with the FFmpeg layer at /opt/bin (shared/media).
package main

import "github.com/jianbao/admin/functions/internal/app"

func main() { app.MainMedia() }
