package localcloud

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// The control host, control.<domain>, is the test's side door: what a real account shows in its
// console or does on its own schedule, asked for or done now.
//
//	GET  /resources   everything the account holds, by kind (the default namespace aside)
//	GET  /unknown     actions asked for that are not served, request fields no model declares
//	POST /recycle     stop every function instance, as SCF reclaims idle ones: the next event
//	                  of each version is a cold start
//	POST /timer?namespace=&function=&trigger=   fire a timer trigger now
//	POST /charge?day=YYYY-MM-DD&yuan=N[&product=]   add a charge to that day's bill
//	GET  /wecom       the messages the WeCom robot accepted, oldest first

func (c *Cloud) serveControl(w http.ResponseWriter, r *http.Request) {
	reply := func(v any) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(v)
	}
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/resources":
		reply(c.Resources())
	case r.Method == http.MethodGet && r.URL.Path == "/unknown":
		actions, fields := c.API.Unknown()
		reply(map[string][]string{"actions": actions, "fields": fields})
	case r.Method == http.MethodPost && r.URL.Path == "/recycle":
		c.runtime().recycle()
		reply(map[string]string{"recycled": "all"})
	case r.Method == http.MethodGet && r.URL.Path == "/wecom":
		reply(c.robot.messages())
	case r.Method == http.MethodPost && r.URL.Path == "/charge":
		q := r.URL.Query()
		yuan, err := strconv.ParseFloat(q.Get("yuan"), 64)
		if err == nil {
			err = c.AddCharge(q.Get("day"), cmpOr(q.Get("product"), "其他"), yuan)
		}
		if err != nil {
			http.Error(w, "control: POST /charge?day=YYYY-MM-DD&yuan=N[&product=NAME]: "+err.Error(), http.StatusBadRequest)
			return
		}
		reply(map[string]string{"charged": q.Get("day")})
	case r.Method == http.MethodPost && r.URL.Path == "/timer":
		q := r.URL.Query()
		if err := c.FireTimer(q.Get("namespace"), q.Get("function"), q.Get("trigger")); err != nil {
			http.Error(w, err.Error(), http.StatusNotFound)
			return
		}
		reply(map[string]string{"fired": q.Get("trigger")})
	default:
		http.Error(w, "control: GET /resources, GET /unknown, POST /recycle, POST /timer, POST /charge, GET /wecom", http.StatusNotFound)
	}
}

// Resources lists what the account holds, by kind, each kind's ids sorted. A secret waiting out
// its recovery window is listed: its name cannot be used again until the window ends.
func (c *Cloud) Resources() map[string][]string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[string][]string{}
	add := func(kind, id string) { out[kind] = append(out[kind], id) }
	for _, r := range c.state.roles {
		add("cam.role", r.name)
	}
	for _, p := range c.state.policies {
		add("cam.policy", p.name)
	}
	if v := c.state.vpc; v != nil {
		for id := range v.vpcs {
			add("vpc", id)
		}
		for id := range v.subnets {
			add("vpc.subnet", id)
		}
		for id := range v.groups {
			add("vpc.security_group", id)
		}
	}
	for name, s := range c.state.secrets {
		if s.status == "PendingDelete" {
			name += " (pending deletion)"
		}
		add("ssm.secret", name)
	}
	if cl := c.state.clsState; cl != nil {
		for id := range cl.logsets {
			add("cls.logset", id)
		}
		for id := range cl.topics {
			add("cls.topic", id)
		}
	}
	for d := range c.state.cdn {
		add("cdn.domain", d)
	}
	if m := c.state.monitor; m != nil {
		for id := range m.notices {
			add("monitor.notice", id)
		}
		for id := range m.policies {
			add("monitor.policy", id)
		}
	}
	if d := c.state.cdbState; d != nil {
		for id := range d.instances {
			add("cdb.instance", id)
		}
	}
	for id := range c.state.redis {
		add("redis.instance", id)
	}
	if s := c.state.scfState; s != nil {
		for name := range s.namespaces {
			if name != "default" {
				add("scf.namespace", name)
			}
		}
		for key := range s.functions {
			add("scf.function", key)
		}
		for name, versions := range s.layers {
			if len(versions) > 0 {
				add("scf.layer", name)
			}
		}
	}
	for d := range c.state.domains {
		add("scf.custom_domain", d)
	}
	for id, s := range c.state.apigw {
		add("apigateway.service", id)
		for a := range s.apis {
			add("apigateway.api", id+"/"+a)
		}
	}
	for _, b := range c.COS.Buckets() {
		add("cos.bucket", b)
	}
	for k := range out {
		slices.Sort(out[k])
	}
	return out
}

// isControl reports whether host is the control host.
func (c *Cloud) isControl(host string) bool {
	return strings.EqualFold(host, "control."+c.Domain)
}
