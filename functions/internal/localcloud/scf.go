package localcloud

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	scf "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/scf/v20180416"

	"github.com/jianbao/admin/localcloud/api"
)

// SCF's control plane: namespaces, functions with their code taken from COS (or a zip in the
// request), triggers (COS, timer, and http: a Function URL), published versions, aliases,
// layers and reserved concurrency. A function is "Creating" or "Updating" for a moment, then
// "Active". What runs the code is runtime.go.

type scfNamespace struct {
	name, desc string
	created    time.Time
}

// scfConfig is what a version of a function runs: configuration and code, frozen by PublishVersion.
type scfConfig struct {
	Handler, Description, Runtime, Role, VpcID, SubnetID, ClsLogset, ClsTopic, Type string
	Memory, Timeout                                                                 int64
	Env                                                                             []*scf.Variable
	Layers                                                                          []*scf.LayerVersionSimple
	PublicNet                                                                       bool
	Code                                                                            string // path of the zip on disk
	CodeSize                                                                        int64
	CodeSha                                                                         string
	AsyncRunEnable, DnsCache                                                        string
}

type scfVersion struct {
	number      string
	description string
	config      scfConfig
	created     time.Time
}

type scfAlias struct {
	name, version, description string
	created, modified          time.Time
}

type scfTrigger struct {
	name, kind, desc, qualifier, customArgument string
	enabled                                     bool
	created                                     time.Time
	urlID                                       string // http triggers: the Function URL's id
}

type scfFunction struct {
	id, namespace, name string
	config              scfConfig
	status              string
	changed, created    time.Time
	tags                []*scf.Tag
	versions            []*scfVersion
	aliases             map[string]*scfAlias
	triggers            []*scfTrigger
	reserved            int64 // reserved concurrency; 0: none
}

type scfLayerVersion struct {
	name, description, license string
	version                    int64
	runtimes                   []string
	zip, sha                   string
	created                    time.Time
}

type scfState struct {
	namespaces map[string]*scfNamespace
	functions  map[string]*scfFunction // "namespace/name"
	layers     map[string][]*scfLayerVersion
}

func (c *Cloud) scf() *scfState {
	if c.state.scfState == nil {
		c.state.scfState = &scfState{namespaces: map[string]*scfNamespace{"default": {name: "default", desc: "default namespace", created: time.Now()}},
			functions: map[string]*scfFunction{}, layers: map[string][]*scfLayerVersion{}}
	}
	return c.state.scfState
}

func nsOr(ns *string) string { return cmpOr(deref(ns), "default") }

func (c *Cloud) function(ns, name string) (*scfFunction, error) {
	if c.scf().namespaces[ns] == nil {
		return nil, api.Errorf("ResourceNotFound.Namespace", "The namespace %s does not exist.", ns)
	}
	f := c.scf().functions[ns+"/"+name]
	if f == nil {
		return nil, api.Errorf("ResourceNotFound.Function", "The function %s does not exist in %s.", name, ns)
	}
	return f, nil
}

// state moves a function out of its transient state once it has settled.
func (f *scfFunction) state(c *Cloud) string {
	if (f.status == "Creating" || f.status == "Updating") && c.settled(f.changed) {
		f.status = "Active"
	}
	return f.status
}

// version returns the configuration a qualifier runs: $LATEST, a version number, or an alias.
func (f *scfFunction) version(q string) (*scfConfig, string, error) {
	switch {
	case q == "" || q == "$LATEST":
		return &f.config, "$LATEST", nil
	case f.aliases[q] != nil:
		return f.version(f.aliases[q].version)
	}
	for _, v := range f.versions {
		if v.number == q {
			return &v.config, v.number, nil
		}
	}
	return nil, "", api.Errorf("ResourceNotFound.Version", "The version %s of %s does not exist.", q, f.name)
}

// scfCreateFunctionRequest is CreateFunction with the fields newer than the SDK's model
// (https://cloud.tencent.com/document/api/583/18586).
type scfCreateFunctionRequest struct {
	scf.CreateFunctionRequest
	DnsCache                  *string         `json:"DnsCache"`
	IntranetConfig            json.RawMessage `json:"IntranetConfig"`
	InstanceConcurrencyConfig json.RawMessage `json:"InstanceConcurrencyConfig"`
	ImageConfig               json.RawMessage `json:"ImageConfig"`
	ProtocolType              *string         `json:"ProtocolType"`
	ProtocolParams            json.RawMessage `json:"ProtocolParams"`
	InstallDependency         *string         `json:"InstallDependency"`
	DiskSize                  *int64          `json:"DiskSize"`
	IgnoreSysLog              *bool           `json:"IgnoreSysLog"`
}

// scfUpdateConfigRequest is UpdateFunctionConfiguration with the newer fields
// (https://cloud.tencent.com/document/api/583/18580).
type scfUpdateConfigRequest struct {
	scf.UpdateFunctionConfigurationRequest
	DnsCache                  *string         `json:"DnsCache"`
	IntranetConfig            json.RawMessage `json:"IntranetConfig"`
	InstanceConcurrencyConfig json.RawMessage `json:"InstanceConcurrencyConfig"`
	ProtocolParams            json.RawMessage `json:"ProtocolParams"`
	IgnoreSysLog              *bool           `json:"IgnoreSysLog"`
	InstallDependency         *string         `json:"InstallDependency"`
	AsyncRunEnable            *string         `json:"AsyncRunEnable"`
}

// scfUpdateCodeRequest is UpdateFunctionCode (https://cloud.tencent.com/document/api/583/18581).
type scfUpdateCodeRequest struct {
	scf.UpdateFunctionCodeRequest
	ImageConfig     json.RawMessage `json:"ImageConfig"`
	CosBucketRegion *string         `json:"CosBucketRegion"`
	// Code is how the tencentcloud provider sends the new code (1.83.25, ModifyFunctionCode);
	// the top-level Cos* fields are the older form.
	Code *scf.Code `json:"Code"`
}

// getFunctionResponse is GetFunction's answer: the SDK's element types, with the fields newer
// than its model declared from https://cloud.tencent.com/document/api/583/18584.
type getFunctionResponse struct {
	ModTime, CodeInfo, Description, Handler, FunctionVersion, Runtime, FunctionName, UseGpu *string
	Triggers                                                                                []*scfTriggerView
	CodeSize, Timeout, MemorySize, ErrNo, InitTimeout                                       *int64
	VpcConfig                                                                               *scf.VpcConfig
	Environment                                                                             *scf.Environment
	CodeResult, CodeError, Namespace, Role, InstallDependency, Status, StatusDesc           *string
	ClsLogsetId, ClsTopicId, FunctionId, Type, L5Enable, AddTime, OnsEnable                 *string
	AvailableStatus, Qualifier, AsyncRunEnable, TraceEnable, ProtocolType, DnsCache         *string
	Tags                                                                                    []*scf.Tag
	EipConfig                                                                               *scf.EipOutConfig
	AccessInfo                                                                              *scf.AccessInfo
	Layers                                                                                  []*scf.LayerVersionInfo
	PublicNetConfig                                                                         *scf.PublicNetConfigOut
	StatusReasons                                                                           []*scf.StatusReason
}

// scfTriggerView is Trigger / TriggerInfo with the newer Description
// (https://cloud.tencent.com/document/api/583/17244#Trigger).
type scfTriggerView struct {
	ModTime, Type, TriggerDesc, TriggerName, AddTime, CustomArgument, AvailableStatus *string
	ResourceId, BindStatus, TriggerAttribute, Qualifier, Description                  *string
	Enable                                                                            *int64
}

func (c *Cloud) registerSCF() {
	h := func(action string, fn api.Handler) { c.API.Handle("scf", action, fn) }
	h("CreateNamespace", func(call *api.Call) (any, error) {
		var req struct {
			scf.CreateNamespaceRequest
			ResourceEnv json.RawMessage `json:"ResourceEnv"` // https://cloud.tencent.com/document/api/583/37160
		}
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		name := deref(req.Namespace)
		if c.scf().namespaces[name] != nil {
			return nil, api.Errorf("ResourceInUse.Namespace", "The namespace %s exists.", name)
		}
		c.scf().namespaces[name] = &scfNamespace{name: name, desc: deref(req.Description), created: time.Now()}
		return map[string]any{}, nil
	})
	h("ListNamespaces", func(call *api.Call) (any, error) {
		var req struct {
			scf.ListNamespacesRequest
			SearchKey json.RawMessage `json:"SearchKey"`
		}
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		var list []*scf.Namespace
		for _, n := range c.scf().namespaces {
			list = append(list, &scf.Namespace{Name: ptr(n.name), Description: ptr(n.desc), AddTime: ptr(stamp(n.created)), ModTime: ptr(stamp(n.created)), Type: ptr("default")})
		}
		slices.SortFunc(list, func(a, b *scf.Namespace) int { return compare(*a.Name, *b.Name) })
		total := len(list)
		return map[string]any{"Namespaces": window(list, deref(req.Offset), deref(req.Limit)), "TotalCount": total}, nil
	})
	h("UpdateNamespace", func(call *api.Call) (any, error) {
		var req scf.UpdateNamespaceRequest
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		n := c.scf().namespaces[deref(req.Namespace)]
		if n == nil {
			return nil, api.Errorf("ResourceNotFound.Namespace", "The namespace %s does not exist.", deref(req.Namespace))
		}
		n.desc = deref(req.Description)
		return map[string]any{}, nil
	})
	h("DeleteNamespace", func(call *api.Call) (any, error) {
		var req scf.DeleteNamespaceRequest
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		name := deref(req.Namespace)
		if c.scf().namespaces[name] == nil {
			return nil, api.Errorf("ResourceNotFound.Namespace", "The namespace %s does not exist.", name)
		}
		for _, f := range c.scf().functions {
			if f.namespace == name {
				return nil, api.Errorf("FailedOperation.DeleteNamespace", "The namespace %s still has the function %s.", name, f.name)
			}
		}
		delete(c.scf().namespaces, name)
		return map[string]any{}, nil
	})
	h("CreateFunction", func(call *api.Call) (any, error) {
		var req scfCreateFunctionRequest
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		if len(req.ImageConfig) > 0 {
			return nil, api.Errorf(api.CodeUnsupportedAction, "the local SCF runs code packages, not images")
		}
		ns, name := nsOr(req.Namespace), deref(req.FunctionName)
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.scf().namespaces[ns] == nil {
			return nil, api.Errorf("ResourceNotFound.Namespace", "The namespace %s does not exist.", ns)
		}
		if c.scf().functions[ns+"/"+name] != nil {
			return nil, api.Errorf("ResourceInUse.FunctionName", "The function %s exists.", name)
		}
		cfg := scfConfig{Handler: deref(req.Handler), Description: deref(req.Description), Runtime: deref(req.Runtime), Role: deref(req.Role),
			ClsLogset: deref(req.ClsLogsetId), ClsTopic: deref(req.ClsTopicId), Type: cmpOr(deref(req.Type), "Event"),
			Memory: cmpInt(deref(req.MemorySize), 128), Timeout: cmpInt(deref(req.Timeout), 3), Layers: req.Layers,
			AsyncRunEnable: cmpOr(deref(req.AsyncRunEnable), "FALSE"), DnsCache: cmpOr(deref(req.DnsCache), "FALSE")}
		if req.Environment != nil {
			cfg.Env = req.Environment.Variables
		}
		if req.VpcConfig != nil {
			cfg.VpcID, cfg.SubnetID = deref(req.VpcConfig.VpcId), deref(req.VpcConfig.SubnetId)
		}
		cfg.PublicNet = req.PublicNetConfig == nil || deref(req.PublicNetConfig.PublicNetStatus) != "DISABLE"
		if err := c.checkFunctionRefs(&cfg); err != nil {
			return nil, err
		}
		f := &scfFunction{id: "lam-" + randomID(8), namespace: ns, name: name, config: cfg, status: "Creating", changed: time.Now(), created: time.Now(),
			tags: req.Tags, aliases: map[string]*scfAlias{}}
		if err := c.loadCode(f, req.Code); err != nil {
			return nil, err
		}
		c.scf().functions[ns+"/"+name] = f
		c.useFunction(f)
		return map[string]any{}, nil
	})
	h("GetFunction", func(call *api.Call) (any, error) {
		var req scf.GetFunctionRequest
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		f, err := c.function(nsOr(req.Namespace), deref(req.FunctionName))
		if err != nil {
			return nil, err
		}
		cfg, version, err := f.version(deref(req.Qualifier))
		if err != nil {
			return nil, err
		}
		return c.functionView(f, cfg, version, deref(req.Qualifier)), nil
	})
	h("ListFunctions", func(call *api.Call) (any, error) {
		var req struct {
			scf.ListFunctionsRequest
			Filters json.RawMessage `json:"Filters"`
		}
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		var list []map[string]any
		for _, f := range c.scf().functions {
			if f.namespace != nsOr(req.Namespace) || (deref(req.SearchKey) != "" && !strings.Contains(f.name, *req.SearchKey)) {
				continue
			}
			list = append(list, map[string]any{"FunctionName": f.name, "FunctionId": f.id, "Namespace": f.namespace, "Status": f.state(c),
				"Runtime": f.config.Runtime, "Description": f.config.Description, "AddTime": stamp(f.created), "ModTime": stamp(f.changed),
				"Type": f.config.Type, "Tags": f.tags, "StatusDesc": "", "StatusReasons": []any{}, "TotalProvisionedConcurrencyMem": 0, "ReservedConcurrencyMem": f.reserved * f.config.Memory})
		}
		slices.SortFunc(list, func(a, b map[string]any) int { return compare(a["FunctionName"].(string), b["FunctionName"].(string)) })
		return map[string]any{"Functions": list, "TotalCount": len(list)}, nil
	})
	h("UpdateFunctionConfiguration", func(call *api.Call) (any, error) {
		var req scfUpdateConfigRequest
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
			return nil, api.Errorf("FailedOperation.UpdateFunctionConfiguration", "The function %s is %s: wait until it is Active.", f.name, f.status)
		}
		cfg := f.config
		set := func(dst *string, v *string) {
			if v != nil {
				*dst = *v
			}
		}
		set(&cfg.Description, req.Description)
		set(&cfg.Runtime, req.Runtime)
		set(&cfg.Role, req.Role)
		set(&cfg.ClsLogset, req.ClsLogsetId)
		set(&cfg.ClsTopic, req.ClsTopicId)
		set(&cfg.DnsCache, req.DnsCache)
		set(&cfg.AsyncRunEnable, req.AsyncRunEnable)
		if req.MemorySize != nil {
			cfg.Memory = *req.MemorySize
		}
		if req.Timeout != nil {
			cfg.Timeout = *req.Timeout
		}
		if req.Environment != nil {
			cfg.Env = req.Environment.Variables
		}
		if req.VpcConfig != nil {
			cfg.VpcID, cfg.SubnetID = deref(req.VpcConfig.VpcId), deref(req.VpcConfig.SubnetId)
		}
		if req.Layers != nil {
			cfg.Layers = req.Layers
		}
		if req.PublicNetConfig != nil {
			cfg.PublicNet = deref(req.PublicNetConfig.PublicNetStatus) != "DISABLE"
		}
		if err := c.checkFunctionRefs(&cfg); err != nil {
			return nil, err
		}
		c.unuseFunction(f)
		f.config, f.status, f.changed = cfg, "Updating", time.Now()
		c.useFunction(f)
		c.runtime().retire(f, "$LATEST")
		return map[string]any{}, nil
	})
	h("UpdateFunctionCode", func(call *api.Call) (any, error) {
		var req scfUpdateCodeRequest
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
			return nil, api.Errorf("FailedOperation.UpdateFunctionCode", "The function %s is %s: wait until it is Active.", f.name, f.status)
		}
		code := &scf.Code{CosBucketName: req.CosBucketName, CosObjectName: req.CosObjectName, ZipFile: req.ZipFile,
			CosBucketRegion: cmpPtr(req.CosBucketRegion, ptr(c.Region))}
		if req.Code != nil {
			code = req.Code
			code.CosBucketRegion = cmpPtr(code.CosBucketRegion, ptr(c.Region))
		}
		if req.Handler != nil {
			f.config.Handler = *req.Handler
		}
		if err := c.loadCode(f, code); err != nil {
			return nil, err
		}
		f.status, f.changed = "Updating", time.Now()
		c.runtime().retire(f, "$LATEST")
		return map[string]any{}, nil
	})
	h("DeleteFunction", func(call *api.Call) (any, error) {
		var req scf.DeleteFunctionRequest
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		f, err := c.function(nsOr(req.Namespace), deref(req.FunctionName))
		if err != nil {
			return nil, err
		}
		if q := deref(req.Qualifier); q != "" && q != "$LATEST" {
			i := slices.IndexFunc(f.versions, func(v *scfVersion) bool { return v.number == q })
			if i < 0 {
				return nil, api.Errorf("ResourceNotFound.Version", "The version %s of %s does not exist.", q, f.name)
			}
			for _, a := range f.aliases {
				if a.version == q {
					return nil, api.Errorf("FailedOperation.DeleteFunction", "The alias %s points at the version %s.", a.name, q)
				}
			}
			f.versions = slices.Delete(f.versions, i, i+1)
			c.runtime().retire(f, q)
			return map[string]any{}, nil
		}
		c.runtime().retire(f, "")
		c.unuseFunction(f)
		delete(c.scf().functions, f.namespace+"/"+f.name)
		os.RemoveAll(filepath.Join(c.DataDir, "scf", "code", f.id))
		return map[string]any{}, nil
	})
	c.registerSCFReleases(h)
	c.registerSCFTriggers(h)
	c.registerSCFLayers(h)
	c.registerSCFDomains(h)
}

func cmpInt(v, fallback int64) int64 {
	if v == 0 {
		return fallback
	}
	return v
}

func cmpPtr[T any](p, fallback *T) *T {
	if p == nil {
		return fallback
	}
	return p
}

// checkFunctionRefs refuses a configuration naming what does not exist: a role, a VPC and subnet,
// a log topic, a layer version.
func (c *Cloud) checkFunctionRefs(cfg *scfConfig) error {
	if cfg.Role != "" && c.state.roleBy("", cfg.Role) == nil {
		return api.Errorf("InvalidParameterValue.Role", "The role %s does not exist.", cfg.Role)
	}
	if cfg.SubnetID != "" {
		s := c.vpcs().subnets[cfg.SubnetID]
		if s == nil || s.vpc != cfg.VpcID {
			return api.Errorf("InvalidParameterValue.VpcConfig", "The subnet %s is not in the VPC %s.", cfg.SubnetID, cfg.VpcID)
		}
	}
	if cfg.ClsTopic != "" && c.cls().topics[cfg.ClsTopic] == nil {
		return api.Errorf("InvalidParameterValue.ClsTopicId", "The log topic %s does not exist.", cfg.ClsTopic)
	}
	for _, l := range cfg.Layers {
		if c.layer(deref(l.LayerName), deref(l.LayerVersion)) == nil {
			return api.Errorf("ResourceNotFound.Layer", "The layer %s version %d does not exist.", deref(l.LayerName), deref(l.LayerVersion))
		}
	}
	if cfg.Runtime != "Go1" {
		return api.Errorf(api.CodeUnsupportedAction, "the local SCF runs Go1 functions (asked: %s)", cfg.Runtime)
	}
	return nil
}

func (c *Cloud) useFunction(f *scfFunction) {
	id := "function/" + f.namespace + "/" + f.name
	for _, r := range []string{f.config.SubnetID, f.config.ClsTopic} {
		if r != "" {
			c.state.use(r, id)
		}
	}
	for _, l := range f.config.Layers {
		c.state.use(fmt.Sprintf("layer/%s/%d", deref(l.LayerName), deref(l.LayerVersion)), id)
	}
	if f.config.Role != "" {
		c.state.use("role/"+f.config.Role, id)
	}
}

func (c *Cloud) unuseFunction(f *scfFunction) {
	c.state.unuse("function/" + f.namespace + "/" + f.name)
}

// loadCode copies a function's code — a COS object, or a zip in the request — to the cloud's
// disk, checking it is a zip with the handler's file in it.
func (c *Cloud) loadCode(f *scfFunction, code *scf.Code) error {
	if code == nil {
		return api.Errorf(api.CodeMissingParameter, "Code is required")
	}
	var data []byte
	switch {
	case deref(code.ZipFile) != "":
		return api.Errorf(api.CodeUnsupportedAction, "the local SCF takes code from COS")
	case deref(code.CosBucketName) != "":
		bucketName := deref(code.CosBucketName) + "-" + strconv.FormatUint(c.AppID, 10)
		rc, _, err := c.COS.Object(bucketName, deref(code.CosObjectName))
		if err != nil {
			return api.Errorf("InvalidParameterValue.CosObjectName", "The code object %s is not in the bucket %s.", deref(code.CosObjectName), bucketName)
		}
		defer rc.Close()
		if data, err = io.ReadAll(rc); err != nil {
			return err
		}
	default:
		return api.Errorf(api.CodeMissingParameter, "Code.CosBucketName is required")
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return api.Errorf("InvalidParameterValue.Code", "The code is not a zip: %v", err)
	}
	if h := f.config.Handler; h != "" && !slices.ContainsFunc(zr.File, func(z *zip.File) bool { return z.Name == h }) {
		return api.Errorf("InvalidParameterValue.Handler", "The code has no file named %s (the Go1 handler is the executable's name).", h)
	}
	sum := sha256.Sum256(data)
	sha := hex.EncodeToString(sum[:])
	dir := filepath.Join(c.DataDir, "scf", "code", f.id)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	path := filepath.Join(dir, sha+".zip")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return err
	}
	f.config.Code, f.config.CodeSize, f.config.CodeSha = path, int64(len(data)), sha
	return nil
}

// functionView is GetFunction's answer for one configuration.
func (c *Cloud) functionView(f *scfFunction, cfg *scfConfig, version, qualifier string) *getFunctionResponse {
	env := &scf.Environment{Variables: cfg.Env}
	if env.Variables == nil {
		env.Variables = []*scf.Variable{}
	}
	var layers []*scf.LayerVersionInfo
	for _, l := range cfg.Layers {
		lv := c.layer(deref(l.LayerName), deref(l.LayerVersion))
		if lv != nil {
			layers = append(layers, lv.info())
		}
	}
	triggers := []*scfTriggerView{}
	for _, t := range f.triggers {
		if qualifier == "" || t.qualifier == cmpOr(qualifier, "$LATEST") {
			triggers = append(triggers, t.view(c, f))
		}
	}
	public := "ENABLE"
	if !cfg.PublicNet {
		public = "DISABLE"
	}
	return &getFunctionResponse{ModTime: ptr(stamp(f.changed)), Description: ptr(cfg.Description), Handler: ptr(cfg.Handler),
		FunctionVersion: ptr(version), Runtime: ptr(cfg.Runtime), FunctionName: ptr(f.name), Triggers: triggers, CodeSize: ptr(cfg.CodeSize),
		Timeout: ptr(cfg.Timeout), MemorySize: ptr(cfg.Memory), InitTimeout: ptr(int64(65)), VpcConfig: &scf.VpcConfig{VpcId: ptr(cfg.VpcID), SubnetId: ptr(cfg.SubnetID)},
		Environment: env, CodeResult: ptr("success"), CodeError: ptr(""), ErrNo: ptr(int64(0)), Namespace: ptr(f.namespace), Role: ptr(cfg.Role),
		InstallDependency: ptr("FALSE"), Status: ptr(f.state(c)), StatusDesc: ptr(""), ClsLogsetId: ptr(cfg.ClsLogset), ClsTopicId: ptr(cfg.ClsTopic),
		FunctionId: ptr(f.id), Type: ptr(cfg.Type), L5Enable: ptr("FALSE"), AddTime: ptr(stamp(f.created)), OnsEnable: ptr("FALSE"),
		AvailableStatus: ptr("Available"), Qualifier: ptr(version), AsyncRunEnable: ptr(cfg.AsyncRunEnable), TraceEnable: ptr("FALSE"),
		ProtocolType: ptr(""), DnsCache: ptr(cfg.DnsCache), Tags: f.tags, EipConfig: &scf.EipOutConfig{EipFixed: ptr("FALSE"), Eips: []*string{}},
		AccessInfo: &scf.AccessInfo{Host: ptr(""), Vip: ptr("")}, Layers: layers, StatusReasons: []*scf.StatusReason{},
		PublicNetConfig: &scf.PublicNetConfigOut{PublicNetStatus: ptr(public), EipConfig: &scf.EipConfigOut{EipStatus: ptr("DISABLE"), EipAddress: []*string{}}}}
}
