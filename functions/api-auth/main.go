// Command api-auth is the SCF event function for the auth API group, behind API Gateway or a
// Function URL. The routes are in shared/httpapi; the catalog lists them.
package main

import (
	"github.com/jianbao/admin/functions/internal/app"
	"github.com/jianbao/admin/shared/httpapi"
)

func main() { app.MainAPI(httpapi.GroupAuth) }
