package localcloud

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	redis "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/redis/v20180412"

	"github.com/jianbao/admin/localcloud/api"
)

// TencentDB for Redis: every instance is a redis-server process of its own, listening on its own
// loopback address (127.0.0.11, .12, …) at the port asked for, with the password Terraform chose
// (requirepass), so clients connect with exactly the address and password the instance reports.
// It reports 0 (initializing) until the process answers, then 2 (running).

type redisInstance struct {
	id, name, zone, vpc, subnet, password, ip string
	zoneID, typeID, memSize                   int64
	port                                      int64
	shards, replicas                          int64
	groups                                    []string
	created                                   time.Time
	cmd                                       *exec.Cmd
	dir                                       string
	status                                    int64
}

// redisCreateRequest is CreateInstances with the fields newer than the SDK's model
// (https://cloud.tencent.com/document/api/239/20026).
type redisCreateRequest struct {
	redis.CreateInstancesRequest
	TemplateId      *string   `json:"TemplateId"`
	ZoneName        *string   `json:"ZoneName"`
	DryRun          *bool     `json:"DryRun"`
	ProductVersion  *string   `json:"ProductVersion"`
	RedisClusterId  *string   `json:"RedisClusterId"`
	AlarmPolicyList []*string `json:"AlarmPolicyList"`
}

// The zones this cloud sells Redis in, by their numeric ids (DescribeZones, DescribeProductInfo).
var redisZones = map[string]int64{"ap-guangzhou-3": 100003, "ap-guangzhou-4": 100004, "ap-guangzhou-6": 100006, "ap-guangzhou-7": 100007}

// redisTypes are the product types sold: 8 is Redis 5.0 standard (a primary and replicas).
var redisTypes = map[int64]string{6: "Redis 4.0 standard", 8: "Redis 5.0 standard", 15: "Redis 6.2 standard", 17: "Redis 7.0 standard"}

func (c *Cloud) registerRedis() {
	h := func(action string, fn api.Handler) { c.API.Handle("redis", action, fn) }
	find := func(id string) (*redisInstance, error) {
		in := c.state.redis[id]
		if in == nil {
			return nil, api.Errorf("ResourceNotFound.InstanceNotExists", "The instance %s does not exist.", id)
		}
		return in, nil
	}
	h("DescribeProductInfo", func(call *api.Call) (any, error) {
		var req redis.DescribeProductInfoRequest
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		var zones []*redis.ZoneCapacityConf
		for name, id := range redisZones {
			var products []*redis.ProductConf
			for t, n := range redisTypes {
				products = append(products, &redis.ProductConf{Type: ptr(t), TypeName: ptr(n), MinBuyNum: ptr(int64(1)), MaxBuyNum: ptr(int64(10)),
					Saleout: ptr(false), Engine: ptr("Redis"), Version: ptr("5.0"), TotalSize: ptrs([]string{"1", "2", "4"}),
					ShardSize: ptrs([]string{"256", "512", "1024", "2048", "4096"}), ReplicaNum: ptrs([]string{"1", "2", "3", "4", "5"}),
					ShardNum: ptrs([]string{"1"}), PayMode: ptr("0"), EnableRepicaReadOnly: ptr(true)})
			}
			slices.SortFunc(products, func(a, b *redis.ProductConf) int { return compare(*a.Type, *b.Type) })
			zones = append(zones, &redis.ZoneCapacityConf{ZoneId: ptr(strconv.FormatInt(id, 10)), ZoneName: ptr(name), IsSaleout: ptr(false),
				IsDefault: ptr(name == "ap-guangzhou-3"), NetWorkType: ptrs([]string{"VPC"}), ProductSet: products, OldZoneId: ptr(id)})
		}
		slices.SortFunc(zones, func(a, b *redis.ZoneCapacityConf) int { return compare(*a.ZoneName, *b.ZoneName) })
		out := inner(&redis.NewDescribeProductInfoResponse().Response)
		out.RegionSet = []*redis.RegionConf{{RegionId: ptr(c.Region), RegionName: ptr(c.Region), RegionShortName: ptr("gz"), Area: ptr("China"), ZoneSet: zones}}
		return out, nil
	})
	h("CreateInstances", func(call *api.Call) (any, error) {
		var req redisCreateRequest
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		zone := ""
		for name, id := range redisZones {
			if uint64(id) == deref(req.ZoneId) || name == deref(req.ZoneName) {
				zone = name
			}
		}
		if zone == "" || redisTypes[int64(deref(req.TypeId))] == "" {
			return nil, api.Errorf("InvalidParameterValue", "zone %d or type %d is not sold", deref(req.ZoneId), deref(req.TypeId))
		}
		pw := deref(req.Password)
		if !deref(req.NoAuth) && (len(pw) < 8 || len(pw) > 16) {
			return nil, api.Errorf("InvalidParameterValue.PasswordRuleError", "a Redis password has 8 to 16 characters")
		}
		c.mu.Lock()
		if c.state.redis == nil {
			c.state.redis = map[string]*redisInstance{}
		}
		c.state.redisN++
		in := &redisInstance{id: "crs-" + randomID(8), name: deref(req.InstanceName), zone: zone, zoneID: redisZones[zone], typeID: int64(deref(req.TypeId)),
			memSize: int64(deref(req.MemSize)), vpc: deref(req.VpcId), subnet: deref(req.SubnetId), password: pw, port: int64(max(deref(req.VPort), 6379)),
			shards: max(deref(req.RedisShardNum), 1), replicas: deref(req.RedisReplicasNum), groups: derefs(req.SecurityGroupIdList),
			created: time.Now()}
		in.ip = freeLoopback(10+c.state.redisN, in.port)
		in.dir = filepath.Join(c.DataDir, "redis", in.id)
		c.state.redis[in.id] = in
		c.state.use(in.subnet, in.id)
		for _, g := range in.groups {
			c.state.use(g, in.id)
		}
		c.mu.Unlock()
		if err := c.startRedis(in); err != nil {
			return nil, api.Errorf(api.CodeInternalError, "starting the instance's redis-server: %v", err)
		}
		return map[string]any{"DealId": "", "InstanceIds": []string{in.id}}, nil
	})
	h("DescribeInstances", func(call *api.Call) (any, error) {
		var req struct {
			redis.DescribeInstancesRequest
			ProductVersions []*string `json:"ProductVersions"` // https://cloud.tencent.com/document/api/239/20018
			InstanceIds     []*string `json:"InstanceIds"`
			AzMode          *string   `json:"AzMode"`
		}
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		var list []map[string]any
		for _, in := range c.state.redis {
			if id := deref(req.InstanceId); id != "" && in.id != id {
				continue
			}
			if len(req.InstanceIds) > 0 && !slices.Contains(derefs(req.InstanceIds), in.id) {
				continue
			}
			list = append(list, in.view(c))
		}
		return map[string]any{"TotalCount": len(list), "InstanceSet": list}, nil
	})
	h("DescribeInstanceSecurityGroup", func(call *api.Call) (any, error) {
		var req redis.DescribeInstanceSecurityGroupRequest
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		out := inner(&redis.NewDescribeInstanceSecurityGroupResponse().Response)
		for _, id := range derefs(req.InstanceIds) {
			in, err := find(id)
			if err != nil {
				return nil, err
			}
			d := &redis.InstanceSecurityGroupDetail{InstanceId: ptr(in.id)}
			for _, g := range in.groups {
				name := ""
				if sg := c.vpcs().groups[g]; sg != nil {
					name = sg.name
				}
				d.SecurityGroupDetails = append(d.SecurityGroupDetails, &redis.SecurityGroupDetail{SecurityGroupId: ptr(g), SecurityGroupName: ptr(name),
					ProjectId: ptr(int64(0)), CreateTime: ptr(stamp(in.created)), SecurityGroupRemark: ptr("")})
			}
			out.InstanceSecurityGroupsDetail = append(out.InstanceSecurityGroupsDetail, d)
		}
		return out, nil
	})
	h("ModifyDBInstanceSecurityGroups", func(call *api.Call) (any, error) {
		var req redis.ModifyDBInstanceSecurityGroupsRequest
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		in, err := find(deref(req.InstanceId))
		if err != nil {
			return nil, err
		}
		c.state.unuse(in.id)
		in.groups = derefs(req.SecurityGroupIds)
		c.state.use(in.subnet, in.id)
		for _, g := range in.groups {
			c.state.use(g, in.id)
		}
		return map[string]any{}, nil
	})
	h("DestroyPostpaidInstance", func(call *api.Call) (any, error) {
		var req redis.DestroyPostpaidInstanceRequest
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		in, err := find(deref(req.InstanceId))
		if err != nil {
			return nil, err
		}
		in.stop()
		delete(c.state.redis, in.id)
		c.state.unuse(in.id)
		return map[string]any{"TaskId": 1}, nil
	})
	h("DescribeTaskInfo", func(call *api.Call) (any, error) {
		var req redis.DescribeTaskInfoRequest
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		out := inner(&redis.NewDescribeTaskInfoResponse().Response)
		out.Status, out.StartTime, out.TaskType, out.TaskMessage = ptr("succeed"), ptr(stamp(time.Now())), ptr(""), ptr("")
		return out, nil
	})
	c.API.Handle("region", "DescribeZones", func(call *api.Call) (any, error) {
		// https://cloud.tencent.com/document/api/1596/77929 (the region product; no model in the SDK)
		var req struct {
			Product *string `json:"Product"`
		}
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		var set []map[string]any
		for name, id := range redisZones {
			set = append(set, map[string]any{"Zone": name, "ZoneName": name, "ZoneId": strconv.FormatInt(id, 10), "ZoneState": "AVAILABLE"})
		}
		return map[string]any{"TotalCount": len(set), "ZoneSet": set}, nil
	})
}

func (in *redisInstance) view(c *Cloud) map[string]any {
	if in.status == 0 && in.answers() {
		in.status = 2
	}
	return map[string]any{"InstanceName": in.name, "InstanceId": in.id, "Appid": c.AppID, "ProjectId": 0, "RegionId": 1, "ZoneId": in.zoneID,
		"VpcId": 0, "SubnetId": 0, "Status": in.status, "WanIp": in.ip, "Port": in.port, "Createtime": stamp(in.created),
		"Size": in.memSize, "SizeUsed": 0, "Type": in.typeID, "AutoRenewFlag": 0, "DeadlineTime": "0000-00-00 00:00:00", "Engine": "Redis",
		"ProductType": "standalone", "UniqVpcId": in.vpc, "UniqSubnetId": in.subnet, "BillingMode": 0, "InstanceTitle": "运行中", "OfflineTime": "",
		"SubStatus": 0, "Tags": []string{}, "InstanceNode": []any{}, "RedisShardSize": in.memSize, "RedisShardNum": in.shards,
		"RedisReplicasNum": in.replicas, "PriceId": 0, "CloseTime": "", "SlaveReadWeight": 0, "InstanceTags": []any{}, "ProjectName": "",
		"NoAuth": in.password == "", "ClientLimit": 10000, "DtsStatus": 0, "NetLimit": 48, "PasswordFree": 0, "ReadOnly": 0, "Vip6": "",
		"RemainBandwidthDuration": "", "DiskSize": 0, "MonitorVersion": "1s", "ClientLimitMin": 10000, "ClientLimitMax": 10000,
		"NodeSet": []map[string]any{{"NodeType": 0, "ZoneId": in.zoneID, "NodeId": 0}}, "Region": c.Region,
		"WanAddress": "", "PolarisServer": "", "RedisClusterId": "", "DedicatedClusterId": "", "ProductVersion": "local", "CurrentProxyVersion": "",
		"CurrentRedisVersion": "", "UpgradeProxyVersion": "", "UpgradeRedisVersion": "", "BackupMode": "", "DeleteProtectionSwitch": 0}
}

// startRedis runs the instance's redis-server and waits until it answers.
func (c *Cloud) startRedis(in *redisInstance) error {
	if err := os.MkdirAll(in.dir, 0o755); err != nil {
		return err
	}
	args := []string{"--bind", in.ip, "--port", strconv.FormatInt(in.port, 10), "--save", "", "--appendonly", "no",
		"--dir", in.dir, "--daemonize", "no", "--logfile", filepath.Join(in.dir, "redis.log")}
	if in.password != "" {
		args = append(args, "--requirepass", in.password)
	}
	in.cmd = owned(exec.Command(c.redisServer(), args...))
	if err := in.cmd.Start(); err != nil {
		return err
	}
	go in.cmd.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for !in.answers() {
		select {
		case <-ctx.Done():
			return fmt.Errorf("redis-server on %s:%d did not start", in.ip, in.port)
		case <-time.After(50 * time.Millisecond):
		}
	}
	return nil
}

func (in *redisInstance) answers() bool {
	conn, err := net.DialTimeout("tcp", net.JoinHostPort(in.ip, strconv.FormatInt(in.port, 10)), 200*time.Millisecond)
	if err != nil {
		return false
	}
	conn.Close()
	return true
}

func (in *redisInstance) stop() {
	if in.cmd != nil && in.cmd.Process != nil {
		in.cmd.Process.Kill()
	}
	os.RemoveAll(in.dir)
}

func (c *Cloud) redisServer() string {
	if c.RedisServer != "" {
		return c.RedisServer
	}
	return "redis-server"
}
