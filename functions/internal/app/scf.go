package app

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"sync"

	"github.com/jianbao/admin/shared/config"
	"github.com/jianbao/admin/shared/httpapi"
	"github.com/jianbao/admin/shared/logs"
	"github.com/jianbao/admin/shared/media"
	"github.com/jianbao/admin/shared/scf"
	"github.com/jianbao/admin/shared/ssm"
	"github.com/jianbao/admin/shared/tencentapi"
)

// MainAPI is the whole main of an API-group function: it serves the group's routes from HTTP
// events under the SCF Go1 runtime. The configuration arrives with the first invoke (Go1 applies
// the Environment per call), so the handler is built then, and kept for the warm instance.
func MainAPI(groups ...httpapi.Group) {
	build := func(ctx context.Context) (http.Handler, error) {
		a, err := openFromEnv(ctx)
		if err != nil {
			return nil, err
		}
		return scf.StripBasePath(a.Config.APIBasePath, a.Handler(groups...)), nil
	}
	if err := scf.StartHTTP(build, scf.HTTPOptions{}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// lazyApp opens the App on the first invoke (when the configuration has arrived) and keeps it for
// the warm instance; a failed open is retried on the next invoke.
type lazyApp struct {
	mu sync.Mutex
	a  *App
}

func (l *lazyApp) get(ctx context.Context) (*App, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.a != nil {
		return l.a, nil
	}
	a, err := openFromEnv(ctx)
	if err != nil {
		return nil, err
	}
	l.a = a
	return a, nil
}

// openFromEnv opens the App from the process environment, which Go1 sets per invoke.
func openFromEnv(ctx context.Context) (*App, error) {
	cfg, err := LoadConfig(ctx, os.Getenv)
	if err != nil {
		return nil, err
	}
	return Open(ctx, cfg, logs.New(os.Stdout, cfg.LogLevel), Options{})
}

// MainMedia is the whole main of a COS-triggered media function: every record of the event goes
// to the processor (scf.EachObject), and a failed one fails the invoke so the platform retries.
func MainMedia() {
	var l lazyApp
	var proc *media.Processor
	handle := func(ctx context.Context, ev scf.COSEvent) (scf.ObjectsResult, error) {
		a, err := l.get(ctx)
		if err != nil {
			return scf.ObjectsResult{}, err
		}
		if proc == nil {
			proc = a.Processor()
		}
		return scf.EachObject(ctx, ev, a.Log, proc.Handle)
	}
	if err := scf.Start(handle); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// LoadConfig reads the configuration through getenv and, where SSM_SECRET_NAME names a secret,
// the secrets from SSM as the process's CAM role (the SCF run role's keys, or a TKE pod's bound
// role). Every main loads its configuration through it.
func LoadConfig(ctx context.Context, getenv func(string) string) (config.Config, error) {
	src, ok, err := config.LoadSecretSource(getenv)
	if err != nil || !ok {
		if err != nil {
			return config.Config{}, err
		}
		return config.Load(getenv)
	}
	var api *tencentapi.Client
	if src.TKEIdentity {
		api, err = tencentapi.FromTKEIdentity(src.Region)
	} else {
		id, key, token := src.Credentials()
		api, err = tencentapi.New(src.Region, id, key, token)
	}
	if err != nil {
		return config.Config{}, fmt.Errorf("secrets from SSM: %w", err)
	}
	api.Reach(getenv)
	if src.Endpoint != "" {
		api.Endpoint = src.Endpoint
	}
	values, err := ssm.Load(ctx, api, src.Name, src.Version)
	if err != nil {
		return config.Config{}, err
	}
	return config.Load(config.Overlay(getenv, values))
}
