package cost

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jianbao/admin/shared/tencentapi"
)

// pageInterval keeps DaySpend under the API's rate limit.
var pageInterval = 250 * time.Millisecond

// DaySpend sums the account's bill for one day (China Standard Time): every component's RealCost
// (优惠后总价) in DescribeBillDetail (billing 2018-07-09) between 00:00:00 and 23:59:59 of that
// day, page by page. The bill for a day settles over the following hours, so the daily check looks
// at yesterday.
func DaySpend(ctx context.Context, api tencentapi.Caller, day time.Time) (float64, error) {
	const limit = 100
	begin := day.Format("2006-01-02") + " 00:00:00"
	end := day.Format("2006-01-02") + " 23:59:59"
	var sum float64
	for offset := 0; ; offset += limit {
		var out struct {
			DetailSet []struct {
				ComponentSet []struct{ RealCost string }
			}
			Total int
		}
		params := map[string]any{"Offset": offset, "Limit": limit, "BeginTime": begin, "EndTime": end, "NeedRecordNum": 1}
		if err := api.Call(ctx, "billing", "2018-07-09", "DescribeBillDetail", params, &out); err != nil {
			return 0, err
		}
		for _, d := range out.DetailSet {
			for _, c := range d.ComponentSet {
				if c.RealCost == "" {
					continue
				}
				v, err := strconv.ParseFloat(c.RealCost, 64)
				if err != nil {
					return 0, fmt.Errorf("cost: RealCost %q is not a number", c.RealCost)
				}
				sum += v
			}
		}
		if len(out.DetailSet) < limit || (out.Total > 0 && offset+limit >= out.Total) {
			return sum, nil
		}
		// DescribeBillDetail allows 5 requests a second.
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(pageInterval):
		}
	}
}

// Notifier sends one alert (wecom.Robot).
type Notifier interface {
	Notify(ctx context.Context, title, text string) error
}

// Once claims a key for the first caller only (a COS object created with forbid-overwrite): the
// budget check alerts once per day however often it runs. release gives the claim back when the
// alert could not be sent, so the next run tries again.
type Once interface {
	Claim(ctx context.Context, key string) (first bool, err error)
	Release(ctx context.Context, key string) error
}

// CheckBudget looks up the day's spend and alerts when it passes threshold — once per day when
// once is given (nil: every run). It returns the spend and whether this run alerted; a failed
// alert is an error, so the scheduler shows the run red.
func CheckBudget(ctx context.Context, api tencentapi.Caller, n Notifier, once Once, day time.Time, threshold float64) (float64, bool, error) {
	spend, err := DaySpend(ctx, api, day)
	if err != nil {
		return 0, false, err
	}
	if spend <= threshold {
		return spend, false, nil
	}
	key := "budget/alerted-" + day.Format("2006-01-02")
	if once != nil {
		first, err := once.Claim(ctx, key)
		if err != nil {
			return spend, false, err
		}
		if !first {
			return spend, false, nil // an earlier run sent it
		}
	}
	text := fmt.Sprintf("%s 腾讯云消费 **%.2f 元**，超过每日预算 %.0f 元。\n请在费用中心查看账单明细，或运行 `scripts/cost-control down dev test`。", day.Format("2006-01-02"), spend, threshold)
	if err := n.Notify(ctx, "每日预算超支 / daily budget exceeded", text); err != nil {
		if once != nil {
			err = errors.Join(err, once.Release(ctx, key))
		}
		return spend, false, err
	}
	return spend, true, nil
}
