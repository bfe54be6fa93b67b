// Command api-media is the SCF event function for the media API group (upload sessions, media
// lists and details), behind API Gateway or a Function URL. The routes are in shared/httpapi.
package main

import (
	"github.com/jianbao/admin/functions/internal/app"
	"github.com/jianbao/admin/shared/httpapi"
)

func main() { app.MainAPI(httpapi.GroupMedia) }
