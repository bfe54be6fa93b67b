package main

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/jianbao/admin/shared/tencentapi"
)

func TestUsage(t *testing.T) {
	for _, args := range [][]string{nil, {"status"}, {"status", "staging"}, {"promote", "prod"}, {"pin", "prod", "api-orders"}, {"deploy", "prod"}} {
		if err := run(context.Background(), args, func(string) string { return "" }, &strings.Builder{}, nil); !errors.Is(err, errUsage) {
			t.Errorf("%v: %v", args, err)
		}
	}
	err := run(context.Background(), []string{"status", "prod"}, func(string) string { return "" }, &strings.Builder{}, nil)
	if !errors.Is(err, tencentapi.ErrNoCredentials) {
		t.Errorf("without credentials: %v", err)
	}
}
