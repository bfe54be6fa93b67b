// Command costctl is the cost control of the deployment:
//
//	costctl estimate [-live] [ENV ...]          monthly cost per environment (default dev test prod)
//	costctl budget [-threshold 50] [-day DATE]  alert WeCom when a day's spend passed the threshold
//	costctl provisioned off ENV                 remove SCF provisioned concurrency
//	costctl provisioned on ENV VERSION N        keep N instances of the API functions' VERSION warm
//
// Credentials come from TENCENTCLOUD_SECRET_ID, TENCENTCLOUD_SECRET_KEY (and
// TENCENTCLOUD_SESSION_TOKEN); the robot from WECOM_WEBHOOK_URL; BUDGET_MARKER_BUCKET_URL, when
// set, makes the budget alert once per day however often the check runs. estimate without -live needs
// neither. Run it from the repository root (it reads terraform/envs).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"time"

	"github.com/jianbao/admin/functions/internal/cost"
	"github.com/jianbao/admin/shared/appraisal"
	"github.com/jianbao/admin/shared/cos"
	"github.com/jianbao/admin/shared/tencentapi"
	"github.com/jianbao/admin/shared/wecom"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, nil); err != nil {
		fmt.Fprintln(os.Stderr, "costctl:", err)
		if errors.Is(err, errUsage) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

var errUsage = errors.New(`usage:
  costctl estimate [-live] [-terraform DIR] [ENV ...]
  costctl budget [-threshold 50] [-day YYYY-MM-DD]
  costctl provisioned off ENV
  costctl provisioned on ENV VERSION N`)

// run is main with its dependencies passed in; api, when non-nil, replaces the client built from
// the environment (tests).
func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer, api tencentapi.Caller) error {
	if len(args) == 0 {
		return errUsage
	}
	region := getenv("TENCENTCLOUD_REGION")
	if region == "" {
		region = "ap-guangzhou"
	}
	client := func() (tencentapi.Caller, error) {
		if api != nil {
			return api, nil
		}
		return tencentapi.FromEnv(getenv, region)
	}
	switch args[0] {
	case "estimate":
		fs := flag.NewFlagSet("estimate", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		live := fs.Bool("live", false, "ask the price APIs for MySQL and Redis")
		dir := fs.String("terraform", "terraform", "the terraform directory")
		if err := fs.Parse(args[1:]); err != nil {
			return errUsage
		}
		envs := fs.Args()
		if len(envs) == 0 {
			envs = []string{"dev", "test", "prod"}
		}
		prices := cost.DefaultPrices()
		var c tencentapi.Caller
		if *live {
			var err error
			if c, err = client(); err != nil {
				return err
			}
		}
		var ests []cost.Estimate
		for _, env := range envs {
			s, err := cost.LoadSpecs(*dir, env)
			if err != nil {
				return err
			}
			p := prices
			if *live {
				if p, err = cost.LivePrices(ctx, c, s, prices, time.Now()); err != nil {
					return err
				}
			}
			ests = append(ests, cost.Monthly(s, cost.DefaultUsage(env), p))
		}
		cost.Print(stdout, ests, prices)
		return nil
	case "budget":
		fs := flag.NewFlagSet("budget", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		threshold := fs.Float64("threshold", 50, "元 a day")
		day := fs.String("day", "", "the day to check (default yesterday, China Standard Time)")
		if err := fs.Parse(args[1:]); err != nil || fs.NArg() != 0 || *threshold <= 0 {
			return errUsage
		}
		cst := time.FixedZone("CST", 8*3600)
		d := time.Now().In(cst).AddDate(0, 0, -1)
		if *day != "" {
			var err error
			if d, err = time.ParseInLocation("2006-01-02", *day, cst); err != nil {
				return fmt.Errorf("-day %q is not YYYY-MM-DD", *day)
			}
		}
		hook := getenv("WECOM_WEBHOOK_URL")
		if hook == "" {
			return errors.New("WECOM_WEBHOOK_URL is not set: the budget check has nowhere to alert")
		}
		c, err := client()
		if err != nil {
			return err
		}
		var once cost.Once
		if u := getenv("BUDGET_MARKER_BUCKET_URL"); u != "" {
			if once, err = bucketOnce(u, getenv); err != nil {
				return err
			}
		}
		spend, alerted, err := cost.CheckBudget(ctx, c, wecom.New(hook), once, d, *threshold)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s spend %.2f 元, threshold %.2f 元, alerted %v\n", d.Format("2006-01-02"), spend, *threshold, alerted)
		return nil
	case "provisioned":
		rest := args[1:]
		if len(rest) < 2 || (rest[1] != "dev" && rest[1] != "test" && rest[1] != "prod") {
			return errUsage
		}
		ns := "jianbao-" + rest[1]
		switch {
		case rest[0] == "off" && len(rest) == 2:
			c, err := client()
			if err != nil {
				return err
			}
			removed, err := cost.ProvisionedOff(ctx, c, ns)
			for _, r := range removed {
				fmt.Fprintln(stdout, "removed", r)
			}
			if err == nil && len(removed) == 0 {
				fmt.Fprintln(stdout, "no provisioned concurrency in", ns)
			}
			return err
		case rest[0] == "on" && len(rest) == 4:
			n, err := strconv.Atoi(rest[3])
			if err != nil {
				return errUsage
			}
			c, err := client()
			if err != nil {
				return err
			}
			if err := cost.ProvisionedOn(ctx, c, ns, rest[2], n); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "%s: API functions version %s keep %d warm\n", ns, rest[2], n)
			return nil
		}
		return errUsage
	}
	return errUsage
}

// bucketOnce claims each day's budget alert with an object in a bucket (BUDGET_MARKER_BUCKET_URL,
// e.g. the production functions' code bucket), created with COS's forbid-overwrite: of any number
// of runs, on any machines, one sends the message.
func bucketOnce(bucketURL string, getenv func(string) string) (cost.Once, error) {
	s, err := cos.New(cos.Options{BucketURL: bucketURL, Credentials: func() cos.Credentials {
		return cos.Credentials{SecretID: getenv("TENCENTCLOUD_SECRET_ID"), SecretKey: getenv("TENCENTCLOUD_SECRET_KEY"), SessionToken: getenv("TENCENTCLOUD_SESSION_TOKEN")}
	}})
	if err != nil {
		return nil, fmt.Errorf("BUDGET_MARKER_BUCKET_URL: %w", err)
	}
	return markerOnce{s}, nil
}

type markerOnce struct{ s *cos.Store }

func (o markerOnce) Claim(ctx context.Context, key string) (bool, error) {
	err := o.s.Create(ctx, key, strings.NewReader("sent"), 4, "text/plain")
	if appraisal.KindOf(err) == appraisal.KindConflict {
		return false, nil
	}
	return err == nil, err
}

func (o markerOnce) Release(ctx context.Context, key string) error { return o.s.Delete(ctx, key) }
