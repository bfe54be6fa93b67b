package localcloud

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	apigw "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/apigateway/v20180808"

	"github.com/jianbao/admin/localcloud/api"
)

// API Gateway: services, their APIs, and releases to an environment (test, prepub, release). An
// API is kept as it was written (every field of CreateApi or ModifyApi) and read back as
// DescribeApi's ApiInfo carries the same names. A release freezes the service's APIs for its
// environment, as the real gateway does: an API changed after it is not served until the next
// release. The service's outer subdomain serves <env>/<path> by the longest matching API path,
// invoking its SCF backend with the gateway's event (requestContext with the stage) and writing
// back the integration response; anything else an API can front (HTTP, mock, COS) is refused at
// CreateApi. QPS strategies are kept and reported, not enforced.

// apigwNewer are CreateApi / ModifyApi fields newer than the SDK's model, as the provider sends
// them (https://cloud.tencent.com/document/api/628/44312).
var apigwNewer = []string{"ServiceScfFunctionType", "IsBase64Encoded", "IsBase64Trigger", "Base64EncodedTriggerRules",
	"EventBusId", "ServiceScfEventIsAsyncCall", "EIAMAppType", "EIAMAuthType", "TokenTimeout", "EIAMAppId", "Owner"}

// apigwEnvs are the environments a service is released to.
var apigwEnvs = []string{"test", "prepub", "release"}

type apigwAPI struct {
	id                string
	fields            map[string]json.RawMessage
	created, modified time.Time
	quota             map[string]int64 // environment → QPS; -1 is none
}

func (a *apigwAPI) str(field string) string {
	var s string
	json.Unmarshal(a.fields[field], &s)
	return s
}

func (a *apigwAPI) requestConfig() (path, method string) {
	var rc apigw.RequestConfig
	json.Unmarshal(a.fields["RequestConfig"], &rc)
	return deref(rc.Path), strings.ToUpper(deref(rc.Method))
}

type apigwRelease struct {
	version, desc string
	at            time.Time
	apis          []*apigwAPI // copies, as released
}

type apigwService struct {
	id, name, desc, protocol, ipVersion string
	netTypes                            []string
	created, modified                   time.Time
	strategy                            map[string]int64 // environment → QPS; -1 is none
	apis                                map[string]*apigwAPI
	history                             map[string][]*apigwRelease // environment → releases, oldest first
	live                                map[string]*apigwRelease   // environment → what it serves; absent: not released
}

func (c *Cloud) apigwService(id string) (*apigwService, error) {
	s := c.state.apigw[id]
	if s == nil {
		return nil, api.Errorf("ResourceNotFound.InvalidService", "the service %s does not exist", id)
	}
	return s, nil
}

// apigwHost is the service's outer subdomain, as the gateway names it:
// service-<id>-<appid>.<region>.apigw.<domain>.
func (c *Cloud) apigwHost(s *apigwService) string {
	return fmt.Sprintf("%s-%d.%s.apigw.%s", s.id, c.AppID, regionShort(c.Region), c.Domain)
}

// regionShort is the region's short name in gateway hosts (ap-guangzhou → gz).
func regionShort(region string) string {
	short := map[string]string{"ap-guangzhou": "gz", "ap-shanghai": "sh", "ap-beijing": "bj", "ap-chengdu": "cd", "ap-nanjing": "nj", "ap-hongkong": "hk"}
	if s, ok := short[region]; ok {
		return s
	}
	return region
}

// onService serves an action on one service: the request decoded into R, the cloud locked, the
// service its ServiceId names found (or the gateway's ResourceNotFound.InvalidService).
func onService[R any](c *Cloud, id func(*R) *string, fn func(req *R, s *apigwService) (any, error)) api.Handler {
	return func(call *api.Call) (any, error) {
		var req R
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		s, err := c.apigwService(deref(id(&req)))
		if err != nil {
			return nil, err
		}
		return fn(&req, s)
	}
}

func (c *Cloud) registerAPIGateway() {
	h := func(action string, fn api.Handler) { c.API.Handle("apigateway", action, fn) }
	h("CreateService", func(call *api.Call) (any, error) {
		var req apigw.CreateServiceRequest
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		if deref(req.ServiceName) == "" || deref(req.Protocol) == "" {
			return nil, api.Errorf(api.CodeMissingParameter, "ServiceName and Protocol are required")
		}
		if !slices.Contains([]string{"http", "https", "http&https"}, deref(req.Protocol)) {
			return nil, api.Errorf("InvalidParameterValue.InvalidProtocol", "Protocol is http, https or http&https, not %q", deref(req.Protocol))
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.state.apigw == nil {
			c.state.apigw = map[string]*apigwService{}
		}
		now := time.Now()
		s := &apigwService{id: "service-" + randomID(8), name: deref(req.ServiceName), desc: deref(req.ServiceDesc),
			protocol: deref(req.Protocol), ipVersion: cmpOr(deref(req.IpVersion), "IPv4"), netTypes: derefs(req.NetTypes),
			created: now, modified: now, strategy: map[string]int64{}, apis: map[string]*apigwAPI{},
			history: map[string][]*apigwRelease{}, live: map[string]*apigwRelease{}}
		for _, e := range apigwEnvs {
			s.strategy[e] = -1
		}
		c.state.apigw[s.id] = s
		out := inner(&apigw.NewCreateServiceResponse().Response)
		out.ServiceId, out.ServiceName, out.ServiceDesc = ptr(s.id), ptr(s.name), ptr(s.desc)
		out.OuterSubDomain, out.InnerSubDomain = ptr(c.apigwHost(s)), ptr("")
		out.CreatedTime, out.NetTypes, out.IpVersion = ptr(stamp(now)), req.NetTypes, ptr(s.ipVersion)
		return out, nil
	})
	h("DescribeService", onService(c, func(r *apigw.DescribeServiceRequest) *string { return r.ServiceId }, func(req *apigw.DescribeServiceRequest, s *apigwService) (any, error) {
		out := inner(&apigw.NewDescribeServiceResponse().Response)
		api.Complete(out)
		out.ServiceId, out.ServiceName, out.ServiceDesc, out.Protocol = ptr(s.id), ptr(s.name), ptr(s.desc), ptr(s.protocol)
		out.CreatedTime, out.ModifiedTime = ptr(stamp(s.created)), ptr(stamp(s.modified))
		out.NetTypes, out.IpVersion = ptrs(s.netTypes), ptr(s.ipVersion)
		out.OuterSubDomain, out.InternalSubDomain = ptr(c.apigwHost(s)), ptr("")
		out.InnerHttpPort, out.InnerHttpsPort = ptr(int64(0)), ptr(int64(0))
		out.AvailableEnvironments = []*string{}
		for _, e := range apigwEnvs {
			if s.live[e] != nil {
				out.AvailableEnvironments = append(out.AvailableEnvironments, ptr(e))
			}
		}
		out.ApiIdStatusSet = []*apigw.ApiIdStatus{}
		for _, a := range s.sortedAPIs() {
			p, m := a.requestConfig()
			out.ApiIdStatusSet = append(out.ApiIdStatusSet, &apigw.ApiIdStatus{ServiceId: ptr(s.id), ApiId: ptr(a.id),
				ApiName: ptr(a.str("ApiName")), ApiDesc: ptr(a.str("ApiDesc")), Path: ptr(p), Method: ptr(m),
				Protocol: ptr(a.str("Protocol")), AuthType: ptr(a.str("AuthType")), ApiType: ptr(cmpOr(a.str("ApiType"), "NORMAL")),
				CreatedTime: ptr(stamp(a.created)), ModifiedTime: ptr(stamp(a.modified))})
		}
		out.ApiTotalCount = ptr(int64(len(s.apis)))
		out.UsagePlanTotalCount, out.UsagePlanList = ptr(int64(0)), []*apigw.UsagePlan{}
		return out, nil
	}))
	h("ModifyService", onService(c, func(r *apigw.ModifyServiceRequest) *string { return r.ServiceId }, func(req *apigw.ModifyServiceRequest, s *apigwService) (any, error) {
		if req.ServiceName != nil {
			s.name = *req.ServiceName
		}
		if req.ServiceDesc != nil {
			s.desc = *req.ServiceDesc
		}
		if req.Protocol != nil {
			s.protocol = *req.Protocol
		}
		if req.NetTypes != nil {
			s.netTypes = derefs(req.NetTypes)
		}
		s.modified = time.Now()
		return inner(&apigw.NewModifyServiceResponse().Response), nil
	}))
	h("DeleteService", onService(c, func(r *apigw.DeleteServiceRequest) *string { return r.ServiceId }, func(req *apigw.DeleteServiceRequest, s *apigwService) (any, error) {
		if len(s.apis) > 0 {
			return nil, api.Errorf("FailedOperation.ServiceInOperation", "the service %s still has %d APIs", s.id, len(s.apis))
		}
		for e, r := range s.live {
			if r != nil {
				return nil, api.Errorf("FailedOperation.ServiceInOperation", "the service %s is released to %s", s.id, e)
			}
		}
		delete(c.state.apigw, s.id)
		out := inner(&apigw.NewDeleteServiceResponse().Response)
		out.Result = ptr(true)
		return out, nil
	}))
	// No usage plans are created by our configuration: the lists are read, and empty.
	h("DescribeServiceUsagePlan", onService(c, func(r *apigw.DescribeServiceUsagePlanRequest) *string { return r.ServiceId }, func(req *apigw.DescribeServiceUsagePlanRequest, s *apigwService) (any, error) {
		out := inner(&apigw.NewDescribeServiceUsagePlanResponse().Response)
		out.Result = &apigw.ServiceUsagePlanSet{TotalCount: ptr(int64(0)), ServiceUsagePlanList: []*apigw.ApiUsagePlan{}}
		return out, nil
	}))
	h("DescribeApiUsagePlan", onService(c, func(r *apigw.DescribeApiUsagePlanRequest) *string { return r.ServiceId }, func(req *apigw.DescribeApiUsagePlanRequest, s *apigwService) (any, error) {
		out := inner(&apigw.NewDescribeApiUsagePlanResponse().Response)
		out.Result = &apigw.ApiUsagePlanSet{TotalCount: ptr(int64(0)), ApiUsagePlanList: []*apigw.ApiUsagePlan{}}
		return out, nil
	}))
	h("DescribeServiceEnvironmentStrategy", onService(c, func(r *apigw.DescribeServiceEnvironmentStrategyRequest) *string { return r.ServiceId }, func(req *apigw.DescribeServiceEnvironmentStrategyRequest, s *apigwService) (any, error) {
		list := []*apigw.ServiceEnvironmentStrategy{}
		for _, e := range apigwEnvs {
			status, version := int64(0), ""
			if r := s.live[e]; r != nil {
				status, version = 1, r.version
			}
			list = append(list, &apigw.ServiceEnvironmentStrategy{EnvironmentName: ptr(e),
				Url: ptr("https://" + c.apigwHost(s) + "/" + e), Status: ptr(status), VersionName: ptr(version),
				Strategy: ptr(s.strategy[e]), MaxStrategy: ptr(int64(5000))})
		}
		out := inner(&apigw.NewDescribeServiceEnvironmentStrategyResponse().Response)
		out.Result = &apigw.ServiceEnvironmentStrategyStatus{TotalCount: ptr(int64(len(list))), EnvironmentList: list}
		return out, nil
	}))
	h("ModifyServiceEnvironmentStrategy", onService(c, func(r *apigw.ModifyServiceEnvironmentStrategyRequest) *string { return r.ServiceId }, func(req *apigw.ModifyServiceEnvironmentStrategyRequest, s *apigwService) (any, error) {
		for _, e := range derefs(req.EnvironmentNames) {
			if !slices.Contains(apigwEnvs, e) {
				return nil, api.Errorf("InvalidParameterValue.InvalidEnv", "no environment %q", e)
			}
			s.strategy[e] = deref(req.Strategy)
		}
		out := inner(&apigw.NewModifyServiceEnvironmentStrategyResponse().Response)
		out.Result = ptr(true)
		return out, nil
	}))
	h("CreateApi", func(call *api.Call) (any, error) {
		m, err := call.DecodeFields(apigw.CreateApiRequest{}, apigwNewer...)
		if err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		var serviceID string
		json.Unmarshal(m["ServiceId"], &serviceID)
		s, err := c.apigwService(serviceID)
		if err != nil {
			return nil, err
		}
		a := &apigwAPI{id: "api-" + randomID(8), fields: m, created: time.Now(), quota: map[string]int64{}}
		a.modified = a.created
		if err := c.checkAPI(s, a); err != nil {
			return nil, err
		}
		for _, e := range apigwEnvs {
			a.quota[e] = -1
		}
		s.apis[a.id] = a
		p, method := a.requestConfig()
		out := inner(&apigw.NewCreateApiResponse().Response)
		out.Result = &apigw.CreateApiRsp{ApiId: ptr(a.id), Path: ptr(p), Method: ptr(method), CreatedTime: ptr(stamp(a.created))}
		return out, nil
	})
	h("ModifyApi", func(call *api.Call) (any, error) {
		m, err := call.DecodeFields(apigw.ModifyApiRequest{}, apigwNewer...)
		if err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		var serviceID, apiID string
		json.Unmarshal(m["ServiceId"], &serviceID)
		json.Unmarshal(m["ApiId"], &apiID)
		s, err := c.apigwService(serviceID)
		if err != nil {
			return nil, err
		}
		old := s.apis[apiID]
		if old == nil {
			return nil, api.Errorf("ResourceNotFound.InvalidApi", "the API %s does not exist", apiID)
		}
		// ModifyApi states the whole API again: what it sends replaces what was.
		a := &apigwAPI{id: old.id, fields: m, created: old.created, modified: time.Now(), quota: old.quota}
		if err := c.checkAPI(s, a); err != nil {
			return nil, err
		}
		s.apis[apiID] = a
		return inner(&apigw.NewModifyApiResponse().Response), nil
	})
	h("DescribeApi", onService(c, func(r *apigw.DescribeApiRequest) *string { return r.ServiceId }, func(req *apigw.DescribeApiRequest, s *apigwService) (any, error) {
		a := s.apis[deref(req.ApiId)]
		if a == nil {
			return nil, api.Errorf("ResourceNotFound.InvalidApi", "the API %s does not exist", deref(req.ApiId))
		}
		// What was written, under the names ApiInfo shares with CreateApi, over a complete ApiInfo.
		info := map[string]json.RawMessage{}
		raw, _ := json.Marshal(apigw.ApiInfo{ResponseErrorCodes: []*apigw.ErrorCodes{}, RequestParameters: []*apigw.ReqParameter{},
			ServiceParameters: []*apigw.ServiceParameter{}, ConstantParameters: []*apigw.ConstantParameter{}, MicroServices: []*apigw.MicroService{}})
		json.Unmarshal(raw, &info)
		for k, v := range a.fields {
			info[k] = v
		}
		var envs []string
		for _, e := range apigwEnvs {
			if s.live[e] != nil {
				envs = append(envs, e)
			}
		}
		set := func(k string, v any) { b, _ := json.Marshal(v); info[k] = b }
		set("ServiceId", s.id)
		set("ServiceName", s.name)
		set("ServiceDesc", s.desc)
		set("ApiId", a.id)
		set("ApiType", cmpOr(a.str("ApiType"), "NORMAL"))
		set("CreatedTime", stamp(a.created))
		set("ModifiedTime", stamp(a.modified))
		set("Environments", envs)
		set("InternalDomain", "")
		out := map[string]any{"Result": info}
		return out, nil
	}))
	h("DeleteApi", onService(c, func(r *apigw.DeleteApiRequest) *string { return r.ServiceId }, func(req *apigw.DeleteApiRequest, s *apigwService) (any, error) {
		if s.apis[deref(req.ApiId)] == nil {
			return nil, api.Errorf("ResourceNotFound.InvalidApi", "the API %s does not exist", deref(req.ApiId))
		}
		delete(s.apis, deref(req.ApiId))
		out := inner(&apigw.NewDeleteApiResponse().Response)
		out.Result = ptr(true)
		return out, nil
	}))
	h("DescribeApiEnvironmentStrategy", onService(c, func(r *apigw.DescribeApiEnvironmentStrategyRequest) *string { return r.ServiceId }, func(req *apigw.DescribeApiEnvironmentStrategyRequest, s *apigwService) (any, error) {
		envs := derefs(req.EnvironmentNames)
		if len(envs) == 0 {
			envs = apigwEnvs
		}
		list := []*apigw.ApiEnvironmentStrategy{}
		for _, a := range s.sortedAPIs() {
			if deref(req.ApiId) != "" && a.id != deref(req.ApiId) {
				continue
			}
			p, m := a.requestConfig()
			st := &apigw.ApiEnvironmentStrategy{ApiId: ptr(a.id), ApiName: ptr(a.str("ApiName")), Path: ptr(p), Method: ptr(m)}
			for _, e := range envs {
				st.EnvironmentStrategySet = append(st.EnvironmentStrategySet, &apigw.EnvironmentStrategy{EnvironmentName: ptr(e), Quota: ptr(a.quota[e]), MaxQuota: ptr(int64(5000))})
			}
			list = append(list, st)
		}
		out := inner(&apigw.NewDescribeApiEnvironmentStrategyResponse().Response)
		out.Result = &apigw.ApiEnvironmentStrategyStataus{TotalCount: ptr(int64(len(list))), ApiEnvironmentStrategySet: list}
		return out, nil
	}))
	h("ModifyApiEnvironmentStrategy", onService(c, func(r *apigw.ModifyApiEnvironmentStrategyRequest) *string { return r.ServiceId }, func(req *apigw.ModifyApiEnvironmentStrategyRequest, s *apigwService) (any, error) {
		e := deref(req.EnvironmentName)
		if !slices.Contains(apigwEnvs, e) {
			return nil, api.Errorf("InvalidParameterValue.InvalidEnv", "no environment %q", e)
		}
		for _, id := range derefs(req.ApiIds) {
			a := s.apis[id]
			if a == nil {
				return nil, api.Errorf("ResourceNotFound.InvalidApi", "the API %s does not exist", id)
			}
			a.quota[e] = deref(req.Strategy)
		}
		out := inner(&apigw.NewModifyApiEnvironmentStrategyResponse().Response)
		out.Result = ptr(true)
		return out, nil
	}))
	h("ReleaseService", onService(c, func(r *apigw.ReleaseServiceRequest) *string { return r.ServiceId }, func(req *apigw.ReleaseServiceRequest, s *apigwService) (any, error) {
		e := deref(req.EnvironmentName)
		if !slices.Contains(apigwEnvs, e) {
			return nil, api.Errorf("InvalidParameterValue.InvalidEnv", "no environment %q", e)
		}
		if len(s.apis) == 0 {
			return nil, api.Errorf("FailedOperation.ServiceError", "the service %s has no API to release", s.id)
		}
		now := time.Now()
		r := &apigwRelease{version: now.In(china).Format("20060102150405") + randomID(4), desc: deref(req.ReleaseDesc), at: now}
		for _, a := range s.sortedAPIs() {
			cp := *a
			r.apis = append(r.apis, &cp)
		}
		s.history[e] = append(s.history[e], r)
		s.live[e] = r
		out := inner(&apigw.NewReleaseServiceResponse().Response)
		out.Result = &apigw.ReleaseService{ReleaseDesc: ptr(r.desc), ReleaseVersion: ptr(r.version)}
		return out, nil
	}))
	h("UnReleaseService", onService(c, func(r *apigw.UnReleaseServiceRequest) *string { return r.ServiceId }, func(req *apigw.UnReleaseServiceRequest, s *apigwService) (any, error) {
		delete(s.live, deref(req.EnvironmentName))
		out := inner(&apigw.NewUnReleaseServiceResponse().Response)
		out.Result = ptr(true)
		return out, nil
	}))
	h("DescribeServiceEnvironmentReleaseHistory", onService(c, func(r *apigw.DescribeServiceEnvironmentReleaseHistoryRequest) *string { return r.ServiceId }, func(req *apigw.DescribeServiceEnvironmentReleaseHistoryRequest, s *apigwService) (any, error) {
		list := []*apigw.ServiceReleaseHistoryInfo{}
		hist := s.history[deref(req.EnvironmentName)]
		for i := len(hist) - 1; i >= 0; i-- { // newest first
			r := hist[i]
			list = append(list, &apigw.ServiceReleaseHistoryInfo{VersionName: ptr(r.version), VersionDesc: ptr(r.desc), ReleaseTime: ptr(stamp(r.at))})
		}
		off, lim := int(deref(req.Offset)), int(deref(req.Limit))
		total := len(list)
		list = list[min(off, len(list)):]
		if lim > 0 && lim < len(list) {
			list = list[:lim]
		}
		out := inner(&apigw.NewDescribeServiceEnvironmentReleaseHistoryResponse().Response)
		out.Result = &apigw.ServiceReleaseHistory{TotalCount: ptr(int64(total)), VersionList: list}
		return out, nil
	}))
}

func (s *apigwService) sortedAPIs() []*apigwAPI {
	list := make([]*apigwAPI, 0, len(s.apis))
	for _, a := range s.apis {
		list = append(list, a)
	}
	slices.SortFunc(list, func(a, b *apigwAPI) int { return a.created.Compare(b.created) })
	return list
}

// checkAPI refuses what the gateway refuses, and what the local gateway cannot serve: an API
// whose path is taken in the service, a backend other than SCF, an SCF backend without its
// function, namespace and qualifier, or naming a function or alias that does not exist.
func (c *Cloud) checkAPI(s *apigwService, a *apigwAPI) error {
	p, method := a.requestConfig()
	if p == "" || !strings.HasPrefix(p, "/") {
		return api.Errorf("InvalidParameterValue.InvalidRequestConfig", "RequestConfig.Path must start with /: %q", p)
	}
	if !slices.Contains([]string{"GET", "POST", "PUT", "DELETE", "HEAD", "ANY"}, method) {
		return api.Errorf("InvalidParameterValue.InvalidRequestConfig", "RequestConfig.Method %q", method)
	}
	for _, o := range s.apis {
		op, om := o.requestConfig()
		if o.id != a.id && op == p && (om == method || om == "ANY" || method == "ANY") {
			return api.Errorf("FailedOperation.ApiError", "the service already has an API at %s %s (%s)", om, op, o.id)
		}
	}
	if t := a.str("ServiceType"); t != "SCF" {
		return api.Errorf("UnsupportedOperation", "the local gateway fronts SCF functions only, not %q", t)
	}
	fn, ns, q := a.str("ServiceScfFunctionName"), a.str("ServiceScfFunctionNamespace"), a.str("ServiceScfFunctionQualifier")
	if fn == "" || ns == "" || q == "" {
		return api.Errorf(api.CodeMissingParameter, "an SCF backend names ServiceScfFunctionName, ServiceScfFunctionNamespace and ServiceScfFunctionQualifier")
	}
	f, err := c.function(ns, fn)
	if err != nil {
		return api.Errorf("InvalidParameterValue.InvalidScfConfig", "the backend function %s/%s does not exist", ns, fn)
	}
	if q != "$LATEST" && f.aliases[q] == nil && !slices.ContainsFunc(f.versions, func(v *scfVersion) bool { return v.number == q }) {
		return api.Errorf("InvalidParameterValue.InvalidScfConfig", "the backend function %s/%s has no alias or version %q", ns, fn, q)
	}
	return nil
}

// serveGateway answers a request to a service's outer subdomain: /<environment>/<path>, the
// released API with the longest path that prefixes it (and its method, or ANY), invoked with the
// gateway's event.
func (c *Cloud) serveGateway(w http.ResponseWriter, r *http.Request, serviceID string) {
	notFound := func(msg string) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		json.NewEncoder(w).Encode(map[string]string{"message": msg})
	}
	env, rest, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	rest = "/" + rest
	c.mu.Lock()
	s := c.state.apigw[serviceID]
	var rel *apigwRelease
	if s != nil {
		rel = s.live[env]
	}
	var best *apigwAPI
	bestPath := ""
	if rel != nil {
		for _, a := range rel.apis {
			p, m := a.requestConfig()
			prefix := rest == p || strings.HasPrefix(rest, strings.TrimSuffix(p, "/")+"/")
			if prefix && (m == "ANY" || m == r.Method) && len(p) > len(bestPath) {
				best, bestPath = a, p
			}
		}
	}
	c.mu.Unlock()
	switch {
	case s == nil:
		notFound("There is no service " + serviceID)
		return
	case rel == nil:
		notFound("There is no api match env_mapping '/" + env + "'")
		return
	case best == nil:
		notFound("There is no api match path '" + rest + "'")
		return
	}
	_, method := best.requestConfig()
	host, _, _ := strings.Cut(r.RemoteAddr, ":")
	context := map[string]any{"serviceId": serviceID, "path": bestPath, "httpMethod": method,
		"requestId": randomID(32), "identity": map[string]any{}, "sourceIp": host, "stage": env}
	c.invokeHTTP(w, r, best.str("ServiceScfFunctionNamespace"), best.str("ServiceScfFunctionName"),
		best.str("ServiceScfFunctionQualifier"), rest, map[string]any{"requestContext": context,
			"queryStringParameters": map[string]any{}, "pathParameters": map[string]any{}, "headerParameters": map[string]any{},
			"stageVariables": map[string]any{}, "isBase64Encoded": false})
}

// gatewayService is the service id of a host that is a service's outer subdomain, or "".
func (c *Cloud) gatewayService(host string) string {
	sub, ok := strings.CutSuffix(host, "."+regionShort(c.Region)+".apigw."+c.Domain)
	if !ok {
		return ""
	}
	id, ok := strings.CutSuffix(sub, fmt.Sprintf("-%d", c.AppID))
	if !ok || !strings.HasPrefix(id, "service-") {
		return ""
	}
	return id
}
