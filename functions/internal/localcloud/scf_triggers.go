package localcloud

import (
	"encoding/json"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	scf "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/scf/v20180416"

	"github.com/jianbao/admin/localcloud/api"
)

// Triggers. A COS trigger is named by its bucket's XML API host (<bucket>.cos.<region>.myqcloud.com)
// and receives that bucket's create events matching its prefix and suffix; a timer trigger fires on
// its cron (seconds first, seven fields, as SCF's); an http trigger is a Function URL on its
// qualifier, and takes no name — the API names it itself (url-trigger).

var (
	cosTriggerName = regexp.MustCompile(`^([a-z0-9-]+)\.cos\.([a-z0-9-]+)\.myqcloud\.com$`)
)

// scfCreateTriggerRequest is CreateTrigger with the fields newer than the SDK's model
// (https://cloud.tencent.com/document/api/583/18589).
type scfCreateTriggerRequest struct {
	scf.CreateTriggerRequest
	Description *string `json:"Description"`
}

// httpTriggerDesc is an http trigger's TriggerDesc (https://cloud.tencent.com/document/product/583/100227).
type httpTriggerDesc struct {
	AuthType  string `json:"AuthType"`
	NetConfig struct {
		EnableIntranet bool `json:"EnableIntranet"`
		EnableExtranet bool `json:"EnableExtranet"`
	} `json:"NetConfig"`
	CorsConfig json.RawMessage `json:"CorsConfig,omitempty"`
}

func (c *Cloud) registerSCFTriggers(h func(string, api.Handler)) {
	h("CreateTrigger", func(call *api.Call) (any, error) {
		var req scfCreateTriggerRequest
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		f, err := c.function(nsOr(req.Namespace), deref(req.FunctionName))
		if err != nil {
			return nil, err
		}
		t := &scfTrigger{name: deref(req.TriggerName), kind: deref(req.Type), desc: deref(req.TriggerDesc), qualifier: cmpOr(deref(req.Qualifier), "$LATEST"),
			customArgument: deref(req.CustomArgument), enabled: deref(req.Enable) != "CLOSE", created: time.Now()}
		if _, _, err := f.version(t.qualifier); err != nil {
			return nil, err
		}
		if err := c.checkTrigger(f, t); err != nil {
			return nil, err
		}
		f.triggers = append(f.triggers, t)
		if t.kind == "timer" {
			c.runtime().schedule(f, t)
		}
		return map[string]any{"TriggerInfo": t.view(c, f)}, nil
	})
	h("ListTriggers", func(call *api.Call) (any, error) {
		var req scf.ListTriggersRequest
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		f, err := c.function(nsOr(req.Namespace), deref(req.FunctionName))
		if err != nil {
			return nil, err
		}
		fv := filters(req.Filters, func(x *scf.Filter) (string, []*string) { return deref(x.Name), x.Values })
		var list []*scfTriggerView
		for _, t := range f.triggers {
			if fv.match(map[string]string{"TriggerName": t.name, "Type": t.kind, "Qualifier": t.qualifier}) {
				list = append(list, t.view(c, f))
			}
		}
		total := len(list)
		return map[string]any{"Triggers": window(list, deref(req.Offset), deref(req.Limit)), "TotalCount": total}, nil
	})
	h("UpdateTrigger", func(call *api.Call) (any, error) {
		var req struct {
			FunctionName, TriggerName, Type, Enable, Qualifier, Namespace, TriggerDesc, Description, CustomArgument *string
		}
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		f, err := c.function(nsOr(req.Namespace), deref(req.FunctionName))
		if err != nil {
			return nil, err
		}
		t := f.trigger(deref(req.TriggerName), deref(req.Type), deref(req.Qualifier))
		if t == nil {
			return nil, api.Errorf("ResourceNotFound.Trigger", "The trigger %s does not exist.", deref(req.TriggerName))
		}
		if req.Enable != nil {
			t.enabled = *req.Enable != "CLOSE"
		}
		if req.TriggerDesc != nil {
			t.desc = *req.TriggerDesc
		}
		return map[string]any{}, nil
	})
	h("DeleteTrigger", func(call *api.Call) (any, error) {
		var req scf.DeleteTriggerRequest
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		f, err := c.function(nsOr(req.Namespace), deref(req.FunctionName))
		if err != nil {
			return nil, err
		}
		t := f.trigger(deref(req.TriggerName), deref(req.Type), deref(req.Qualifier))
		if t == nil {
			return nil, api.Errorf("ResourceNotFound.Trigger", "The trigger %s does not exist.", deref(req.TriggerName))
		}
		f.triggers = slices.DeleteFunc(f.triggers, func(x *scfTrigger) bool { return x == t })
		return map[string]any{}, nil
	})
}

// trigger finds a trigger by name and type (and qualifier, when given).
func (f *scfFunction) trigger(name, kind, qualifier string) *scfTrigger {
	for _, t := range f.triggers {
		if t.name == name && (kind == "" || t.kind == kind) && (qualifier == "" || t.qualifier == qualifier) {
			return t
		}
	}
	return nil
}

// checkTrigger is what CreateTrigger checks of each type.
func (c *Cloud) checkTrigger(f *scfFunction, t *scfTrigger) error {
	switch t.kind {
	case "cos":
		m := cosTriggerName.FindStringSubmatch(t.name)
		if m == nil {
			return api.Errorf("InvalidParameterValue.TriggerName", "A COS trigger is named <bucket>.cos.<region>.myqcloud.com, not %q.", t.name)
		}
		if !slices.Contains(c.COS.Buckets(), m[1]) {
			return api.Errorf("ResourceNotFound.Cos", "The bucket %s does not exist.", m[1])
		}
		var d struct {
			Event  string `json:"event"`
			Filter struct {
				Prefix, Suffix string
			} `json:"filter"`
		}
		if err := json.Unmarshal([]byte(t.desc), &d); err != nil || !strings.HasPrefix(d.Event, "cos:") {
			return api.Errorf("InvalidParameterValue.TriggerDesc", "A COS trigger's TriggerDesc is {\"event\":\"cos:…\",\"filter\":{…}}: %q", t.desc)
		}
	case "timer":
		if _, err := parseCron(t.desc); err != nil {
			return api.Errorf("InvalidParameterValue.TriggerDesc", "The timer's cron %q: %v", t.desc, err)
		}
	case "http":
		var d httpTriggerDesc
		if err := json.Unmarshal([]byte(t.desc), &d); err != nil || (d.AuthType != "NONE" && d.AuthType != "CAM") {
			return api.Errorf("InvalidParameterValue.TriggerDesc", "An http trigger's TriggerDesc is {\"AuthType\":\"NONE\"|\"CAM\",\"NetConfig\":{…}}: %q", t.desc)
		}
		for _, o := range f.triggers {
			if o.kind == "http" && o.qualifier == t.qualifier {
				return api.Errorf("ResourceInUse.Trigger", "The qualifier %s already has a Function URL.", t.qualifier)
			}
		}
		t.urlID = randomID(10)
	default:
		return api.Errorf(api.CodeUnsupportedAction, "the local SCF has no %s triggers", t.kind)
	}
	return nil
}

// functionURL is an http trigger's address: <appid>-<id>-<region>.scf.<domain> (SCF's form is
// https://<appid>-<id>-<region>.scf.tencentcs.com).
func (c *Cloud) functionURL(t *scfTrigger) string {
	return "http://" + strconv.FormatUint(c.AppID, 10) + "-" + t.urlID + "-" + c.Region + ".scf." + c.Domain
}

func (t *scfTrigger) view(c *Cloud, f *scfFunction) *scfTriggerView {
	enable := int64(0)
	if t.enabled {
		enable = 1
	}
	desc := t.desc
	if t.kind == "timer" {
		b, _ := json.Marshal(map[string]string{"cron": t.desc})
		desc = string(b)
	}
	if t.kind == "http" {
		// The address is read back with the description. (Where a real account reports a Function
		// URL's address in ListTriggers is to be confirmed: docs/deploy.md.)
		var m map[string]any
		json.Unmarshal([]byte(t.desc), &m)
		m["Url"] = map[string]string{"ExtranetUrl": c.functionURL(t), "IntranetUrl": ""}
		b, _ := json.Marshal(m)
		desc = string(b)
	}
	return &scfTriggerView{ModTime: ptr(stamp(t.created)), Type: ptr(t.kind), TriggerDesc: ptr(desc), TriggerName: ptr(t.name), AddTime: ptr(stamp(t.created)),
		CustomArgument: ptr(t.customArgument), AvailableStatus: ptr("Available"), ResourceId: ptr(""), BindStatus: ptr(""), TriggerAttribute: ptr(""),
		Qualifier: ptr(t.qualifier), Description: ptr(""), Enable: ptr(enable)}
}
