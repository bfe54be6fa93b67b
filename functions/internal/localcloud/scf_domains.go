package localcloud

import (
	"encoding/json"
	"net/http"
	"path"
	"strings"

	"github.com/jianbao/admin/localcloud/api"
)

// Custom domains: one host in front of many Function URLs, routing each request by its path to
// an endpoint (namespace, function, qualifier) whose PathMatch matches: a path, or a path ending
// in /* for everything below it. The models are newer than the SDK's
// (https://cloud.tencent.com/document/api/583/99282 CreateCustomDomain, /583/99278 GetCustomDomain).

type scfEndpoint struct {
	Namespace    *string           `json:"Namespace"`
	FunctionName *string           `json:"FunctionName"`
	Qualifier    *string           `json:"Qualifier"`
	PathMatch    *string           `json:"PathMatch"`
	PathRewrite  []json.RawMessage `json:"PathRewrite"`
}

type scfCustomDomain struct {
	Domain          *string        `json:"Domain"`
	Protocol        *string        `json:"Protocol"`
	EndpointsConfig []*scfEndpoint `json:"EndpointsConfig"`
	CertConfig      *struct {
		CertificateId *string `json:"CertificateId"`
	} `json:"CertConfig,omitempty"`
	WafConfig *struct {
		WafOpen       *string `json:"WafOpen"`
		WafInstanceId *string `json:"WafInstanceId"`
	} `json:"WafConfig,omitempty"`
	Tags []json.RawMessage `json:"Tags"`
}

func (c *Cloud) customDomain(host string) *scfCustomDomain {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.state.domains[host]
}

func (c *Cloud) registerSCFDomains(h func(string, api.Handler)) {
	h("CreateCustomDomain", func(call *api.Call) (any, error) {
		var req scfCustomDomain
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.state.domains == nil {
			c.state.domains = map[string]*scfCustomDomain{}
		}
		d := strings.ToLower(deref(req.Domain))
		if c.state.domains[d] != nil {
			return nil, api.Errorf("ResourceInUse.CustomDomain", "The domain %s is bound.", d)
		}
		if err := c.checkEndpoints(req.EndpointsConfig); err != nil {
			return nil, err
		}
		if req.Tags == nil {
			req.Tags = []json.RawMessage{}
		}
		c.state.domains[d] = &req
		return map[string]any{}, nil
	})
	h("GetCustomDomain", func(call *api.Call) (any, error) {
		var req struct {
			Domain *string `json:"Domain"`
		}
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		d := c.state.domains[strings.ToLower(deref(req.Domain))]
		if d == nil {
			return nil, api.Errorf("ResourceNotFound.CustomDomain", "The domain %s is not bound.", deref(req.Domain))
		}
		return d, nil
	})
	h("UpdateCustomDomain", func(call *api.Call) (any, error) {
		var req scfCustomDomain
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		d := c.state.domains[strings.ToLower(deref(req.Domain))]
		if d == nil {
			return nil, api.Errorf("ResourceNotFound.CustomDomain", "The domain %s is not bound.", deref(req.Domain))
		}
		if req.EndpointsConfig != nil {
			if err := c.checkEndpoints(req.EndpointsConfig); err != nil {
				return nil, err
			}
		}
		merge(d, &req)
		return map[string]any{}, nil
	})
	h("DeleteCustomDomain", func(call *api.Call) (any, error) {
		var req struct {
			Domain *string `json:"Domain"`
		}
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		delete(c.state.domains, strings.ToLower(deref(req.Domain)))
		return map[string]any{}, nil
	})
}

// checkEndpoints refuses routes to functions or qualifiers that do not exist.
func (c *Cloud) checkEndpoints(list []*scfEndpoint) error {
	for _, e := range list {
		f, err := c.function(nsOr(e.Namespace), deref(e.FunctionName))
		if err != nil {
			return err
		}
		if _, _, err := f.version(deref(e.Qualifier)); err != nil {
			return err
		}
	}
	return nil
}

// serveCustomDomain routes a request to the endpoint whose PathMatch matches its path best (the
// longest match wins), and runs it as that function's Function URL would.
func (c *Cloud) serveCustomDomain(w http.ResponseWriter, r *http.Request, d *scfCustomDomain) {
	c.mu.Lock()
	var best *scfEndpoint
	for _, e := range d.EndpointsConfig {
		m := deref(e.PathMatch)
		ok := m == r.URL.Path
		if prefix, wild := strings.CutSuffix(m, "/*"); wild {
			ok = strings.HasPrefix(r.URL.Path, prefix+"/")
		} else if g, err := path.Match(m, r.URL.Path); err == nil && g {
			ok = true
		}
		if ok && (best == nil || len(m) > len(deref(best.PathMatch))) {
			best = e
		}
	}
	c.mu.Unlock()
	if best == nil {
		http.Error(w, `{"errorCode":-1,"errorMessage":"no route for `+r.URL.Path+`"}`, http.StatusNotFound)
		return
	}
	c.invokeHTTP(w, r, nsOr(best.Namespace), deref(best.FunctionName), deref(best.Qualifier), r.URL.Path, nil)
}
