package cost_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jianbao/admin/functions/catalog"
	"github.com/jianbao/admin/functions/internal/cost"
	"github.com/jianbao/admin/shared/tencentapi"
	"github.com/jianbao/admin/shared/tencentapi/tencentapitest"
)

const terraformDir = "../../../terraform"

func TestLoadSpecs(t *testing.T) {
	for _, tc := range []struct {
		env                  string
		cpu, mem, redis, vol int
	}{
		{"dev", 1, 1000, 256, 25},
		{"test", 1, 1000, 256, 25},
		{"prod", 2, 4000, 1024, 100}, // the seed's 2C4G MySQL and 1 GB Redis
	} {
		s, err := cost.LoadSpecs(terraformDir, tc.env)
		if err != nil {
			t.Fatal(err)
		}
		if s.MySQLCPU != tc.cpu || s.MySQLMemMB != tc.mem || s.RedisMemMB != tc.redis || s.MySQLVolumeGB != tc.vol || s.Zone == "" {
			t.Errorf("%s: %+v", tc.env, s)
		}
		if s.FunctionMemoryMB["media-video"] == 0 || len(s.FunctionMemoryMB) != len(catalog.Functions) {
			t.Errorf("%s: function sizes %v", tc.env, s.FunctionMemoryMB)
		}
	}
	if _, err := cost.LoadSpecs(terraformDir, "staging"); err == nil {
		t.Error("an unknown environment must be an error")
	}
}

func TestLoadSpecsRejectsWhatItCannotRead(t *testing.T) {
	for name, body := range map[string]string{
		"no stack":    `module "other" {}`,
		"no mysql":    `module "stack" { redis = { mem_size = 1, replicas = 1 } }`,
		"computed":    `module "stack" { mysql = var.mysql, redis = { mem_size = 1, replicas = 1 } }`,
		"missing key": `module "stack" { mysql = { cpu = 1 }, redis = { mem_size = 1, replicas = 1 } }`,
		"not HCL":     `module "stack" {`,
	} {
		dir := t.TempDir()
		os.MkdirAll(filepath.Join(dir, "envs", "x"), 0o755)
		os.WriteFile(filepath.Join(dir, "envs", "x", "main.tf"), []byte(strings.ReplaceAll(body, ", ", "\n")), 0o644)
		if _, err := cost.LoadSpecs(dir, "x"); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func price(v float64) *float64 { return &v }

func knownPrices() cost.Prices {
	p := cost.DefaultPrices()
	for k, v := range map[string]float64{"scf_base_package": 12.8, "scf_gbs": 0.0001, "scf_invocations": 0.01, "mysql_hour": 1, "redis_hour": 0.5, "cos_standard_gb_month": 0.1, "traffic_gb": 0.8} {
		p.Set(k, v, "test", "2026-11-25")
	}
	return p
}

func TestMonthly(t *testing.T) {
	s := cost.Specs{Env: "prod", MySQLCPU: 2, MySQLMemMB: 4000, RedisMemMB: 1024, RedisReplicas: 1,
		FunctionMemoryMB: map[string]int{"api-orders": 256, "media-image": 1024, "media-video": 2048}}
	for _, tc := range []struct {
		name  string
		usage cost.Usage
		scf   float64
	}{
		// 100k×0.1×0.25 + 100×1×1 + 10×10×2 = 2,500+100+200 GBs; 100,110 + 720 invocations: the package covers it.
		{"inside the package", cost.Usage{APIInvocations: 100_000, APISeconds: 0.1, Photos: 100, PhotoSeconds: 1, Videos: 10, VideoSeconds: 10}, 12.8},
		// 2,000,000×0.4×0.25 = 200,000 GBs: 100,000 over at 0.0001; 2,000,720 invocations: 150.072 万 over at 0.01.
		{"over the package", cost.Usage{APIInvocations: 2_000_000, APISeconds: 0.4}, 12.8 + 10 + 1.50072},
	} {
		e := cost.Monthly(s, tc.usage, knownPrices())
		if got := e.Lines[0].CNY + e.Lines[1].CNY; math.Abs(got-tc.scf) > 1e-6 {
			t.Errorf("%s: SCF %.5f, want %.5f", tc.name, got, tc.scf)
		}
		sum, unpriced := e.Total()
		want := tc.scf + 730 + 365 + tc.usage.StoredGB*0.1 + tc.usage.TrafficGB*0.8
		if len(unpriced) > 0 || math.Abs(sum-want) > 1e-6 {
			t.Errorf("%s: total %.4f unpriced %v, want %.4f", tc.name, sum, unpriced, want)
		}
	}
	// The committed table: MySQL, Redis, COS and traffic from the business plan, scaled to our
	// specs by memory; the SCF overage stays unpriced, and only where usage passes the package.
	prod := cost.Monthly(s, cost.DefaultUsage("prod"), cost.DefaultPrices())
	if _, unpriced := prod.Total(); len(unpriced) != 1 || unpriced[0] != "SCF+" {
		t.Errorf("prod with the committed table: unpriced %v, want the SCF overage only", unpriced)
	}
	byItem := func(e cost.Estimate) map[string]cost.Line {
		m := map[string]cost.Line{}
		for _, l := range e.Lines {
			m[l.Item] = l
		}
		return m
	}
	pl := byItem(prod)
	for item, want := range map[string]float64{"MySQL": 0.5 * 730, "Redis": 0.12 * 730, "COS": 1100 * 0.118, "traffic": 20} {
		if math.Abs(pl[item].CNY-want) > 1e-6 || !strings.Contains(pl[item].Detail, "business plan") {
			t.Errorf("prod %s: %.2f %q, want %.2f from the business plan", item, pl[item].CNY, pl[item].Detail, want)
		}
	}
	small := s
	small.MySQLMemMB, small.RedisMemMB = 1000, 256
	dl := byItem(cost.Monthly(small, cost.DefaultUsage("dev"), cost.DefaultPrices()))
	if math.Abs(dl["MySQL"].CNY-0.125*730) > 1e-6 || math.Abs(dl["Redis"].CNY-0.03*730) > 1e-6 || !strings.Contains(dl["MySQL"].Detail, "scaled") {
		t.Errorf("dev scaled by memory: MySQL %.2f %q, Redis %.2f", dl["MySQL"].CNY, dl["MySQL"].Detail, dl["Redis"].CNY)
	}
	if _, unpriced := cost.Monthly(small, cost.DefaultUsage("dev"), cost.DefaultPrices()).Total(); len(unpriced) != 0 {
		t.Errorf("dev stays inside the SCF package, yet unpriced %v", unpriced)
	}
}

func TestPrint(t *testing.T) {
	var ests []cost.Estimate
	for _, env := range []string{"dev", "test", "prod"} {
		s, err := cost.LoadSpecs(terraformDir, env)
		if err != nil {
			t.Fatal(err)
		}
		ests = append(ests, cost.Monthly(s, cost.DefaultUsage(env), knownPrices()))
	}
	var b strings.Builder
	cost.Print(&b, ests, knownPrices())
	out := b.String()
	prodTotal, _ := ests[2].Total()
	for _, want := range []string{"dev", "test", "prod", "1062", "390", "260", "2000", fmt.Sprintf("%.2f", prodTotal), "2C4G", "checked 2026-11-25"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "?") {
		t.Errorf("every price known, yet a '?':\n%s", out)
	}
}

func TestCommittedPricesSayWhereTheyCameFrom(t *testing.T) {
	p := cost.DefaultPrices()
	for _, k := range []string{"scf_base_package", "scf_gbs", "scf_invocations", "mysql_hour", "redis_hour", "cos_standard_gb_month"} {
		x, ok := p[k]
		if !ok || x.Source == "" || x.Unit == "" {
			t.Errorf("%s: %+v", k, x)
		}
		if x.CNY != nil {
			if _, err := time.Parse("2006-01-02", x.Checked); err != nil {
				t.Errorf("%s has a price but no date it was checked", k)
			}
		}
	}
}

func TestLivePrices(t *testing.T) {
	f := tencentapitest.New(t)
	f.Handle("DescribeDBPrice", func(params map[string]any) (any, string, string) {
		if params["Memory"] != float64(4000) || params["Cpu"] != float64(2) || params["Zone"] != "ap-guangzhou-3" || params["PayType"] != "HOUR_PAID" {
			return nil, "InvalidParameter", fmt.Sprint(params)
		}
		return map[string]any{"Price": 123.0, "OriginalPrice": 123.0}, "", ""
	})
	f.Handle("InquiryPriceCreateInstance", func(params map[string]any) (any, string, string) {
		if params["MemSize"] != float64(1024) || params["BillingMode"] != float64(0) {
			return nil, "InvalidParameter", fmt.Sprint(params)
		}
		return map[string]any{"Price": 45.0}, "", ""
	})
	s, err := cost.LoadSpecs(terraformDir, "prod")
	if err != nil {
		t.Fatal(err)
	}
	p, err := cost.LivePrices(context.Background(), f.Client("ap-guangzhou"), s, cost.DefaultPrices(), time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if *p["mysql_hour"].CNY != 1.23 || *p["redis_hour"].CNY != 0.45 || p["mysql_hour"].Checked != "2026-11-25" {
		t.Errorf("live prices %+v %+v", p["mysql_hour"], p["redis_hour"])
	}
	if cost.DefaultPrices()["mysql_hour"].CNY != nil {
		t.Error("LivePrices changed the committed table")
	}
	e := cost.Monthly(s, cost.DefaultUsage("prod"), p)
	if math.Abs(e.Lines[2].CNY-1.23*730) > 1e-9 || !strings.Contains(e.Lines[2].Detail, "1.2300 元/小时") || strings.Contains(e.Lines[2].Detail, "business plan") {
		t.Errorf("MySQL line %+v", e.Lines[2])
	}
	for _, c := range f.Calls() {
		if c.Region != "ap-guangzhou" {
			t.Errorf("%s sent to region %q", c.Action, c.Region)
		}
	}
}

// notifier records alerts, or fails.
type notifier struct {
	sent []string
	err  error
}

func (n *notifier) Notify(_ context.Context, title, text string) error {
	if n.err != nil {
		return n.err
	}
	n.sent = append(n.sent, title+"\n"+text)
	return nil
}

// billFake answers DescribeBillDetail with n details of one component costing each.
func billFake(t *testing.T, n int, each string) *tencentapitest.Fake {
	f := tencentapitest.New(t)
	f.Handle("DescribeBillDetail", func(params map[string]any) (any, string, string) {
		if params["BeginTime"] != "2026-11-24 00:00:00" || params["EndTime"] != "2026-11-24 23:59:59" {
			return nil, "InvalidParameter.BeginTime", fmt.Sprint(params)
		}
		off, lim := int(params["Offset"].(float64)), int(params["Limit"].(float64))
		var set []map[string]any
		for i := off; i < n && i < off+lim; i++ {
			set = append(set, map[string]any{"ComponentSet": []map[string]string{{"RealCost": each}, {"RealCost": ""}}})
		}
		return map[string]any{"DetailSet": set, "Total": n}, "", ""
	})
	return f
}

func TestCheckBudget(t *testing.T) {
	day := time.Date(2026, 11, 24, 0, 0, 0, 0, time.FixedZone("CST", 8*3600))
	for _, tc := range []struct {
		name      string
		details   int
		each      string
		threshold float64
		spend     float64
		alert     bool
	}{
		{"under", 3, "10.5", 50, 31.5, false},
		{"exactly at the threshold is not over", 5, "10", 50, 50, false},
		{"over, across three pages", 250, "0.25", 50, 62.5, true},
		{"nothing billed", 0, "0", 50, 0, false},
	} {
		f := billFake(t, tc.details, tc.each)
		n := &notifier{}
		spend, alerted, err := cost.CheckBudget(context.Background(), f.Client("ap-guangzhou"), n, nil, day, tc.threshold)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if math.Abs(spend-tc.spend) > 1e-9 || alerted != tc.alert || (len(n.sent) == 1) != tc.alert {
			t.Errorf("%s: spend %.2f alerted %v sent %d", tc.name, spend, alerted, len(n.sent))
		}
		if tc.alert && !strings.Contains(n.sent[0], "62.50") {
			t.Errorf("%s: alert text %q", tc.name, n.sent[0])
		}
		if pages := len(f.Calls()); pages != max(1, (tc.details+99)/100) {
			t.Errorf("%s: %d pages", tc.name, pages)
		}
	}

	// A failed alert fails the check; so do the API's errors and bills it cannot read.
	n := &notifier{err: errors.New("robot down")}
	if _, _, err := cost.CheckBudget(context.Background(), billFake(t, 10, "9").Client("ap-guangzhou"), n, nil, day, 50); err == nil {
		t.Error("a failed alert must be an error")
	}
	if _, _, err := cost.CheckBudget(context.Background(), billFake(t, 1, "abc").Client("ap-guangzhou"), &notifier{}, nil, day, 50); err == nil {
		t.Error("an unreadable RealCost must be an error")
	}
	denied := tencentapitest.New(t)
	denied.Handle("DescribeBillDetail", func(map[string]any) (any, string, string) {
		return nil, "UnauthorizedOperation", "finance:DescribeBillDetail denied"
	})
	_, _, err := cost.CheckBudget(context.Background(), denied.Client("ap-guangzhou"), &notifier{}, nil, day, 50)
	var apiErr *tencentapi.APIError
	if !errors.As(err, &apiErr) || apiErr.Code != "UnauthorizedOperation" {
		t.Errorf("denied: %v", err)
	}
}

// claims is a Once kept in a map, as the bucket keeps its objects.
type claims struct{ held map[string]bool }

func (c *claims) Claim(_ context.Context, key string) (bool, error) {
	if c.held[key] {
		return false, nil
	}
	c.held[key] = true
	return true, nil
}

func (c *claims) Release(_ context.Context, key string) error { delete(c.held, key); return nil }

// TestBudgetAlertsOncePerDay: however often the check runs over one day's bill, one message; an
// alert that could not be sent gives its claim back, so the next run sends it.
func TestBudgetAlertsOncePerDay(t *testing.T) {
	day := time.Date(2026, 11, 24, 0, 0, 0, 0, time.FixedZone("CST", 8*3600))
	once := &claims{held: map[string]bool{}}
	down := &notifier{err: errors.New("robot down")}
	if _, alerted, err := cost.CheckBudget(context.Background(), billFake(t, 10, "9").Client("ap-guangzhou"), down, once, day, 50); err == nil || alerted {
		t.Fatalf("a failed send: alerted %v err %v", alerted, err)
	}
	n := &notifier{}
	for run := range 3 {
		_, alerted, err := cost.CheckBudget(context.Background(), billFake(t, 10, "9").Client("ap-guangzhou"), n, once, day, 50)
		if err != nil || alerted != (run == 0) {
			t.Fatalf("run %d: alerted %v err %v", run, alerted, err)
		}
	}
	if len(n.sent) != 1 {
		t.Fatalf("%d messages over three runs, want 1", len(n.sent))
	}
	// The next day is a day of its own.
	if !once.held["budget/alerted-2026-11-24"] || len(once.held) != 1 {
		t.Errorf("claims %v, want the day's alone", once.held)
	}
	if first, _ := once.Claim(context.Background(), "budget/alerted-2026-11-25"); !first {
		t.Error("the next day's claim is taken")
	}
}

func TestProvisioned(t *testing.T) {
	f := tencentapitest.New(t)
	f.Handle("GetProvisionedConcurrencyConfig", func(params map[string]any) (any, string, string) {
		switch params["FunctionName"] {
		case "api-orders":
			return map[string]any{"Allocated": []map[string]any{{"Qualifier": "3", "AllocatedProvisionedConcurrencyNum": 2}}}, "", ""
		case "media-video":
			return nil, "ResourceNotFound.Function", "not deployed"
		}
		return map[string]any{"Allocated": []any{}}, "", ""
	})
	f.Handle("DeleteProvisionedConcurrencyConfig", func(map[string]any) (any, string, string) { return map[string]any{}, "", "" })
	f.Handle("PutProvisionedConcurrencyConfig", func(map[string]any) (any, string, string) { return map[string]any{}, "", "" })
	api := f.Client("ap-guangzhou")
	removed, err := cost.ProvisionedOff(context.Background(), api, "jianbao-dev")
	if err != nil || len(removed) != 1 || removed[0] != "api-orders:3=2" {
		t.Fatalf("removed %v, %v", removed, err)
	}
	var deletes int
	for _, c := range f.Calls() {
		if c.Params["Namespace"] != "jianbao-dev" {
			t.Errorf("%s outside the namespace: %v", c.Action, c.Params)
		}
		if c.Action == "DeleteProvisionedConcurrencyConfig" {
			deletes++
			if c.Params["FunctionName"] != "api-orders" || c.Params["Qualifier"] != "3" {
				t.Errorf("deleted %v", c.Params)
			}
		}
	}
	if deletes != 1 {
		t.Errorf("%d deletes", deletes)
	}

	for _, bad := range []struct {
		version string
		n       int
	}{{"$LATEST", 1}, {"", 1}, {"3", 0}} {
		if err := cost.ProvisionedOn(context.Background(), api, "jianbao-dev", bad.version, bad.n); err == nil {
			t.Errorf("on %q %d: no error", bad.version, bad.n)
		}
	}
	before := len(f.Calls())
	if err := cost.ProvisionedOn(context.Background(), api, "jianbao-dev", "3", 1); err != nil {
		t.Fatal(err)
	}
	var apis int
	for _, fn := range catalog.Functions {
		if fn.Kind == catalog.KindAPI {
			apis++
		}
	}
	if puts := f.Calls()[before:]; len(puts) != apis {
		t.Errorf("%d puts for %d API functions", len(puts), apis)
	}
}
