package localcloud

import (
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	_ "github.com/go-sql-driver/mysql"
	cdb "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/cdb/v20170320"

	"github.com/jianbao/admin/localcloud/api"
)

// TencentDB for MySQL: every instance is a MariaDB server of its own (mariadbd with its own data
// directory, listening on its own loopback address, 127.0.0.31, .32, … at the port asked for),
// so instances never share a name, and what connects with the DSN Terraform builds is what the
// cloud's instance would let in: its databases, accounts, passwords and grants are real, and its
// parameters (max_connections, wait_timeout …) are the server's. The network is loopback here:
// an account's host pattern (the functions' subnet, 10.20.1.%) becomes 127.0.0.1, the address
// local clients connect from. An instance reports 0 (delivering) until its server answers, then
// 1 (running), as the API does.

type cdbInstance struct {
	id, name, engine, zone, vpc, subnet, password string
	cpu, memory, volume, port, protect, deploy    int64
	slaveZone                                     string
	groups                                        []string
	params                                        map[string]string
	created                                       time.Time
	status                                        int64             // 0 delivering, 1 running, 5 isolated
	databases                                     map[string]string // name → charset
	accounts                                      map[string]*cdbAccount
	ip, dir                                       string
	server                                        *exec.Cmd
	db                                            *sql.DB // root, over the server's socket
	failed                                        error
}

type cdbAccount struct {
	user, host, description string
	created                 time.Time
	global                  []string
	dbPrivileges            map[string][]string
}

// cdbCreateHourRequest is CreateDBInstanceHour with the fields newer than the SDK's model
// (https://cloud.tencent.com/document/api/236/15865).
type cdbCreateHourRequest struct {
	cdb.CreateDBInstanceHourRequest
	DryRun             *bool     `json:"DryRun"`
	EngineType         *string   `json:"EngineType"`
	Vips               []*string `json:"Vips"`
	DataProtectVolume  *int64    `json:"DataProtectVolume"`
	ClusterTopology    *struct{} `json:"ClusterTopology"`
	DiskType           *string   `json:"DiskType"`
	ClusterType        *string   `json:"ClusterType"`
	DestroyProtect     *string   `json:"DestroyProtect"`
	Vip                *string   `json:"Vip"`
	SlaveZoneNodeCount *int64    `json:"SlaveZoneNodeCount"`
}

// cdbInstanceInfo is InstanceInfo with the fields newer than the SDK's model
// (DescribeDBInstances, https://cloud.tencent.com/document/api/236/15872).
type cdbInstanceInfo struct {
	cdb.InstanceInfo
	EngineType     *string `json:"EngineType"`
	MaxDelayTime   *int64  `json:"MaxDelayTime"`
	DiskType       *string `json:"DiskType"`
	ExpandCpu      *int64  `json:"ExpandCpu"`
	DestroyProtect *string `json:"DestroyProtect"`
}

type cdbState struct {
	instances map[string]*cdbInstance
	tasks     map[string]time.Time // async request id → started
	n         int
}

func (c *Cloud) cdb() *cdbState {
	if c.state.cdbState == nil {
		c.state.cdbState = &cdbState{instances: map[string]*cdbInstance{}, tasks: map[string]time.Time{}}
	}
	return c.state.cdbState
}

// boot makes the instance's data directory and starts its server (in the background: the
// instance is "delivering" meanwhile), sets the root password, and records the result.
func (c *Cloud) boot(in *cdbInstance) {
	err := func() error {
		data := filepath.Join(in.dir, "data")
		if out, err := exec.Command("mariadb-install-db", "--no-defaults", "--datadir="+data, "--user="+osUser(),
			"--auth-root-authentication-method=socket", "--skip-test-db").CombinedOutput(); err != nil {
			return fmt.Errorf("mariadb-install-db: %v\n%s", err, out)
		}
		args := []string{"--no-defaults", "--datadir=" + data, "--user=" + osUser(), "--bind-address=" + in.ip, "--port=" + strconv.FormatInt(in.port, 10),
			"--socket=" + filepath.Join(in.dir, "sock"), "--pid-file=" + filepath.Join(in.dir, "pid"), "--skip-log-bin",
			"--innodb-buffer-pool-size=32M", "--log-error=" + filepath.Join(in.dir, "error.log")}
		for k, v := range in.params {
			if safeName.MatchString(k) && safeValue.MatchString(v) && !strings.HasPrefix(k, "__") {
				args = append(args, "--"+strings.ReplaceAll(k, "_", "-")+"="+v)
			}
		}
		in.server = owned(exec.Command(mariadbd(), args...))
		if err := in.server.Start(); err != nil {
			return err
		}
		go in.server.Wait()
		db, err := sql.Open("mysql", osUser()+"@unix("+filepath.Join(in.dir, "sock")+")/?interpolateParams=true")
		if err != nil {
			return err
		}
		db.SetMaxOpenConns(2)
		deadline := time.Now().Add(30 * time.Second)
		for db.Ping() != nil {
			if time.Now().After(deadline) {
				return fmt.Errorf("the instance's server did not answer within 30 s (see %s)", filepath.Join(in.dir, "error.log"))
			}
			time.Sleep(50 * time.Millisecond)
		}
		if _, err := db.Exec("CREATE USER 'root'@'%' IDENTIFIED BY ?", in.password); err != nil {
			return err
		}
		if _, err := db.Exec("GRANT ALL PRIVILEGES ON *.* TO 'root'@'%' WITH GRANT OPTION"); err != nil {
			return err
		}
		in.db = db
		return nil
	}()
	c.mu.Lock()
	defer c.mu.Unlock()
	if err != nil {
		c.Log.Error("the MySQL instance did not start", "instance", in.id, "err", err)
		in.failed = err
		return
	}
	in.status = 1
}

// stop ends the instance's server and removes its data.
func (in *cdbInstance) stop() {
	if in.db != nil {
		in.db.Close()
	}
	if in.server != nil && in.server.Process != nil {
		in.server.Process.Kill()
	}
	os.RemoveAll(in.dir)
}

func osUser() string {
	if u, err := user.Current(); err == nil {
		return u.Username
	}
	return "root"
}

func mariadbd() string {
	for _, p := range []string{"/usr/sbin/mariadbd", "/usr/sbin/mysqld"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return "mariadbd"
}

// admin is the instance's root connection, once its server runs.
func (in *cdbInstance) admin() (*sql.DB, error) {
	if in.db == nil {
		return nil, api.Errorf("OperationDenied.InstanceStatusError", "The instance %s is not running yet.", in.id)
	}
	return in.db, nil
}

func (in *cdbInstance) state(c *Cloud) int64 { return in.status }

// task starts an asynchronous request the API reports by DescribeAsyncRequestInfo.
func (c *Cloud) task() string {
	id := randomHex(8) + "-" + randomHex(4) + "-" + randomHex(4)
	c.cdb().tasks[id] = time.Now()
	return id
}

var (
	safeValue = regexp.MustCompile(`^[A-Za-z0-9_.:+-]{1,64}$`)
	safeName  = regexp.MustCompile(`^[A-Za-z0-9_]{1,64}$`)
	safeHost  = regexp.MustCompile(`^[0-9A-Za-z.%_:-]{1,64}$`)
	safePriv  = regexp.MustCompile(`^[A-Z ]{3,40}$`)
)

// localHost is where an account's connections come from locally: every client is on loopback.
func localHost(host string) string {
	if host == "%" {
		return "%"
	}
	return "127.0.0.1"
}

func (c *Cloud) registerCDB() {
	h := func(action string, fn api.Handler) { c.API.Handle("cdb", action, fn) }
	find := func(id string) (*cdbInstance, error) {
		in := c.cdb().instances[id]
		if in == nil || in.status == 5 {
			return nil, api.Errorf("InvalidParameter.InstanceNotFound", "The instance %s does not exist.", id)
		}
		return in, nil
	}
	h("CreateDBInstanceHour", func(call *api.Call) (any, error) {
		var req cdbCreateHourRequest
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		if deref(req.UniqSubnetId) != "" && c.vpcs().subnets[*req.UniqSubnetId] == nil {
			return nil, api.Errorf("InvalidParameter", "no subnet %s", *req.UniqSubnetId)
		}
		// An instance is created once per client token, as the API promises.
		for _, in := range c.cdb().instances {
			if tok := deref(req.ClientToken); tok != "" && in.params["__client_token"] == tok {
				return map[string]any{"InstanceIds": []string{in.id}, "DealIds": []string{}}, nil
			}
		}
		in := &cdbInstance{id: "cdb-" + randomID(8), name: deref(req.InstanceName), engine: deref(req.EngineVersion), zone: deref(req.Zone),
			vpc: deref(req.UniqVpcId), subnet: deref(req.UniqSubnetId), password: deref(req.Password), cpu: deref(req.Cpu),
			memory: deref(req.Memory), volume: deref(req.Volume), port: max(deref(req.Port), 3306), protect: deref(req.ProtectMode),
			deploy: deref(req.DeployMode), slaveZone: deref(req.SlaveZone), groups: derefs(req.SecurityGroup), created: time.Now(),
			params: map[string]string{"__client_token": deref(req.ClientToken)}, databases: map[string]string{}, accounts: map[string]*cdbAccount{}}
		for _, p := range req.ParamList {
			in.params[deref(p.Name)] = deref(p.Value)
		}
		c.cdb().n++
		in.ip, in.dir = freeLoopback(30+c.cdb().n, max(in.port, 3306)), filepath.Join(c.DataDir, "cdb", in.id)
		c.cdb().instances[in.id] = in
		go c.boot(in)
		c.state.use(in.subnet, in.id)
		for _, g := range in.groups {
			c.state.use(g, in.id)
		}
		return map[string]any{"InstanceIds": []string{in.id}, "DealIds": []string{}}, nil
	})
	h("DescribeDBInstances", func(call *api.Call) (any, error) {
		// DescribeDBInstances with the newer fields (https://cloud.tencent.com/document/api/236/15872).
		var req struct {
			cdb.DescribeDBInstancesRequest
			QueryClusterInfo *bool     `json:"QueryClusterInfo"`
			UniqueVpcIds     []*string `json:"UniqueVpcIds"`
			UniqSubnetIds    []*string `json:"UniqSubnetIds"`
			Tags             []*struct {
				TagKey, TagValue *string
			} `json:"Tags"`
			ProxyVips   []*string `json:"ProxyVips"`
			ProxyIds    []*string `json:"ProxyIds"`
			EngineTypes []*string `json:"EngineTypes"`
		}
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		var list []*cdbInstanceInfo
		for _, in := range c.cdb().instances {
			if len(req.InstanceIds) > 0 && !slices.Contains(derefs(req.InstanceIds), in.id) {
				continue
			}
			if len(req.Status) > 0 && !slices.Contains(derefs(req.Status), uint64(in.state(c))) {
				continue
			}
			list = append(list, in.info(c))
		}
		slices.SortFunc(list, func(a, b *cdbInstanceInfo) int { return compare(*a.InstanceId, *b.InstanceId) })
		return map[string]any{"TotalCount": len(list), "Items": list}, nil
	})
	h("DescribeDBInstanceConfig", func(call *api.Call) (any, error) {
		var req cdb.DescribeDBInstanceConfigRequest
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		in, err := find(deref(req.InstanceId))
		if err != nil {
			return nil, err
		}
		out := inner(&cdb.NewDescribeDBInstanceConfigResponse().Response)
		out.ProtectMode, out.DeployMode, out.Zone = ptr(in.protect), ptr(in.deploy), ptr(in.zone)
		out.SlaveConfig = &cdb.SlaveConfig{ReplicationMode: ptr(fmt.Sprint(in.protect)), Zone: ptr(cmpOr(in.slaveZone, in.zone))}
		out.BackupConfig = &cdb.BackupConfig{ReplicationMode: ptr(""), Zone: ptr(""), Vip: ptr(""), Vport: ptr(uint64(0))}
		out.Switched = ptr(false)
		return out, nil
	})
	h("DescribeDBSecurityGroups", func(call *api.Call) (any, error) {
		var req cdb.DescribeDBSecurityGroupsRequest
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		in, err := find(deref(req.InstanceId))
		if err != nil {
			return nil, err
		}
		out := inner(&cdb.NewDescribeDBSecurityGroupsResponse().Response)
		for _, id := range in.groups {
			g := c.vpcs().groups[id]
			name, desc := "", ""
			if g != nil {
				name, desc = g.name, g.desc
			}
			out.Groups = append(out.Groups, &cdb.SecurityGroup{SecurityGroupId: ptr(id), SecurityGroupName: ptr(name), SecurityGroupRemark: ptr(desc),
				ProjectId: ptr(int64(0)), CreateTime: ptr(stamp(in.created)), Inbound: []*cdb.Inbound{}, Outbound: []*cdb.Outbound{}})
		}
		return out, nil
	})
	h("ModifyDBInstanceSecurityGroups", func(call *api.Call) (any, error) {
		var req cdb.ModifyDBInstanceSecurityGroupsRequest
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
		return inner(&cdb.NewModifyDBInstanceSecurityGroupsResponse().Response), nil
	})
	h("DescribeDBInstanceGTID", func(call *api.Call) (any, error) {
		var req cdb.DescribeDBInstanceGTIDRequest
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		out := inner(&cdb.NewDescribeDBInstanceGTIDResponse().Response)
		out.IsGTIDOpen = ptr(int64(1))
		return out, nil
	})
	h("DescribeInstanceParams", func(call *api.Call) (any, error) {
		var req cdb.DescribeInstanceParamsRequest
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		in, err := find(deref(req.InstanceId))
		if err != nil {
			return nil, err
		}
		var items []*cdb.ParameterDetail
		names := make([]string, 0, len(in.params))
		for n := range in.params {
			if !strings.HasPrefix(n, "__") {
				names = append(names, n)
			}
		}
		for _, n := range []string{"character_set_server", "max_connections", "wait_timeout", "time_zone"} {
			if _, ok := in.params[n]; !ok {
				names = append(names, n)
			}
		}
		slices.Sort(names)
		defaults := map[string]string{"character_set_server": "utf8mb4", "max_connections": "10000", "wait_timeout": "28800", "time_zone": "SYSTEM"}
		for _, n := range names {
			v, ok := in.params[n]
			if !ok {
				v = defaults[n]
			}
			items = append(items, &cdb.ParameterDetail{Name: ptr(n), ParamType: ptr("string"), Default: ptr(defaults[n]), CurrentValue: ptr(v),
				Description: ptr(""), NeedReboot: ptr(int64(0)), EnumValue: []*string{}})
		}
		return map[string]any{"TotalCount": len(items), "Items": items}, nil
	})
	h("ModifyInstanceParam", func(call *api.Call) (any, error) {
		var req cdb.ModifyInstanceParamRequest
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		for _, id := range derefs(req.InstanceIds) {
			in, err := find(id)
			if err != nil {
				return nil, err
			}
			for _, p := range req.ParamList {
				name, value := deref(p.Name), deref(p.CurrentValue)
				if !safeName.MatchString(name) || !safeValue.MatchString(value) {
					return nil, api.Errorf("InvalidParameterValue", "parameter %q = %q", name, value)
				}
				if db, err := in.admin(); err == nil {
					if _, err := db.Exec("SET GLOBAL "+name+" = ?", value); err != nil {
						return nil, api.Errorf("InvalidParameterValue", "SET GLOBAL %s: %v", name, err)
					}
				}
				in.params[name] = value
			}
		}
		return map[string]any{"AsyncRequestId": c.task()}, nil
	})
	h("DescribeAsyncRequestInfo", func(call *api.Call) (any, error) {
		var req cdb.DescribeAsyncRequestInfoRequest
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		at, ok := c.cdb().tasks[deref(req.AsyncRequestId)]
		if !ok {
			return nil, api.Errorf("InvalidParameter", "no async request %s", deref(req.AsyncRequestId))
		}
		out := inner(&cdb.NewDescribeAsyncRequestInfoResponse().Response)
		out.Status, out.Info = ptr("RUNNING"), ptr("")
		if c.settled(at) {
			out.Status = ptr("SUCCESS")
		}
		return out, nil
	})
	h("ModifyDBInstanceName", func(call *api.Call) (any, error) {
		var req cdb.ModifyDBInstanceNameRequest
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		in, err := find(deref(req.InstanceId))
		if err != nil {
			return nil, err
		}
		in.name = deref(req.InstanceName)
		return inner(&cdb.NewModifyDBInstanceNameResponse().Response), nil
	})
	h("CreateDatabase", func(call *api.Call) (any, error) {
		// https://cloud.tencent.com/document/api/236/59012 (newer than the SDK's models)
		var req struct {
			InstanceId       *string `json:"InstanceId"`
			DBName           *string `json:"DBName"`
			CharacterSetName *string `json:"CharacterSetName"`
		}
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		in, err := find(deref(req.InstanceId))
		if err != nil {
			return nil, err
		}
		name, charset := deref(req.DBName), cmpOr(deref(req.CharacterSetName), "utf8mb4")
		if !safeName.MatchString(name) || !safeName.MatchString(charset) {
			return nil, api.Errorf("InvalidParameterValue", "DBName %q or CharacterSetName %q", name, charset)
		}
		db, err := in.admin()
		if err != nil {
			return nil, err
		}
		if _, err := db.Exec("CREATE DATABASE `" + name + "` CHARACTER SET " + charset); err != nil {
			return nil, api.Errorf("FailedOperation", "creating the database %s: %v", name, err)
		}
		in.databases[name] = charset
		return map[string]any{}, nil
	})
	h("DescribeDatabases", func(call *api.Call) (any, error) {
		var req cdb.DescribeDatabasesRequest
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		in, err := find(deref(req.InstanceId))
		if err != nil {
			return nil, err
		}
		re, err := regexp.Compile(deref(req.DatabaseRegexp))
		if err != nil {
			return nil, api.Errorf("InvalidParameterValue", "DatabaseRegexp: %v", err)
		}
		var names []string
		for n := range in.databases {
			if re.MatchString(n) {
				names = append(names, n)
			}
		}
		slices.Sort(names)
		out := inner(&cdb.NewDescribeDatabasesResponse().Response)
		out.TotalCount, out.Items = ptr(int64(len(names))), ptrs(names)
		for _, n := range names {
			out.DatabaseList = append(out.DatabaseList, &cdb.DatabasesWithCharacterLists{DatabaseName: ptr(n), CharacterSet: ptr(in.databases[n])})
		}
		return out, nil
	})
	h("DeleteDatabase", func(call *api.Call) (any, error) {
		var req struct {
			InstanceId *string `json:"InstanceId"`
			DBName     *string `json:"DBName"`
		}
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		in, err := find(deref(req.InstanceId))
		if err != nil {
			return nil, err
		}
		name := deref(req.DBName)
		if _, ok := in.databases[name]; !ok {
			return nil, api.Errorf("InvalidParameterValue", "no database %s", name)
		}
		db, err := in.admin()
		if err != nil {
			return nil, err
		}
		if _, err := db.Exec("DROP DATABASE `" + name + "`"); err != nil {
			return nil, api.Errorf("FailedOperation", "dropping %s: %v", name, err)
		}
		delete(in.databases, name)
		return map[string]any{}, nil
	})
	h("CreateAccounts", func(call *api.Call) (any, error) {
		var req struct {
			cdb.CreateAccountsRequest
			MaxUserConnections *int64 `json:"MaxUserConnections"` // https://cloud.tencent.com/document/api/236/17502
		}
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		in, err := find(deref(req.InstanceId))
		if err != nil {
			return nil, err
		}
		db, err := in.admin()
		if err != nil {
			return nil, err
		}
		for _, a := range req.Accounts {
			user, host := deref(a.User), deref(a.Host)
			if !safeName.MatchString(user) || !safeHost.MatchString(host) {
				return nil, api.Errorf("InvalidParameterValue", "account %q@%q", user, host)
			}
			if _, err := db.Exec("CREATE USER ?@? IDENTIFIED BY ?", user, localHost(host), deref(req.Password)); err != nil {
				return nil, api.Errorf("FailedOperation", "creating %s: %v", user, err)
			}
			in.accounts[user+"@"+host] = &cdbAccount{user: user, host: host, description: deref(req.Description), created: time.Now(), dbPrivileges: map[string][]string{}}
		}
		return map[string]any{"AsyncRequestId": c.task()}, nil
	})
	h("DescribeAccounts", func(call *api.Call) (any, error) {
		var req cdb.DescribeAccountsRequest
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		in, err := find(deref(req.InstanceId))
		if err != nil {
			return nil, err
		}
		var items []map[string]any
		for _, a := range in.accounts {
			items = append(items, map[string]any{"User": a.user, "Host": a.host, "Notes": a.description, "CreateTime": stamp(a.created),
				"ModifyTime": stamp(a.created), "ModifyPasswordTime": stamp(a.created), "MaxUserConnections": 10240})
		}
		slices.SortFunc(items, func(a, b map[string]any) int { return compare(a["User"].(string), b["User"].(string)) })
		return map[string]any{"TotalCount": len(items), "Items": items, "MaxUserConnections": 10240}, nil
	})
	h("ModifyAccountDescription", func(call *api.Call) (any, error) {
		var req cdb.ModifyAccountDescriptionRequest
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		in, err := find(deref(req.InstanceId))
		if err != nil {
			return nil, err
		}
		for _, a := range req.Accounts {
			if acc := in.accounts[deref(a.User)+"@"+deref(a.Host)]; acc != nil {
				acc.description = deref(req.Description)
			}
		}
		return map[string]any{"AsyncRequestId": c.task()}, nil
	})
	h("ModifyAccountPassword", func(call *api.Call) (any, error) {
		var req cdb.ModifyAccountPasswordRequest
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		in, err := find(deref(req.InstanceId))
		if err != nil {
			return nil, err
		}
		db, err := in.admin()
		if err != nil {
			return nil, err
		}
		for _, a := range req.Accounts {
			if in.accounts[deref(a.User)+"@"+deref(a.Host)] == nil {
				return nil, api.Errorf("InvalidParameterValue", "no account %s@%s", deref(a.User), deref(a.Host))
			}
			if _, err := db.Exec("ALTER USER ?@? IDENTIFIED BY ?", deref(a.User), localHost(deref(a.Host)), deref(req.NewPassword)); err != nil {
				return nil, api.Errorf("FailedOperation", "%v", err)
			}
		}
		return map[string]any{"AsyncRequestId": c.task()}, nil
	})
	h("DeleteAccounts", func(call *api.Call) (any, error) {
		var req cdb.DeleteAccountsRequest
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		in, err := find(deref(req.InstanceId))
		if err != nil {
			return nil, err
		}
		db, err := in.admin()
		if err != nil {
			return nil, err
		}
		for _, a := range req.Accounts {
			key := deref(a.User) + "@" + deref(a.Host)
			if in.accounts[key] == nil {
				continue
			}
			if _, err := db.Exec("DROP USER ?@?", deref(a.User), localHost(deref(a.Host))); err != nil {
				return nil, api.Errorf("FailedOperation", "%v", err)
			}
			delete(in.accounts, key)
		}
		return map[string]any{"AsyncRequestId": c.task()}, nil
	})
	h("ModifyAccountPrivileges", func(call *api.Call) (any, error) {
		var req struct {
			cdb.ModifyAccountPrivilegesRequest
			ModifyAction *string `json:"ModifyAction"` // https://cloud.tencent.com/document/api/236/17500
		}
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		in, err := find(deref(req.InstanceId))
		if err != nil {
			return nil, err
		}
		db, err := in.admin()
		if err != nil {
			return nil, err
		}
		for _, a := range req.Accounts {
			acc := in.accounts[deref(a.User)+"@"+deref(a.Host)]
			if acc == nil {
				return nil, api.Errorf("InvalidParameterValue", "no account %s@%s", deref(a.User), deref(a.Host))
			}
			user, host := acc.user, localHost(acc.host)
			// Replace what the account holds with what is asked: revoke, then grant.
			if _, err := db.Exec("REVOKE ALL PRIVILEGES, GRANT OPTION FROM ?@?", user, host); err != nil {
				return nil, api.Errorf("FailedOperation", "%v", err)
			}
			acc.global, acc.dbPrivileges = derefs(req.GlobalPrivileges), map[string][]string{}
			if len(acc.global) > 0 {
				if err := grant(db, acc.global, "*.*", user, host); err != nil {
					return nil, err
				}
			}
			for _, p := range req.DatabasePrivileges {
				name := deref(p.Database)
				if _, ok := in.databases[name]; !ok {
					return nil, api.Errorf("InvalidParameterValue", "no database %s", name)
				}
				if err := grant(db, derefs(p.Privileges), "`"+name+"`.*", user, host); err != nil {
					return nil, err
				}
				acc.dbPrivileges[name] = derefs(p.Privileges)
			}
		}
		return map[string]any{"AsyncRequestId": c.task()}, nil
	})
	h("DescribeAccountPrivileges", func(call *api.Call) (any, error) {
		var req cdb.DescribeAccountPrivilegesRequest
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		in, err := find(deref(req.InstanceId))
		if err != nil {
			return nil, err
		}
		acc := in.accounts[deref(req.User)+"@"+deref(req.Host)]
		if acc == nil {
			return nil, api.Errorf("InvalidParameterValue.UserNotExistError", "no account %s@%s", deref(req.User), deref(req.Host))
		}
		out := inner(&cdb.NewDescribeAccountPrivilegesResponse().Response)
		out.GlobalPrivileges = ptrs(acc.global)
		names := make([]string, 0, len(acc.dbPrivileges))
		for n := range acc.dbPrivileges {
			names = append(names, n)
		}
		slices.Sort(names)
		for _, n := range names {
			out.DatabasePrivileges = append(out.DatabasePrivileges, &cdb.DatabasePrivilege{Database: ptr(n), Privileges: ptrs(acc.dbPrivileges[n])})
		}
		return out, nil
	})
	h("IsolateDBInstance", func(call *api.Call) (any, error) {
		var req cdb.IsolateDBInstanceRequest
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
		in.status = 5
		return map[string]any{"AsyncRequestId": c.task()}, nil
	})
	h("OfflineIsolatedInstances", func(call *api.Call) (any, error) {
		var req cdb.OfflineIsolatedInstancesRequest
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		for _, id := range derefs(req.InstanceIds) {
			in := c.cdb().instances[id]
			if in == nil || in.status != 5 {
				return nil, api.Errorf("InvalidParameter.InstanceNotFound", "no isolated instance %s", id)
			}
			delete(c.cdb().instances, id)
			c.state.unuse(id)
		}
		return map[string]any{}, nil
	})
}

// grant grants privileges (checked against a plain word list) on what to user@host.
func grant(db *sql.DB, privileges []string, what, user, host string) error {
	for _, p := range privileges {
		if !safePriv.MatchString(p) {
			return api.Errorf("InvalidParameterValue", "privilege %q", p)
		}
	}
	if _, err := db.Exec("GRANT "+strings.Join(privileges, ", ")+" ON "+what+" TO ?@?", user, host); err != nil {
		return api.Errorf("FailedOperation", "granting on %s: %v", what, err)
	}
	return nil
}

func (in *cdbInstance) info(c *Cloud) *cdbInstanceInfo {
	return &cdbInstanceInfo{InstanceInfo: cdb.InstanceInfo{WanStatus: ptr(int64(0)), Zone: ptr(in.zone), InitFlag: ptr(int64(1)), Memory: ptr(in.memory),
		Status: ptr(in.state(c)), VpcId: ptr(int64(0)), InstanceId: ptr(in.id), Volume: ptr(in.volume), AutoRenew: ptr(int64(0)),
		ProtectMode: ptr(in.protect), SubnetId: ptr(int64(0)), InstanceType: ptr(int64(1)), ProjectId: ptr(int64(0)), Region: ptr(c.Region),
		DeployMode: ptr(in.deploy), TaskStatus: ptr(int64(0)), DeviceType: ptr("UNIVERSAL"), EngineVersion: ptr(in.engine), InstanceName: ptr(in.name),
		WanDomain: ptr(""), WanPort: ptr(int64(0)), PayType: ptr(int64(1)), CreateTime: ptr(stamp(in.created)), Vip: ptr(in.ip),
		Vport: ptr(in.port), CdbError: ptr(int64(0)), UniqVpcId: ptr(in.vpc), UniqSubnetId: ptr(in.subnet), Cpu: ptr(in.cpu), ZoneName: ptr(in.zone),
		InstanceNodes: ptr(int64(2)), DrInfo: []*cdb.DrInfo{}, RoGroups: []*cdb.RoGroup{}},
		EngineType: ptr("InnoDB"), DiskType: ptr("CLOUD_SSD"), DestroyProtect: ptr("off")}
}
