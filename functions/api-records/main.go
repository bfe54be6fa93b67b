// Command api-records is the SCF event function for the records API group (the category tree,
// customers, items, service products and experts), behind a Function URL or API Gateway. The
// routes are in shared/httpapi, the rules in shared/records.
package main

import (
	"github.com/jianbao/admin/functions/internal/app"
	"github.com/jianbao/admin/shared/httpapi"
)

func main() { app.MainAPI(httpapi.GroupRecords) }
