//go:build !noembed

package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"

	"github.com/jianbao/admin/shared/config"
	"github.com/jianbao/admin/shared/memmysql"
	"github.com/jianbao/admin/shared/memredis"
)

// startEmbedded starts in-process stand-ins for what cfg leaves unset and points cfg at them.
// Production images build with -tags noembed, which leaves this file (and go-mysql-server's
// 60 MB) out.
func startEmbedded(cfg *config.Config, log *slog.Logger) (stop func(), err error) {
	var stops []func()
	stop = func() {
		for i := len(stops) - 1; i >= 0; i-- {
			stops[i]()
		}
	}
	if cfg.MySQLDSN == "" {
		srv, err := memmysql.Start("jianbao")
		if err != nil {
			return stop, err
		}
		stops = append(stops, func() { srv.Close(context.Background()) })
		cfg.MySQLDSN = srv.DSN()
		// The stand-in loses concurrent writes on more than one connection.
		cfg.MySQLMaxOpenConns = memmysql.MaxOpenConns
		if cfg.PIISecret == "" {
			// The data dies with the process, so a per-run key loses nothing.
			cfg.PIISecret = randomHex(32)
		}
		log.Warn("embedded mode: MySQL is an in-process go-mysql-server; data lives in memory and is lost on exit",
			"addr", srv.Addr(), "set", "MYSQL_DSN")
	}
	if cfg.RedisAddr == "" {
		srv, err := memredis.Start()
		if err != nil {
			stop()
			return func() {}, err
		}
		stops = append(stops, srv.Close)
		cfg.RedisAddr = srv.Addr()
		log.Warn("embedded mode: Redis is an in-process miniredis; data lives in memory and is lost on exit",
			"addr", srv.Addr(), "set", "REDIS_ADDR")
	}
	if cfg.JWTSecret == "" {
		cfg.JWTSecret = randomHex(32)
		log.Warn("embedded mode: JWT_SECRET is generated for this run; tokens stop working on restart")
	}
	return stop, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
