//go:build noembed

package main

import (
	"errors"
	"log/slog"

	"github.com/jianbao/admin/shared/config"
)

// startEmbedded is absent from production builds (-tags noembed): they must be configured.
func startEmbedded(*config.Config, *slog.Logger) (func(), error) {
	return func() {}, errors.New("this build has no embedded stand-ins (built with -tags noembed): set MYSQL_DSN and REDIS_ADDR")
}
