package localcloud

import (
	"encoding/json"
	"slices"
	"strconv"
	"time"

	monitor "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/monitor/v20180724"

	"github.com/jianbao/admin/localcloud/api"
)

// Cloud Monitor: notice templates, alarm policies and the objects bound to them. Templates and
// policies keep their configuration as written and read it back (the provider compares what it
// reads with what it wrote); bindings are kept per policy and region. Nothing is evaluated — the
// alert path is tested where Prometheus and the relay run.

// monitorNoticeNewer and monitorPolicyNewer are request fields newer than the SDK's model, from
// the Cloud Monitor API reference, https://cloud.tencent.com/document/api/248 (CreateAlarmNotice,
// ModifyAlarmNotice, DescribeAlarmNotices, CreateAlarmPolicy and the ModifyAlarmPolicy* actions).
var (
	monitorNoticeNewer = []string{"CLSNotices", "Tags", "NoticeIds", "PolicyIds", "AMPConsumerId"}
	monitorPolicyNewer = []string{"Filter", "GroupBy", "HierarchicalNotices", "NoticeContentTmplBindInfos", "Tags",
		"LogAlarmReqInfo", "GroupId", "ServiceType", "MigrateFlag", "EbSubject", "AdditionalMetrics", "IsSupportAlarmTag",
		"PolicyIds", "PolicyId", "Key", "Value"}
)

// monitorRegions are the short names Cloud Monitor gives regions in bindings (the provider's
// MonitorRegionMap, for the regions we deploy to).
var monitorRegions = map[string]string{"ap-guangzhou": "gz", "ap-shanghai": "sh", "ap-beijing": "bj",
	"ap-chengdu": "cd", "ap-nanjing": "nj", "ap-chongqing": "cq", "ap-hongkong": "hk"}

type monitorNotice struct {
	id      string
	config  map[string]json.RawMessage
	updated time.Time
}

type monitorPolicy struct {
	id, origin string
	config     map[string]json.RawMessage
	created    time.Time
	updated    time.Time
	// objects are the bound dimensions, by short region, each with its unique id.
	objects map[string][]monitorObject
}

type monitorObject struct{ unique, dimensions string }

type monitorState struct {
	notices  map[string]*monitorNotice
	policies map[string]*monitorPolicy
}

func (c *Cloud) monitorState() *monitorState {
	if c.state.monitor == nil {
		c.state.monitor = &monitorState{notices: map[string]*monitorNotice{}, policies: map[string]*monitorPolicy{}}
	}
	return c.state.monitor
}

func (c *Cloud) policy(id string) (*monitorPolicy, error) {
	p := c.monitorState().policies[id]
	if p == nil {
		return nil, api.Errorf("ResourceNotFound", "The alarm policy %s does not exist.", id)
	}
	return p, nil
}

func (c *Cloud) registerMonitor() {
	h := func(action string, fn api.Handler) { c.API.Handle("monitor", action, fn) }
	h("CreateAlarmNotice", func(call *api.Call) (any, error) {
		m, err := call.DecodeFields(monitor.CreateAlarmNoticeRequest{}, monitorNoticeNewer...)
		if err != nil {
			return nil, err
		}
		if len(m["Name"]) == 0 || len(m["NoticeType"]) == 0 {
			return nil, api.Errorf(api.CodeMissingParameter, "Name and NoticeType are required")
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		n := &monitorNotice{id: "notice-" + randomID(8), config: m, updated: time.Now()}
		c.monitorState().notices[n.id] = n
		return map[string]any{"NoticeId": n.id}, nil
	})
	h("ModifyAlarmNotice", func(call *api.Call) (any, error) {
		m, err := call.DecodeFields(monitor.ModifyAlarmNoticeRequest{}, monitorNoticeNewer...)
		if err != nil {
			return nil, err
		}
		var id string
		json.Unmarshal(m["NoticeId"], &id)
		c.mu.Lock()
		defer c.mu.Unlock()
		n := c.monitorState().notices[id]
		if n == nil {
			return nil, api.Errorf("ResourceNotFound", "The notice template %s does not exist.", id)
		}
		delete(m, "NoticeId")
		n.config, n.updated = m, time.Now()
		return nil, nil
	})
	h("DescribeAlarmNotices", func(call *api.Call) (any, error) {
		var req struct {
			monitor.DescribeAlarmNoticesRequest
			NoticeIds []string `json:"NoticeIds"`
			PolicyIds []string `json:"PolicyIds"`
			Tags      []any    `json:"Tags"`
		}
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		st := c.monitorState()
		list := []map[string]json.RawMessage{}
		for id, n := range st.notices {
			if len(req.NoticeIds) > 0 && !slices.Contains(req.NoticeIds, id) {
				continue
			}
			out := map[string]json.RawMessage{}
			for k, v := range n.config {
				if k != "Module" {
					out[k] = v
				}
			}
			var policies []string
			for pid, p := range st.policies {
				var ids []string
				json.Unmarshal(p.config["NoticeIds"], &ids)
				if slices.Contains(ids, id) {
					policies = append(policies, pid)
				}
			}
			slices.Sort(policies)
			for k, v := range map[string]any{"Id": id, "UpdatedAt": stamp(n.updated), "UpdatedBy": c.UIN, "IsPreset": 0,
				"PolicyIds": append([]string{}, policies...)} {
				out[k], _ = json.Marshal(v)
			}
			for _, k := range []string{"UserNotices", "URLNotices", "CLSNotices"} {
				if _, ok := out[k]; !ok {
					out[k] = json.RawMessage("[]")
				}
			}
			list = append(list, out)
		}
		return map[string]any{"PageNumber": 1, "PageSize": len(list), "TotalCount": len(list), "Notices": list}, nil
	})
	h("DeleteAlarmNotices", func(call *api.Call) (any, error) {
		var req monitor.DeleteAlarmNoticesRequest
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		for _, id := range derefs(req.NoticeIds) {
			delete(c.monitorState().notices, id)
		}
		return nil, nil
	})

	h("CreateAlarmPolicy", func(call *api.Call) (any, error) {
		m, err := call.DecodeFields(monitor.CreateAlarmPolicyRequest{}, monitorPolicyNewer...)
		if err != nil {
			return nil, err
		}
		for _, k := range []string{"PolicyName", "MonitorType", "Namespace"} {
			if len(m[k]) == 0 {
				return nil, api.Errorf(api.CodeMissingParameter, "%s is required", k)
			}
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		p := &monitorPolicy{id: "policy-" + randomID(8), origin: strconv.FormatInt(1000000+c.state.next(), 10), config: m,
			created: time.Now(), updated: time.Now(), objects: map[string][]monitorObject{}}
		c.monitorState().policies[p.id] = p
		return map[string]any{"PolicyId": p.id, "OriginId": p.origin}, nil
	})
	h("DescribeAlarmPolicy", func(call *api.Call) (any, error) {
		var req struct {
			Module   string `json:"Module"`
			PolicyId string `json:"PolicyId"`
		}
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		p, err := c.policy(req.PolicyId)
		if err != nil {
			return nil, err
		}
		out := map[string]json.RawMessage{}
		for k, v := range p.config {
			if k != "Module" {
				out[k] = v
			}
		}
		sum := 0
		for _, objs := range p.objects {
			sum += len(objs)
		}
		for k, v := range map[string]any{"PolicyId": p.id, "OriginId": p.origin, "InsertTime": p.created.Unix(),
			"UpdateTime": p.updated.Unix(), "LastEditUin": c.UIN, "UseSum": sum, "InstanceSum": sum, "IsDefault": 0,
			"RuleType": "STATIC", "ProjectName": "默认项目", "TagInstances": []any{}} {
			out[k], _ = json.Marshal(v)
		}
		// The policy always answers with both condition blocks and a project: -1, "no project",
		// when none was given (CreateAlarmPolicy: "-1=无项目, 0=默认项目, 如不传默认为 -1").
		defaults := map[string]any{"Condition": map[string]any{"IsUnionRule": 0, "Rules": []any{}},
			"EventCondition": map[string]any{"Rules": []any{}}, "ProjectId": -1, "Enable": 1, "NoticeIds": []string{},
			"TriggerTasks": []any{}, "ConditionTemplateId": ""}
		for k, v := range defaults {
			if _, ok := out[k]; !ok {
				out[k], _ = json.Marshal(v)
			}
		}
		out["Condition"] = withRuleDefaults(out["Condition"])
		if id, ok := p.config["ConditionTemplateId"]; ok { // written as a number, read as a string
			out["ConditionTemplateId"], _ = json.Marshal(string(id))
		}
		return map[string]any{"Policy": out}, nil
	})
	modify := func(action string, model any, apply func(p *monitorPolicy, m map[string]json.RawMessage) error) {
		h(action, func(call *api.Call) (any, error) {
			m, err := call.DecodeFields(model, monitorPolicyNewer...)
			if err != nil {
				return nil, err
			}
			var id string
			json.Unmarshal(m["PolicyId"], &id)
			c.mu.Lock()
			defer c.mu.Unlock()
			p, err := c.policy(id)
			if err != nil {
				return nil, err
			}
			delete(m, "PolicyId")
			delete(m, "Module")
			if err := apply(p, m); err != nil {
				return nil, err
			}
			p.updated = time.Now()
			return nil, nil
		})
	}
	merge := func(p *monitorPolicy, m map[string]json.RawMessage) error {
		for k, v := range m {
			p.config[k] = v
		}
		return nil
	}
	modify("ModifyAlarmPolicyCondition", monitor.ModifyAlarmPolicyConditionRequest{}, merge)
	modify("ModifyAlarmPolicyNotice", monitor.ModifyAlarmPolicyNoticeRequest{}, merge)
	modify("ModifyAlarmPolicyTasks", struct {
		Module       string `json:"Module"`
		PolicyId     string `json:"PolicyId"`
		TriggerTasks []any  `json:"TriggerTasks"`
	}{}, merge)
	modify("ModifyAlarmPolicyStatus", struct {
		Module   string `json:"Module"`
		PolicyId string `json:"PolicyId"`
		Enable   int64  `json:"Enable"`
	}{}, merge)
	modify("ModifyAlarmPolicyInfo", monitor.ModifyAlarmPolicyInfoRequest{}, func(p *monitorPolicy, m map[string]json.RawMessage) error {
		var key, value string
		json.Unmarshal(m["Key"], &key)
		json.Unmarshal(m["Value"], &value)
		switch key {
		case "NAME":
			p.config["PolicyName"], _ = json.Marshal(value)
		case "REMARK":
			p.config["Remark"], _ = json.Marshal(value)
		default:
			return api.Errorf(api.CodeInvalidParameterValue, "Key is NAME or REMARK, not %q", key)
		}
		return nil
	})
	h("DeleteAlarmPolicy", func(call *api.Call) (any, error) {
		var req monitor.DeleteAlarmPolicyRequest
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		for _, id := range derefs(req.PolicyIds) {
			delete(c.monitorState().policies, id)
		}
		return nil, nil
	})

	h("BindingPolicyObject", func(call *api.Call) (any, error) {
		var req monitor.BindingPolicyObjectRequest
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		p, err := c.policy(deref(req.PolicyId))
		if err != nil {
			return nil, err
		}
		for _, d := range req.Dimensions {
			dims := deref(d.Dimensions)
			var probe map[string]any
			if json.Unmarshal([]byte(dims), &probe) != nil {
				return nil, api.Errorf(api.CodeInvalidParameterValue, "Dimensions is not a JSON object: %q", dims)
			}
			region := deref(d.Region)
			if !slices.Contains(mapValues(monitorRegions), region) {
				return nil, api.Errorf(api.CodeInvalidParameterValue, "unknown region %q (Cloud Monitor's short names: gz, sh …)", region)
			}
			if !slices.ContainsFunc(p.objects[region], func(o monitorObject) bool { return o.dimensions == dims }) {
				p.objects[region] = append(p.objects[region], monitorObject{unique: "dms-" + randomID(8), dimensions: dims})
			}
		}
		return nil, nil
	})
	h("DescribePolicyObjectCount", func(call *api.Call) (any, error) {
		// Newer than the SDK's model (https://cloud.tencent.com/document/api/248, DescribePolicyObjectCount).
		var req struct {
			Module  string `json:"Module"`
			GroupId int64  `json:"GroupId"`
		}
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		type count struct {
			Region string
			Count  int
		}
		list := []count{}
		for _, p := range c.monitorState().policies {
			if p.origin != strconv.FormatInt(req.GroupId, 10) {
				continue
			}
			for region, objs := range p.objects {
				list = append(list, count{region, len(objs)})
			}
		}
		return map[string]any{"RegionList": list}, nil
	})
	h("DescribeBindingPolicyObjectList", func(call *api.Call) (any, error) {
		var req struct {
			monitor.DescribeBindingPolicyObjectListRequest
			PolicyId string `json:"PolicyId"` // newer than the SDK's model (the reference above)
		}
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		p, err := c.policy(req.PolicyId)
		if err != nil {
			return nil, err
		}
		objs := p.objects[monitorRegions[call.Region]]
		off, lim := int(deref(req.Offset)), int(cmpInt(deref(req.Limit), 20))
		list := []*monitor.DescribeBindingPolicyObjectListInstance{}
		for i := off; i < len(objs) && i < off+lim; i++ {
			list = append(list, &monitor.DescribeBindingPolicyObjectListInstance{UniqueId: ptr(objs[i].unique),
				Dimensions: ptr(objs[i].dimensions), IsShielded: ptr(int64(0)), Region: ptr(monitorRegions[call.Region])})
		}
		return map[string]any{"List": list, "Total": len(objs), "NoShieldedSum": len(objs)}, nil
	})
	h("UnBindingAllPolicyObject", func(call *api.Call) (any, error) {
		var req struct {
			monitor.UnBindingAllPolicyObjectRequest
		}
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		p, err := c.policy(deref(req.PolicyId))
		if err != nil {
			return nil, err
		}
		delete(p.objects, monitorRegions[call.Region])
		return nil, nil
	})
}

// metricUnits are the units Cloud Monitor reports for the SCF metrics our policy uses.
var metricUnits = map[string]string{"Error": "次", "Duration": "ms", "Throttle": "次", "Invocation": "次"}

// withRuleDefaults fills what the API adds to each rule of a condition read back: its type
// (STATIC for a threshold) and the metric's unit.
func withRuleDefaults(raw json.RawMessage) json.RawMessage {
	var cond map[string]any
	if json.Unmarshal(raw, &cond) != nil {
		return raw
	}
	rules, _ := cond["Rules"].([]any)
	for _, r := range rules {
		rule, ok := r.(map[string]any)
		if !ok {
			continue
		}
		if s, _ := rule["RuleType"].(string); s == "" {
			rule["RuleType"] = "STATIC"
		}
		if s, _ := rule["Unit"].(string); s == "" {
			name, _ := rule["MetricName"].(string)
			rule["Unit"] = cmpOr(metricUnits[name], "-")
		}
	}
	out, _ := json.Marshal(cond)
	return out
}

func mapValues(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}
