package localcloud

import (
	"encoding/json"
	"slices"
	"time"

	cdn "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/cdn/v20180606"

	"github.com/jianbao/admin/localcloud/api"
)

// CDN: domains and their configuration, kept as written — the configuration of AddCdnDomain and
// every UpdateDomainConfig merged field by field — and read back by DescribeDomainsConfig, where
// a DetailDomain carries the same fields. A change is "processing" for a moment, then "online".
// Nothing is served: the console is tested where the shim serves it.

// cdnNewer are AddCdnDomain / UpdateDomainConfig fields newer than the SDK's model
// (https://cloud.tencent.com/document/api/228/41123, /228/41116).
var cdnNewer = []string{"HwPrivateAccess", "QnPrivateAccess", "OthersPrivateAccess", "HttpsBilling", "ParamFilter",
	"AwsPrivateAccess", "UserAgentFilter", "AccessControl", "UrlRedirect", "AccessPort", "AdvancedAuthentication",
	"OriginAuthentication", "OriginCombine", "PostMaxSize", "WebSocket", "RemoteAuthentication", "ShareCdn", "HwPrivateAccess",
	"RuleEngine", "Tag"}

// cdnNewerBlocks are the DetailDomain blocks newer than the SDK's model, as CDN sends them for a
// domain that has not configured them (https://cloud.tencent.com/document/api/228/30987#DetailDomain).
var cdnNewerBlocks = map[string]any{
	"OssPrivateAccess":     map[string]any{"Switch": "off", "AccessKey": "", "SecretKey": "", "Region": "", "Bucket": ""},
	"HwPrivateAccess":      map[string]any{"Switch": "off", "AccessKey": "", "SecretKey": "", "Bucket": ""},
	"QnPrivateAccess":      map[string]any{"Switch": "off", "AccessKey": "", "SecretKey": ""},
	"OthersPrivateAccess":  map[string]any{"Switch": "off", "AccessKey": "", "SecretKey": "", "Region": "", "Bucket": ""},
	"WebSocket":            map[string]any{"Switch": "off", "Timeout": 0},
	"RemoteAuthentication": map[string]any{"Switch": "off", "RemoteAuthenticationRules": []any{}, "Server": ""},
	"ShareCname":           map[string]any{"Switch": "off", "Cname": ""},
	"RuleEngine":           map[string]any{"Switch": "off", "Content": ""},
	"HttpsBilling":         map[string]any{"Switch": "off"},
	"ParamFilter":          map[string]any{"Switch": "off", "FilterRules": []any{}},
	"AutoGuard":            map[string]any{"Switch": "off", "FilterRules": []any{}},
	"GeoBlocker":           map[string]any{"Switch": "off", "BlockRules": []any{}},
	"ParentHost":           "",
}

type cdnDomain struct {
	config  map[string]json.RawMessage
	status  string
	changed time.Time
	created time.Time
	id      string
}

func (c *Cloud) registerCDN() {
	h := func(action string, fn api.Handler) { c.API.Handle("cdn", action, fn) }
	h("AddCdnDomain", func(call *api.Call) (any, error) {
		m, err := call.DecodeFields(cdn.AddCdnDomainRequest{}, cdnNewer...)
		if err != nil {
			return nil, err
		}
		var domain string
		json.Unmarshal(m["Domain"], &domain)
		if domain == "" {
			return nil, api.Errorf(api.CodeMissingParameter, "Domain is required")
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.state.cdn == nil {
			c.state.cdn = map[string]*cdnDomain{}
		}
		if c.state.cdn[domain] != nil {
			return nil, api.Errorf("ResourceInUse.CdnHostExists", "the domain %s is on CDN already", domain)
		}
		c.state.cdn[domain] = &cdnDomain{config: m, status: "processing", changed: time.Now(), created: time.Now(), id: "cdn-" + randomID(8)}
		return nil, nil
	})
	h("UpdateDomainConfig", func(call *api.Call) (any, error) {
		m, err := call.DecodeFields(cdn.UpdateDomainConfigRequest{}, cdnNewer...)
		if err != nil {
			return nil, err
		}
		var domain string
		json.Unmarshal(m["Domain"], &domain)
		c.mu.Lock()
		defer c.mu.Unlock()
		d := c.state.cdn[domain]
		if d == nil {
			return nil, api.Errorf("ResourceNotFound.CdnHostNotExists", "no CDN domain %s", domain)
		}
		for k, v := range m {
			d.config[k] = v
		}
		d.status, d.changed = "processing", time.Now()
		return nil, nil
	})
	h("DescribeDomainsConfig", func(call *api.Call) (any, error) {
		var req cdn.DescribeDomainsConfigRequest
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		var want []string
		for _, f := range req.Filters {
			if deref(f.Name) == "domain" {
				want = append(want, derefs(f.Value)...)
			}
		}
		list := []map[string]json.RawMessage{}
		for name, d := range c.state.cdn {
			if len(want) > 0 && !slices.Contains(want, name) {
				continue
			}
			if d.status == "processing" && c.settled(d.changed) {
				d.status = "online"
			}
			// Every configuration block, as CDN always sends them (switches off), then what was
			// configured over them.
			base := cdn.DetailDomain{}
			api.CompleteDeep(&base)
			out := map[string]json.RawMessage{}
			raw, _ := json.Marshal(base)
			json.Unmarshal(raw, &out)
			for k, v := range cdnNewerBlocks {
				out[k], _ = json.Marshal(v)
			}
			for k, v := range d.config {
				out[k] = v
			}
			meta := map[string]any{"ResourceId": d.id, "AppId": c.AppID, "Cname": name + ".cdn.dnsv1.com", "Status": d.status,
				"ProjectId": 0, "CreateTime": stamp(d.created), "UpdateTime": stamp(d.changed), "Disable": "normal", "Readonly": "normal",
				"Area": "mainland"}
			for k, v := range meta {
				if _, set := out[k]; !set || k == "Status" || k == "Cname" || k == "ResourceId" {
					out[k], _ = json.Marshal(v)
				}
			}
			list = append(list, out)
		}
		return map[string]any{"TotalNumber": len(list), "Domains": list}, nil
	})
	for _, a := range []struct{ action, status string }{{"StopCdnDomain", "offline"}, {"StartCdnDomain", "online"}} {
		h(a.action, func(call *api.Call) (any, error) {
			var req struct {
				Domain *string `json:"Domain"`
			}
			if err := call.Decode(&req); err != nil {
				return nil, err
			}
			c.mu.Lock()
			defer c.mu.Unlock()
			d := c.state.cdn[deref(req.Domain)]
			if d == nil {
				return nil, api.Errorf("ResourceNotFound.CdnHostNotExists", "no CDN domain %s", deref(req.Domain))
			}
			d.status, d.changed = a.status, time.Now().Add(-c.Settle)
			return nil, nil
		})
	}
	h("DeleteCdnDomain", func(call *api.Call) (any, error) {
		var req cdn.DeleteCdnDomainRequest
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		d := c.state.cdn[deref(req.Domain)]
		if d == nil {
			return nil, api.Errorf("ResourceNotFound.CdnHostNotExists", "no CDN domain %s", deref(req.Domain))
		}
		if d.status != "offline" {
			return nil, api.Errorf("FailedOperation.CdnHostIsNotOffline", "stop the domain %s before deleting it", deref(req.Domain))
		}
		delete(c.state.cdn, *req.Domain)
		return nil, nil
	})
}
