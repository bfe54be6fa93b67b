// Command media-image is the SCF function that COS triggers for every photo uploaded under
// originals/: it checks, orients, strips and renders it (shared/media).
package main

import "github.com/jianbao/admin/functions/internal/app"

func main() { app.MainMedia() }
