package localcloud

import (
	"slices"
	"strconv"
	"time"

	scf "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/scf/v20180416"

	"github.com/jianbao/admin/localcloud/api"
)

// Versions, aliases and reserved concurrency: PublishVersion freezes $LATEST's configuration and
// code as the next number; an alias names a version (what a Function URL on the alias runs);
// reserved concurrency caps the function's instances (and the runtime holds it to that cap).

func (c *Cloud) registerSCFReleases(h func(string, api.Handler)) {
	h("PublishVersion", func(call *api.Call) (any, error) {
		var req scf.PublishVersionRequest
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		f, err := c.function(nsOr(req.Namespace), deref(req.FunctionName))
		if err != nil {
			return nil, err
		}
		if f.state(c) != "Active" {
			return nil, api.Errorf("FailedOperation.PublishVersion", "The function %s is %s: wait until it is Active.", f.name, f.status)
		}
		n := 1
		if len(f.versions) > 0 {
			last, _ := strconv.Atoi(f.versions[len(f.versions)-1].number)
			n = last + 1
		}
		v := &scfVersion{number: strconv.Itoa(n), description: deref(req.Description), config: f.config, created: time.Now()}
		v.config.Env = slices.Clone(f.config.Env)
		f.versions = append(f.versions, v)
		return map[string]any{"FunctionVersion": v.number, "CodeSize": v.config.CodeSize, "MemorySize": v.config.Memory,
			"Description": v.description, "Handler": v.config.Handler, "Timeout": v.config.Timeout, "Runtime": v.config.Runtime, "Namespace": f.namespace}, nil
	})
	h("ListVersionByFunction", func(call *api.Call) (any, error) {
		var req scf.ListVersionByFunctionRequest
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		f, err := c.function(nsOr(req.Namespace), deref(req.FunctionName))
		if err != nil {
			return nil, err
		}
		versions := []*scf.FunctionVersion{{Version: ptr("$LATEST"), Description: ptr(f.config.Description), AddTime: ptr(stamp(f.created)), ModTime: ptr(stamp(f.changed))}}
		for _, v := range f.versions {
			versions = append(versions, &scf.FunctionVersion{Version: ptr(v.number), Description: ptr(v.description), AddTime: ptr(stamp(v.created)), ModTime: ptr(stamp(v.created))})
		}
		names := []*string{}
		for _, v := range versions {
			names = append(names, v.Version)
		}
		total := len(versions)
		return map[string]any{"FunctionVersion": names, "Versions": window(versions, deref(req.Offset), deref(req.Limit)), "TotalCount": total}, nil
	})
	h("CreateAlias", func(call *api.Call) (any, error) {
		var req scf.CreateAliasRequest
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		f, err := c.function(nsOr(req.Namespace), deref(req.FunctionName))
		if err != nil {
			return nil, err
		}
		name := deref(req.Name)
		if f.aliases[name] != nil {
			return nil, api.Errorf("ResourceInUse.Alias", "The alias %s exists.", name)
		}
		if _, _, err := f.version(deref(req.FunctionVersion)); err != nil || deref(req.FunctionVersion) == "" {
			return nil, api.Errorf("InvalidParameterValue.FunctionVersion", "The version %s does not exist.", deref(req.FunctionVersion))
		}
		f.aliases[name] = &scfAlias{name: name, version: *req.FunctionVersion, description: deref(req.Description), created: time.Now(), modified: time.Now()}
		return map[string]any{}, nil
	})
	h("GetAlias", func(call *api.Call) (any, error) {
		var req scf.GetAliasRequest
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		f, err := c.function(nsOr(req.Namespace), deref(req.FunctionName))
		if err != nil {
			return nil, err
		}
		a := f.aliases[deref(req.Name)]
		if a == nil {
			return nil, api.Errorf("ResourceNotFound.Alias", "The alias %s does not exist.", deref(req.Name))
		}
		return a.view(), nil
	})
	h("ListAliases", func(call *api.Call) (any, error) {
		var req scf.ListAliasesRequest
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		f, err := c.function(nsOr(req.Namespace), deref(req.FunctionName))
		if err != nil {
			return nil, err
		}
		var list []*scf.Alias
		for _, a := range f.aliases {
			if v := deref(req.FunctionVersion); v == "" || a.version == v {
				list = append(list, a.view())
			}
		}
		slices.SortFunc(list, func(a, b *scf.Alias) int { return compare(*a.Name, *b.Name) })
		return map[string]any{"Aliases": list, "TotalCount": len(list)}, nil
	})
	h("UpdateAlias", func(call *api.Call) (any, error) {
		var req scf.UpdateAliasRequest
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		f, err := c.function(nsOr(req.Namespace), deref(req.FunctionName))
		if err != nil {
			return nil, err
		}
		a := f.aliases[deref(req.Name)]
		if a == nil {
			return nil, api.Errorf("ResourceNotFound.Alias", "The alias %s does not exist.", deref(req.Name))
		}
		if v := deref(req.FunctionVersion); v != "" {
			if _, _, err := f.version(v); err != nil {
				return nil, err
			}
			a.version = v
		}
		if req.Description != nil {
			a.description = *req.Description
		}
		a.modified = time.Now()
		return map[string]any{}, nil
	})
	h("DeleteAlias", func(call *api.Call) (any, error) {
		var req scf.DeleteAliasRequest
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		f, err := c.function(nsOr(req.Namespace), deref(req.FunctionName))
		if err != nil {
			return nil, err
		}
		if f.aliases[deref(req.Name)] == nil {
			return nil, api.Errorf("ResourceNotFound.Alias", "The alias %s does not exist.", deref(req.Name))
		}
		for _, t := range f.triggers {
			if t.qualifier == deref(req.Name) {
				return nil, api.Errorf("FailedOperation.DeleteAlias", "The %s trigger %s is on the alias %s.", t.kind, t.name, *req.Name)
			}
		}
		delete(f.aliases, *req.Name)
		return map[string]any{}, nil
	})
	h("PutReservedConcurrencyConfig", func(call *api.Call) (any, error) {
		var req scf.PutReservedConcurrencyConfigRequest
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		f, err := c.function(nsOr(req.Namespace), deref(req.FunctionName))
		if err != nil {
			return nil, err
		}
		f.reserved = int64(deref(req.ReservedConcurrencyMem)) / f.config.Memory
		return map[string]any{}, nil
	})
	h("GetReservedConcurrencyConfig", func(call *api.Call) (any, error) {
		var req scf.GetReservedConcurrencyConfigRequest
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		f, err := c.function(nsOr(req.Namespace), deref(req.FunctionName))
		if err != nil {
			return nil, err
		}
		return map[string]any{"ReservedMem": f.reserved * f.config.Memory}, nil
	})
	h("DeleteReservedConcurrencyConfig", func(call *api.Call) (any, error) {
		var req scf.DeleteReservedConcurrencyConfigRequest
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		f, err := c.function(nsOr(req.Namespace), deref(req.FunctionName))
		if err != nil {
			return nil, err
		}
		f.reserved = 0
		return map[string]any{}, nil
	})
	h("Invoke", func(call *api.Call) (any, error) {
		var req scf.InvokeRequest
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		res, err := c.runtime().invoke(nsOr(req.Namespace), deref(req.FunctionName), deref(req.Qualifier), []byte(deref(req.ClientContext)))
		if err != nil {
			return nil, err
		}
		return map[string]any{"Result": res.view()}, nil
	})
}

func (a *scfAlias) view() *scf.Alias {
	return &scf.Alias{Name: ptr(a.name), FunctionVersion: ptr(a.version), Description: ptr(a.description), AddTime: ptr(stamp(a.created)),
		ModTime: ptr(stamp(a.modified)), RoutingConfig: &scf.RoutingConfig{AdditionalVersionWeights: []*scf.VersionWeight{}, AddtionVersionMatchs: []*scf.VersionMatch{}}}
}
