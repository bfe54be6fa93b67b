// Command localcloud runs the local Tencent Cloud (package localcloud) until it is stopped.
//
//	localcloud -addr 127.0.0.1:4566 -data /tmp/cloud -secret-id AKID… -secret-key …
//
// Point clients at it with HTTP_PROXY and HTTPS_PROXY=http://<addr>, TENCENTCLOUD_PROTOCOL=HTTP,
// TENCENTCLOUD_DOMAIN=<domain> and TENCENTCLOUD_COS_DOMAIN=https://cos.<region>.<domain>; its own
// hosts speak HTTPS with certificates from <data>/ca.pem (SSL_CERT_FILE=<data>/ca-bundle.pem).
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/jianbao/admin/localcloud"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "localcloud:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout *os.File) error {
	fs := flag.NewFlagSet("localcloud", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:4566", "where to listen")
	var cfg localcloud.Config
	fs.StringVar(&cfg.Domain, "domain", "localcloud.test", "the API's root domain")
	fs.StringVar(&cfg.Region, "region", "ap-guangzhou", "the region")
	fs.Uint64Var(&cfg.AppID, "appid", 1250000000, "the account's app id")
	fs.StringVar(&cfg.UIN, "uin", "100000000001", "the account's uin")
	fs.StringVar(&cfg.SecretID, "secret-id", "", "the account's key id")
	fs.StringVar(&cfg.SecretKey, "secret-key", "", "the account's secret key")
	fs.StringVar(&cfg.RedisServer, "redis-server", "redis-server", "the redis-server binary Redis instances run")
	fs.StringVar(&cfg.DataDir, "data", "", "where objects, code and instances live")
	level := fs.String("log-level", "info", "debug, info, warn or error")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(*level)); err != nil {
		return err
	}
	cfg.Log = slog.New(slog.NewJSONHandler(stdout, &slog.HandlerOptions{Level: lv}))
	lis, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	cfg.Addr = lis.Addr().String()
	c, err := localcloud.New(cfg)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: c, ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	closed := make(chan struct{})
	go func() {
		defer close(closed)
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
		c.Close(sctx)
	}()
	cfg.Log.Info("local cloud listening", "addr", lis.Addr().String(), "domain", cfg.Domain, "region", cfg.Region,
		"ca", c.CAFile(), "bundle", c.BundleFile())
	if err := srv.Serve(lis); err != http.ErrServerClosed {
		return err
	}
	<-closed // the servers the cloud started stop before it exits
	return nil
}
