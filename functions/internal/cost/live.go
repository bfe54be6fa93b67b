package cost

import (
	"context"
	"fmt"
	"maps"
	"time"

	"github.com/jianbao/admin/shared/tencentapi"
)

// LivePrices asks the price APIs what the environment's MySQL and Redis specs cost an hour in its
// zone, pay-as-you-go, and returns prices with those two replaced. Both APIs answer in 分 (fen).
// UNCERTAIN: that a HOUR_PAID / BillingMode 0 inquiry answers per hour is how the API references
// read; compare the first live run with the console's price calculator before trusting it.
func LivePrices(ctx context.Context, api tencentapi.Caller, s Specs, base Prices, now time.Time) (Prices, error) {
	if s.Zone == "" {
		return nil, fmt.Errorf("cost: %s sets no availability_zone to price in", s.Env)
	}
	p := maps.Clone(base)
	checked := now.Format("2006-01-02")
	var db struct{ Price float64 }
	err := api.Call(ctx, "cdb", "2017-03-20", "DescribeDBPrice", map[string]any{
		"Zone": s.Zone, "GoodsNum": 1, "Memory": s.MySQLMemMB, "Volume": s.MySQLVolumeGB, "Cpu": s.MySQLCPU,
		"PayType": "HOUR_PAID", "Period": 1, "InstanceRole": "master", "ProtectMode": 0, "InstanceNodes": 2,
	}, &db)
	if err != nil {
		return nil, err
	}
	p.Set("mysql_hour", db.Price/100, "cdb DescribeDBPrice "+s.Zone, checked)
	var redis struct{ Price float64 }
	err = api.Call(ctx, "redis", "2018-04-12", "InquiryPriceCreateInstance", map[string]any{
		"TypeId": 8, "MemSize": s.RedisMemMB, "GoodsNum": 1, "Period": 1, "BillingMode": 0,
		"ZoneName": s.Zone, "RedisShardNum": 1, "RedisReplicasNum": s.RedisReplicas, "ProductVersion": "local",
	}, &redis)
	if err != nil {
		return nil, err
	}
	p.Set("redis_hour", redis.Price/100, "redis InquiryPriceCreateInstance "+s.Zone, checked)
	return p, nil
}
