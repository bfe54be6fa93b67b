package main

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/jianbao/admin/shared/tencentapi"
	"github.com/jianbao/admin/shared/tencentapi/tencentapitest"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestEstimateNeedsNoCloud(t *testing.T) {
	var out strings.Builder
	err := run(context.Background(), []string{"estimate", "-terraform", "../../../../terraform"}, env(nil), &out, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"dev", "test", "prod", "the business plan (TKE): prod 24×7 1062 元/月, dev 390, test 260", "2C4G"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("lacks %q:\n%s", want, out.String())
		}
	}
}

func TestUsageAndCredentialErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		env  map[string]string
		want error
		text string
	}{
		{nil, nil, errUsage, ""},
		{[]string{"nonsense"}, nil, errUsage, ""},
		{[]string{"budget", "-threshold", "-5"}, nil, errUsage, ""},
		{[]string{"budget", "-day", "yesterday"}, map[string]string{"WECOM_WEBHOOK_URL": "http://x"}, nil, "YYYY-MM-DD"},
		{[]string{"budget"}, nil, nil, "WECOM_WEBHOOK_URL"},
		{[]string{"budget"}, map[string]string{"WECOM_WEBHOOK_URL": "http://x"}, tencentapi.ErrNoCredentials, ""},
		{[]string{"provisioned", "off"}, nil, errUsage, ""},
		{[]string{"provisioned", "off", "staging"}, nil, errUsage, ""},
		{[]string{"provisioned", "on", "dev", "3", "many"}, nil, errUsage, ""},
		{[]string{"provisioned", "off", "dev"}, nil, tencentapi.ErrNoCredentials, ""},
		{[]string{"estimate", "-live"}, nil, tencentapi.ErrNoCredentials, ""},
		{[]string{"estimate", "-terraform", "../../../../terraform", "staging"}, nil, nil, "staging"},
	} {
		err := run(context.Background(), tc.args, env(tc.env), &strings.Builder{}, nil)
		switch {
		case err == nil:
			t.Errorf("%v: no error", tc.args)
		case tc.want != nil && !errors.Is(err, tc.want):
			t.Errorf("%v: %v, want %v", tc.args, err, tc.want)
		case tc.text != "" && !strings.Contains(err.Error(), tc.text):
			t.Errorf("%v: %v, want it to mention %q", tc.args, err, tc.text)
		}
	}
}

// TestBudgetAlertsTheRobot runs the command end to end against the fake API and a fake robot.
func TestBudgetAlertsTheRobot(t *testing.T) {
	f := tencentapitest.New(t)
	f.Handle("DescribeBillDetail", func(params map[string]any) (any, string, string) {
		return map[string]any{"DetailSet": []any{map[string]any{"ComponentSet": []any{map[string]string{"RealCost": "88.8"}}}}, "Total": 1}, "", ""
	})
	var got []string
	robot := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m struct{ Markdown struct{ Content string } }
		json.NewDecoder(r.Body).Decode(&m)
		got = append(got, m.Markdown.Content)
		w.Write([]byte(`{"errcode":0,"errmsg":"ok"}`))
	}))
	defer robot.Close()
	var out strings.Builder
	err := run(context.Background(), []string{"budget", "-day", "2026-11-24"}, env(map[string]string{"WECOM_WEBHOOK_URL": robot.URL}), &out, f.Client("ap-guangzhou"))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || !strings.Contains(got[0], "88.80") || !strings.Contains(out.String(), "alerted true") {
		t.Errorf("robot got %q; printed %q", got, out.String())
	}
}

// TestCostDocIsCurrent: docs/cost.md shows what estimate prints today, so a change of specs,
// catalog or prices shows up in the doc (regenerate the block with costctl estimate).
func TestCostDocIsCurrent(t *testing.T) {
	var out strings.Builder
	if err := run(context.Background(), []string{"estimate", "-terraform", "../../../../terraform"}, env(nil), &out, nil); err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile("../../../../docs/cost.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(doc), "```\n"+out.String()+"```") {
		t.Errorf("docs/cost.md's estimate block is stale; paste this:\n%s", out.String())
	}
}
