package localcloud

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	billing "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/billing/v20180709"
	cdb "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/cdb/v20170320"
	redis "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/redis/v20180412"

	"github.com/jianbao/admin/localcloud/api"
)

// Prices and the bill. The price inquiries answer from a formula of the local cloud's own (not
// Tencent's list prices: docs/cost-optimization.md cites those), in 分 as the real APIs answer;
// the bill (DescribeBillDetail) charges every MySQL and Redis instance for the hours it ran in the
// day asked about at those prices, plus any charge the control host was told to add (POST
// /charge), so a budget check can be driven over its threshold. Pages follow Offset and Limit,
// with Total when NeedRecordNum is 1, as the real API pages.

// mysqlHourFen is an instance's price an hour: per core, per GB of memory and of disk, per node.
func mysqlHourFen(cpu, memMB, volumeGB, nodes int64) int64 {
	return max(nodes, 1) * (max(cpu, 1)*8 + memMB/1000*6 + volumeGB/10)
}

// redisHourFen is a Redis instance's price an hour: per GB of memory and per replica.
func redisHourFen(memMB, replicas int64) int64 {
	return max(memMB/256, 1) * (1 + max(replicas, 1)) * 2
}

// redisInquiryRequest is InquiryPriceCreateInstance with the fields newer than the SDK's model
// (https://cloud.tencent.com/document/api/239/30600).
type redisInquiryRequest struct {
	redis.InquiryPriceCreateInstanceRequest
	ZoneName       *string `json:"ZoneName"`
	ProductVersion *string `json:"ProductVersion"`
}

type charge struct {
	day      string // YYYY-MM-DD, China time
	product  string
	resource string
	fen      int64
}

func (c *Cloud) registerBilling() {
	c.API.Handle("cdb", "DescribeDBPrice", func(call *api.Call) (any, error) {
		var req cdb.DescribeDBPriceRequest
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		if deref(req.Memory) <= 0 || deref(req.Volume) <= 0 || deref(req.Zone) == "" {
			return nil, api.Errorf(api.CodeMissingParameter, "Zone, Memory and Volume are required")
		}
		if p := deref(req.PayType); p != "HOUR_PAID" && p != "PRE_PAID" {
			return nil, api.Errorf("InvalidParameterValue", "PayType is HOUR_PAID or PRE_PAID, not %q", p)
		}
		price := mysqlHourFen(deref(req.Cpu), deref(req.Memory), deref(req.Volume), deref(req.InstanceNodes)) * max(deref(req.GoodsNum), 1)
		if deref(req.PayType) == "PRE_PAID" {
			price *= 24 * 30 * max(deref(req.Period), 1)
		}
		out := inner(&cdb.NewDescribeDBPriceResponse().Response)
		out.Price, out.OriginalPrice = ptr(price), ptr(price)
		return out, nil
	})
	c.API.Handle("redis", "InquiryPriceCreateInstance", func(call *api.Call) (any, error) {
		var req redisInquiryRequest
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		if deref(req.MemSize) == 0 || deref(req.TypeId) == 0 || deref(req.GoodsNum) == 0 {
			return nil, api.Errorf(api.CodeMissingParameter, "TypeId, MemSize and GoodsNum are required")
		}
		price := redisHourFen(int64(deref(req.MemSize)), deref(req.RedisReplicasNum)) * int64(deref(req.GoodsNum))
		if deref(req.BillingMode) == 1 {
			price *= 24 * 30 * int64(max(deref(req.Period), 1))
		}
		out := inner(&redis.NewInquiryPriceCreateInstanceResponse().Response)
		out.Price = ptr(float64(price))
		return out, nil
	})
	c.API.Handle("billing", "DescribeBillDetail", func(call *api.Call) (any, error) {
		var req billing.DescribeBillDetailRequest
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		begin, err1 := time.ParseInLocation(time.DateTime, deref(req.BeginTime), china)
		end, err2 := time.ParseInLocation(time.DateTime, deref(req.EndTime), china)
		if err1 != nil || err2 != nil || !end.After(begin) {
			return nil, api.Errorf("InvalidParameterValue", "BeginTime and EndTime are times (2006-01-02 15:04:05), the end after the beginning")
		}
		if begin.Format("2006-01") != end.Format("2006-01") {
			return nil, api.Errorf("InvalidParameter", "BeginTime and EndTime must be in the same month")
		}
		if l := deref(req.Limit); l == 0 || l > 100 {
			return nil, api.Errorf("InvalidParameterValue", "Limit is 1 to 100")
		}
		c.mu.Lock()
		list := c.bill(begin, end)
		c.mu.Unlock()
		total := len(list)
		off := min(int(deref(req.Offset)), len(list))
		list = list[off:min(off+int(deref(req.Limit)), len(list))]
		out := inner(&billing.NewDescribeBillDetailResponse().Response)
		out.DetailSet = list
		if deref(req.NeedRecordNum) == 1 {
			out.Total = ptr(uint64(total))
		}
		return out, nil
	})
}

// AddCharge adds an amount (yuan) to a day's bill, as another product's spend would.
func (c *Cloud) AddCharge(day, product string, yuan float64) error {
	if _, err := time.ParseInLocation(time.DateOnly, day, china); err != nil {
		return fmt.Errorf("day is YYYY-MM-DD: %w", err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.state.charges = append(c.state.charges, charge{day: day, product: product, resource: "charge-" + randomID(6), fen: int64(yuan * 100)})
	return nil
}

// bill is the detail lines between begin and end: an hourly line per running instance and hour,
// and the added charges of the days in the range.
func (c *Cloud) bill(begin, end time.Time) []*billing.BillDetail {
	var list []*billing.BillDetail
	line := func(product, code, resource string, from, to time.Time, fen int64, amount float64, unit string) {
		cost := strconv.FormatFloat(float64(fen)/100, 'f', 2, 64)
		list = append(list, &billing.BillDetail{BusinessCodeName: ptr(product), BusinessCode: ptr(code),
			ProductCodeName: ptr(product), ProductCode: ptr(code), PayModeName: ptr("按量计费"), ResourceId: ptr(resource),
			RegionName: ptr(c.Region), FeeBeginTime: ptr(stamp(from)), FeeEndTime: ptr(stamp(to)), PayerUin: ptr(c.UIN), OwnerUin: ptr(c.UIN),
			ComponentSet: []*billing.BillDetailComponent{{ComponentCodeName: ptr(product), ItemCodeName: ptr(product),
				UsedAmount: ptr(strconv.FormatFloat(amount, 'f', -1, 64)), UsedAmountUnit: ptr(unit), Cost: ptr(cost), RealCost: ptr(cost),
				CashPayAmount: ptr(cost), Discount: ptr("1")}}})
	}
	hourly := func(product, code, resource string, created time.Time, fenHour int64) {
		from := created.Truncate(time.Hour)
		if from.Before(begin) {
			from = begin
		}
		for t := from; t.Before(end) && t.Before(time.Now()); t = t.Add(time.Hour) {
			line(product, code, resource, t, t.Add(time.Hour-time.Second), fenHour, 1, "小时")
		}
	}
	if d := c.state.cdbState; d != nil {
		for _, id := range sortedKeys(d.instances) {
			in := d.instances[id]
			nodes := int64(1)
			if in.slaveZone != "" {
				nodes = 2
			}
			hourly("云数据库 MySQL", "p_cdb", id, in.created, mysqlHourFen(in.cpu, in.memory, in.volume, nodes))
		}
	}
	for _, id := range sortedKeys(c.state.redis) {
		in := c.state.redis[id]
		hourly("云数据库 Redis", "p_redis", id, in.created, redisHourFen(in.memSize, in.replicas))
	}
	for _, ch := range c.state.charges {
		day, _ := time.ParseInLocation(time.DateOnly, ch.day, china)
		if ch.day >= begin.Format(time.DateOnly) && ch.day <= end.Format(time.DateOnly) {
			line(ch.product, "p_other", ch.resource, day, day.Add(24*time.Hour-time.Second), ch.fen, 1, "次")
		}
	}
	return list
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
