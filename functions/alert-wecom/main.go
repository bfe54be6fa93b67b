// Command alert-wecom relays Alertmanager webhooks and Tencent Cloud Monitor alarm callbacks to
// the WeCom group robot (POST /hooks/alertmanager?token=…, POST /hooks/cloud-monitor?token=…),
// behind a Function URL. The shim mounts the same relay.
package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"

	"github.com/jianbao/admin/functions/internal/app"
	"github.com/jianbao/admin/shared/logs"
	"github.com/jianbao/admin/shared/scf"
)

func main() {
	build := func(ctx context.Context) (http.Handler, error) {
		cfg, err := app.LoadConfig(ctx, os.Getenv)
		if err != nil {
			return nil, err
		}
		a, err := app.Open(ctx, cfg, logs.New(os.Stdout, cfg.LogLevel), app.Options{})
		if err != nil {
			return nil, err
		}
		relay := a.Relay()
		if relay == nil {
			return nil, errors.New("alert-wecom: WECOM_WEBHOOK_URL and ALERT_RELAY_TOKEN must be set")
		}
		return scf.StripBasePath(cfg.APIBasePath, http.StripPrefix("/hooks", relay.Handler())), nil
	}
	if err := scf.StartHTTP(build, scf.HTTPOptions{}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
