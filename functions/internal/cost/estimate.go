// Package cost is the cost control of the ops tools: the monthly estimate per environment from
// its Terraform specs, the daily budget check against the billing API, and turning SCF
// provisioned concurrency off and on. The command is ./costctl; scripts/cost-control and the
// cost workflow drive it.
package cost

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/jianbao/admin/functions/catalog"
)

// Seed is the seed's TKE plan the design card compares against (元/月).
var Seed = struct{ Prod24x7, Dev, Test, Scaled float64 }{1062, 390, 260, 2000}

// HoursPerMonth is the average month (365×24/12) pay-as-you-go prices are multiplied by.
const HoursPerMonth = 730

//go:embed prices.json
var pricesJSON []byte

// Price is one public list price. CNY is nil until someone has read it from an authoritative page.
type Price struct {
	Key     string   `json:"key"`
	Item    string   `json:"item"`
	Unit    string   `json:"unit"`
	CNY     *float64 `json:"cny"`
	Source  string   `json:"source"`
	Checked string   `json:"checked"`
}

// Prices are the list prices by key.
type Prices map[string]Price

// DefaultPrices returns the committed price table.
func DefaultPrices() Prices {
	var f struct{ Prices []Price }
	if err := json.Unmarshal(pricesJSON, &f); err != nil {
		panic("cost: prices.json: " + err.Error()) // committed file; a test decodes it
	}
	p := Prices{}
	for _, x := range f.Prices {
		p[x.Key] = x
	}
	return p
}

// Set records a price learnt elsewhere (the price APIs).
func (p Prices) Set(key string, cny float64, source, checked string) {
	x := p[key]
	x.Key, x.CNY, x.Source, x.Checked = key, &cny, source, checked
	p[key] = x
}

// Specs are the sizes an environment's root module gives the stack.
type Specs struct {
	Env              string
	Zone             string
	MySQLCPU         int
	MySQLMemMB       int
	MySQLVolumeGB    int
	RedisMemMB       int
	RedisReplicas    int
	FunctionMemoryMB map[string]int // from the catalog
}

// LoadSpecs reads terraform/envs/<env>/main.tf: the module "stack" block's literal sizes. The
// estimate reads the same file Terraform applies, so the two cannot disagree.
func LoadSpecs(terraformDir, env string) (Specs, error) {
	path := filepath.Join(terraformDir, "envs", env, "main.tf")
	src, err := os.ReadFile(path)
	if err != nil {
		return Specs{}, fmt.Errorf("cost: no environment %q: %w", env, err)
	}
	f, diags := hclsyntax.ParseConfig(src, path, hcl.Pos{Line: 1, Column: 1})
	if diags.HasErrors() {
		return Specs{}, fmt.Errorf("cost: %s: %s", path, diags.Error())
	}
	var stack *hclsyntax.Body
	for _, b := range f.Body.(*hclsyntax.Body).Blocks {
		if b.Type == "module" && len(b.Labels) == 1 && b.Labels[0] == "stack" {
			stack = b.Body
		}
	}
	if stack == nil {
		return Specs{}, fmt.Errorf("cost: %s has no module \"stack\"", path)
	}
	val := func(name string) (cty.Value, error) {
		a, ok := stack.Attributes[name]
		if !ok {
			return cty.NilVal, fmt.Errorf("cost: %s: module \"stack\" does not set %s", path, name)
		}
		v, diags := a.Expr.Value(nil)
		if diags.HasErrors() {
			return cty.NilVal, fmt.Errorf("cost: %s: %s must be a literal: %s", path, name, diags.Error())
		}
		return v, nil
	}
	num := func(obj cty.Value, key string) (int, error) {
		if !obj.Type().IsObjectType() || !obj.Type().HasAttribute(key) {
			return 0, fmt.Errorf("cost: %s: %s is missing", path, key)
		}
		f, _ := obj.GetAttr(key).AsBigFloat().Int64()
		return int(f), nil
	}
	s := Specs{Env: env, FunctionMemoryMB: map[string]int{}}
	mysql, err := val("mysql")
	if err != nil {
		return s, err
	}
	redis, err := val("redis")
	if err != nil {
		return s, err
	}
	for _, x := range []struct {
		obj cty.Value
		key string
		dst *int
	}{{mysql, "cpu", &s.MySQLCPU}, {mysql, "mem_size", &s.MySQLMemMB}, {mysql, "volume_size", &s.MySQLVolumeGB}, {redis, "mem_size", &s.RedisMemMB}, {redis, "replicas", &s.RedisReplicas}} {
		if *x.dst, err = num(x.obj, x.key); err != nil {
			return s, err
		}
	}
	if z, err := val("availability_zone"); err == nil && z.Type() == cty.String {
		s.Zone = z.AsString()
	}
	for _, fn := range catalog.Functions {
		s.FunctionMemoryMB[fn.Name] = fn.MemoryMB
	}
	return s, nil
}

// Usage is how much an environment is expected to do in a month. The numbers are assumptions
// written down so they can be argued with; see docs/cost.md.
type Usage struct {
	APIInvocations int     // admin console requests
	APISeconds     float64 // mean billed duration of one
	Photos         int     // uploads through media-image
	PhotoSeconds   float64
	Videos         int // uploads through media-video
	VideoSeconds   float64
	StoredGB       float64 // media bucket at the end of the first year
	TrafficGB      float64 // out to the Internet: console pages, thumbnails, downloads
}

// DefaultUsage: prod is 50 admin users × ~600 requests × 22 working days; a photo takes 1.3 s
// (docs/PERFORMANCE.md), a short video ~25 s; a year of items at ~15 MB a photo set and ~150 MB
// a video. Dev and test are a tenth of prod's traffic with a small bucket.
func DefaultUsage(env string) Usage {
	prod := Usage{APIInvocations: 660_000, APISeconds: 0.08, Photos: 3_000, PhotoSeconds: 1.5, Videos: 300, VideoSeconds: 25, StoredGB: 1_100, TrafficGB: 20}
	if env == "prod" {
		return prod
	}
	return Usage{APIInvocations: prod.APIInvocations / 10, APISeconds: prod.APISeconds, Photos: prod.Photos / 10, PhotoSeconds: prod.PhotoSeconds,
		Videos: prod.Videos / 10, VideoSeconds: prod.VideoSeconds, StoredGB: 20, TrafficGB: 2}
}

// Line is one row of the estimate. CNY is NaN when a price is unknown.
type Line struct {
	Item   string
	Detail string
	CNY    float64
}

// Estimate is one environment's month.
type Estimate struct {
	Env   string
	Lines []Line
}

// Total sums the priced lines and names the ones no price is known for.
func (e Estimate) Total() (sum float64, unpriced []string) {
	for _, l := range e.Lines {
		if math.IsNaN(l.CNY) {
			unpriced = append(unpriced, l.Item)
			continue
		}
		sum += l.CNY
	}
	return sum, unpriced
}

func (p Prices) cny(key string) float64 {
	if x, ok := p[key]; ok && x.CNY != nil {
		return *x.CNY
	}
	return math.NaN()
}

// priced returns a Tencent price where one is known (the committed table or -live), else the
// business plan's unit price scaled by ratio, labelled so nobody mistakes it for a verified one.
func (p Prices) priced(key, planKey string, ratio float64, unit string) (float64, string) {
	if x, ok := p[key]; ok && x.CNY != nil {
		return *x.CNY, fmt.Sprintf(" at %.4f %s (%s, %s)", *x.CNY, unit, x.Source, x.Checked)
	}
	v := p.cny(planKey) * ratio
	if ratio == 1 {
		return v, fmt.Sprintf(" at %.4f %s: business plan, unverified against today's price list", v, unit)
	}
	return v, fmt.Sprintf(" at %.4f %s: the business plan's %g scaled ×%.3g to this spec, unverified against today's price list", v, unit, p.cny(planKey), ratio)
}

// Monthly prices one environment. MySQL and Redis are pay-as-you-go (the Terraform modules use
// POSTPAID) and cannot be paused, so their hourly price runs 730 hours even in dev and test; SCF
// is inside the account's base package unless usage passes it. Without a Tencent price, MySQL
// and Redis take the business plan's prices scaled by memory (the plan's 2C4G MySQL and 1 GB
// Redis are the same products; TencentDB prices its specs roughly by memory tier).
func Monthly(s Specs, u Usage, p Prices) Estimate {
	const pkgGBs, pkgInvocations = 100_000, 500_000
	mem := func(name string) float64 { return float64(s.FunctionMemoryMB[name]) / 1024 }
	gbs := float64(u.APIInvocations)*u.APISeconds*mem("api-orders") +
		float64(u.Photos)*u.PhotoSeconds*mem("media-image") +
		float64(u.Videos)*u.VideoSeconds*mem("media-video")
	inv := float64(u.APIInvocations + u.Photos + u.Videos + 30*24) // + the hourly timers
	overage, over := 0.0, ""
	if gbs > pkgGBs {
		overage += (gbs - pkgGBs) * p.cny("scf_gbs")
		over = fmt.Sprintf("%.0f GBs", gbs-pkgGBs)
	}
	if inv > pkgInvocations {
		overage += (inv - pkgInvocations) / 10_000 * p.cny("scf_invocations")
		over = strings.TrimPrefix(over+fmt.Sprintf(", %.0f invocations", inv-pkgInvocations), ", ")
	}
	if over == "" {
		over = "nothing"
	}
	mysqlHour, mysqlNote := p.priced("mysql_hour", "plan_mysql_2c4g_hour", float64(s.MySQLMemMB)/4000, "元/小时")
	redisHour, redisNote := p.priced("redis_hour", "plan_redis_1gb_hour", float64(s.RedisMemMB)/1024, "元/小时")
	cosGB, cosNote := p.priced("cos_standard_gb_month", "plan_cos_gb_month", 1, "元/GB/月")
	traffic, trafficNote := p.priced("traffic_gb", "plan_traffic_gb", 1, "元/GB")
	e := Estimate{Env: s.Env}
	e.Lines = append(e.Lines,
		Line{"SCF", fmt.Sprintf("the base package: %.0f GBs and %.0f invocations used; it is per account, count it once", gbs, inv), p.cny("scf_base_package")},
		Line{"SCF+", fmt.Sprintf("beyond the package: %s (SCF's unit prices are not known here)", over), overage},
		Line{"MySQL", fmt.Sprintf("%dC%dG two-node, %d GB, pay-as-you-go%s", s.MySQLCPU, s.MySQLMemMB/1000, s.MySQLVolumeGB, mysqlNote), mysqlHour * HoursPerMonth},
		Line{"Redis", fmt.Sprintf("%d MB standard, %d replica(s), pay-as-you-go%s", s.RedisMemMB, s.RedisReplicas, redisNote), redisHour * HoursPerMonth},
		Line{"COS", fmt.Sprintf("%.0f GB standard%s", u.StoredGB, cosNote), u.StoredGB * cosGB},
		Line{"traffic", fmt.Sprintf("%.0f GB out%s", u.TrafficGB, trafficNote), u.TrafficGB * traffic},
	)
	return e
}

// Print writes the table: one column per environment, the seed's figures beside prod.
func Print(w io.Writer, ests []Estimate, p Prices) {
	money := func(v float64) string {
		if math.IsNaN(v) {
			return "?"
		}
		return fmt.Sprintf("%.2f", v)
	}
	fmt.Fprintf(w, "%-8s", "元/月")
	for _, e := range ests {
		fmt.Fprintf(w, " %14s", e.Env)
	}
	fmt.Fprintln(w)
	items := []string{}
	for _, l := range ests[0].Lines {
		items = append(items, l.Item)
	}
	for i, item := range items {
		fmt.Fprintf(w, "%-8s", item)
		for _, e := range ests {
			fmt.Fprintf(w, " %14s", money(e.Lines[i].CNY))
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "%-8s", "total")
	var unpricedAll []string
	for _, e := range ests {
		sum, unpriced := e.Total()
		s := money(sum)
		if len(unpriced) > 0 {
			s += " +?"
			for _, u := range unpriced {
				unpricedAll = append(unpricedAll, e.Env+" "+u)
			}
		}
		fmt.Fprintf(w, " %14s", s)
	}
	fmt.Fprintln(w)
	if len(unpricedAll) > 0 {
		fmt.Fprintf(w, "+? = plus what no price is known for: %s (see the lines below)\n", strings.Join(unpricedAll, ", "))
	}
	fmt.Fprintf(w, "\nthe business plan (TKE): prod 24×7 %.0f 元/月, dev %.0f, test %.0f (working hours); scaled %.0f 元/月\n",
		Seed.Prod24x7, Seed.Dev, Seed.Test, Seed.Scaled)
	fmt.Fprintln(w, "\nwhat each line assumes:")
	for _, e := range ests {
		for _, l := range e.Lines {
			fmt.Fprintf(w, "  %-5s %-4s %s\n", e.Env, l.Item, l.Detail)
		}
	}
	fmt.Fprintln(w, "\nprices (committed table; -live replaces mysql_hour and redis_hour per environment):")
	keys := make([]string, 0, len(p))
	for k := range p {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		x := p[k]
		v := "? (not verified)"
		if x.CNY != nil {
			v = fmt.Sprintf("%g %s", *x.CNY, x.Unit)
		}
		checked := x.Checked
		if checked == "" {
			checked = "never"
		}
		fmt.Fprintf(w, "  %-22s %-20s checked %s, %s\n", k, v, checked, strings.TrimSpace(x.Source))
	}
}
