// Command releasectl moves the API functions' "live" alias (package release):
//
//	releasectl status ENV
//	releasectl migrate ENV             run the migrate function and print what it applied
//	releasectl promote ENV BUILD       publish $LATEST as versions, smoke test them, point live at them
//	releasectl rollback ENV            point live back where it was before the last move
//	releasectl pin ENV FUNCTION N      point one function's live at its version N
//
// scripts/deploy runs migrate and promote. The API is reached the way the tencentcloud provider
// reaches it (TENCENTCLOUD_DOMAIN, TENCENTCLOUD_PROTOCOL), so the same run works against a local
// cloud. Credentials: TENCENTCLOUD_SECRET_ID,
// TENCENTCLOUD_SECRET_KEY (TENCENTCLOUD_SESSION_TOKEN); region: TENCENTCLOUD_REGION
// (ap-guangzhou).
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"

	"github.com/jianbao/admin/functions/internal/release"
	"github.com/jianbao/admin/shared/tencentapi"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, nil); err != nil {
		fmt.Fprintln(os.Stderr, "releasectl:", err)
		if errors.Is(err, errUsage) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

var errUsage = errors.New(`usage:
  releasectl status ENV
  releasectl migrate ENV
  releasectl promote ENV BUILD
  releasectl rollback ENV
  releasectl pin ENV FUNCTION VERSION`)

func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer, api tencentapi.Caller) error {
	if len(args) < 2 {
		return errUsage
	}
	switch args[1] {
	case "dev", "test", "prod":
	default:
		return errUsage
	}
	want := map[string]int{"status": 2, "migrate": 2, "promote": 3, "rollback": 2, "pin": 4}
	if n, ok := want[args[0]]; !ok || len(args) != n {
		return errUsage
	}
	if api == nil {
		region := getenv("TENCENTCLOUD_REGION")
		if region == "" {
			region = "ap-guangzhou"
		}
		c, err := tencentapi.FromEnv(getenv, region)
		if err != nil {
			return err
		}
		api = c
	}
	ns := "jianbao-" + args[1]
	var moves []release.Move
	var err error
	switch args[0] {
	case "status":
		moves, err = release.Status(ctx, api, ns)
	case "migrate":
		applied, err := release.Migrate(ctx, api, ns)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "migrations applied: %d %v\n", len(applied), applied)
		return nil
	case "promote":
		moves, err = release.Promote(ctx, api, ns, args[2])
	case "rollback":
		moves, err = release.Rollback(ctx, api, ns)
	case "pin":
		var m release.Move
		m, err = release.Pin(ctx, api, ns, args[2], args[3])
		if err == nil {
			moves = []release.Move{m}
		}
	}
	for _, m := range moves {
		if m.From == m.To {
			fmt.Fprintf(stdout, "%-12s %s = %s\n", m.Function, release.Alias, m.To)
		} else {
			fmt.Fprintf(stdout, "%-12s %s %s → %s\n", m.Function, release.Alias, m.From, m.To)
		}
	}
	return err
}
