package localcloud

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/jianbao/admin/localcloud/api"
	"github.com/jianbao/admin/localcloud/cos"
)

// What makes functions run: COS upload events, timers, Function URLs (and custom domains in front
// of them). Each builds the event as SCF documents it and invokes the function's qualifier.

// cosCreated delivers an object's create event to every function whose COS trigger on that bucket
// matches the event and the key's prefix and suffix — asynchronously, as SCF does, and retried
// twice on a function error.
func (c *Cloud) cosCreated(e cos.Event) {
	type target struct{ ns, name, qualifier string }
	var targets []target
	c.mu.Lock()
	host := e.Bucket + ".cos." + c.Region + ".myqcloud.com"
	for _, f := range c.scf().functions {
		for _, t := range f.triggers {
			if t.kind != "cos" || !t.enabled || t.name != host {
				continue
			}
			var d struct {
				Event  string `json:"event"`
				Filter struct{ Prefix, Suffix string }
			}
			json.Unmarshal([]byte(t.desc), &d)
			if !eventMatches(d.Event, e.Kind) || !strings.HasPrefix(e.Key, d.Filter.Prefix) || !strings.HasSuffix(e.Key, d.Filter.Suffix) {
				continue
			}
			targets = append(targets, target{f.namespace, f.name, t.qualifier})
		}
	}
	c.mu.Unlock()
	name, _, _ := strings.Cut(e.Bucket, "-"+strconv.FormatUint(c.AppID, 10))
	for _, t := range targets {
		event, _ := json.Marshal(map[string]any{"Records": []any{map[string]any{
			"cos": map[string]any{"cosSchemaVersion": "1.0", "cosNotificationId": "unkown",
				"cosBucket": map[string]any{"name": name, "appid": strconv.FormatUint(c.AppID, 10), "region": "gz"},
				"cosObject": map[string]any{"key": "/" + strconv.FormatUint(c.AppID, 10) + "/" + name + "/" + e.Key, "size": e.Size,
					"url": "http://" + e.Host + "/" + (&url.URL{Path: e.Key}).EscapedPath(), "vid": "",
					"meta": map[string]string{"x-cos-request-id": randomHex(12), "Content-Type": "", "ETag": e.ETag}}},
			"event": map[string]any{"eventName": e.Kind, "eventVersion": "1.0", "eventSource": "qcs::cos", "eventTime": e.Time.Unix(),
				"eventQueue":        "qcs:0:scf:gz:appid/" + strconv.FormatUint(c.AppID, 10) + ":" + t.ns + "." + t.name + "." + t.qualifier,
				"requestParameters": map[string]any{"requestSourceIP": "127.0.0.1", "requestHeaders": map[string]string{}},
				"reservedInfo":      "", "reqid": time.Now().UnixNano() % 1e9}}}})
		go c.invokeAsync(t.ns, t.name, t.qualifier, event, "cos")
	}
}

func eventMatches(pattern, kind string) bool {
	if p, ok := strings.CutSuffix(pattern, "*"); ok {
		return strings.HasPrefix(kind, p)
	}
	return pattern == kind
}

// invokeAsync runs an event in the background with SCF's asynchronous retries (two, spaced).
func (c *Cloud) invokeAsync(ns, name, qualifier string, event []byte, source string) {
	for attempt := 0; attempt < 3; attempt++ {
		res, err := c.runtime().invoke(ns, name, qualifier, event)
		switch {
		case err != nil:
			c.Log.Warn("asynchronous invocation refused", "function", name, "source", source, "attempt", attempt+1, "err", err)
		case res.errMsg != "":
			c.Log.Warn("asynchronous invocation failed", "function", name, "source", source, "attempt", attempt+1, "error", res.errMsg)
		default:
			c.Log.Info("asynchronous invocation", "function", name, "source", source, "took_ms", res.took.Milliseconds())
			return
		}
		time.Sleep(time.Duration(attempt+1) * 2 * time.Second)
	}
}

// schedule runs a timer trigger on its cron, in China time (SCF's timers keep UTC+8).
func (rt *runtime) schedule(f *scfFunction, t *scfTrigger) {
	spec, err := parseCron(t.desc)
	if err != nil {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	rt.mu.Lock()
	rt.timers[t] = cancel
	rt.mu.Unlock()
	ns, name, qualifier := f.namespace, f.name, t.qualifier
	go func() {
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case now := <-tick.C:
				if !spec.matches(now.In(china).Truncate(time.Second)) || !t.enabled {
					continue
				}
				rt.c.fireTimer(ns, name, qualifier, t, now)
			}
		}
	}()
}

func (c *Cloud) fireTimer(ns, name, qualifier string, t *scfTrigger, at time.Time) {
	event, _ := json.Marshal(map[string]string{"Type": "Timer", "TriggerName": t.name, "Time": at.UTC().Format(time.RFC3339), "Message": t.customArgument})
	go c.invokeAsync(ns, name, qualifier, event, "timer")
}

// FireTimer runs a function's timer trigger now, as if its time had come (tests).
func (c *Cloud) FireTimer(ns, name, trigger string) error {
	c.mu.Lock()
	f, err := c.function(ns, name)
	if err != nil {
		c.mu.Unlock()
		return err
	}
	t := f.trigger(trigger, "timer", "")
	c.mu.Unlock()
	if t == nil {
		return api.Errorf("ResourceNotFound.Trigger", "no timer %s on %s", trigger, name)
	}
	c.fireTimer(ns, name, t.qualifier, t, time.Now())
	return nil
}

// cronSpec is SCF's seven-field cron: second minute hour day-of-month month day-of-week year.
type cronSpec [7]map[int]bool

var cronNames = map[string]int{"SUN": 0, "MON": 1, "TUE": 2, "WED": 3, "THU": 4, "FRI": 5, "SAT": 6,
	"JAN": 1, "FEB": 2, "MAR": 3, "APR": 4, "MAY": 5, "JUN": 6, "JUL": 7, "AUG": 8, "SEP": 9, "OCT": 10, "NOV": 11, "DEC": 12}

func parseCron(s string) (cronSpec, error) {
	var spec cronSpec
	fields := strings.Fields(s)
	if len(fields) != 7 {
		return spec, fmt.Errorf("want seven fields (second minute hour day month weekday year), got %d", len(fields))
	}
	bounds := [7][2]int{{0, 59}, {0, 59}, {0, 23}, {1, 31}, {1, 12}, {0, 6}, {1970, 2099}}
	num := func(v string) (int, error) {
		if n, ok := cronNames[strings.ToUpper(v)]; ok {
			return n, nil
		}
		return strconv.Atoi(v)
	}
	for i, field := range fields {
		spec[i] = map[int]bool{}
		for _, part := range strings.Split(field, ",") {
			step := 1
			if p, st, ok := strings.Cut(part, "/"); ok {
				n, err := strconv.Atoi(st)
				if err != nil || n <= 0 {
					return spec, fmt.Errorf("step %q", st)
				}
				part, step = p, n
			}
			lo, hi := bounds[i][0], bounds[i][1]
			if part != "*" && part != "?" {
				a, b, isRange := strings.Cut(part, "-")
				var err error
				if lo, err = num(a); err != nil {
					return spec, fmt.Errorf("field %d: %q", i+1, part)
				}
				hi = lo
				if isRange {
					if hi, err = num(b); err != nil {
						return spec, fmt.Errorf("field %d: %q", i+1, part)
					}
				} else if step > 1 {
					hi = bounds[i][1]
				}
			}
			if lo < bounds[i][0] || hi > bounds[i][1] || lo > hi {
				return spec, fmt.Errorf("field %d: %q out of range", i+1, part)
			}
			for v := lo; v <= hi; v += step {
				spec[i][v] = true
			}
		}
	}
	return spec, nil
}

func (s cronSpec) matches(t time.Time) bool {
	return s[0][t.Second()] && s[1][t.Minute()] && s[2][t.Hour()] && s[3][t.Day()] && s[4][int(t.Month())] && s[5][int(t.Weekday())] && s[6][t.Year()]
}

// serveFunctionURL answers a Function URL request: the http trigger with urlID, its qualifier's
// function, the event SCF builds (body, headers, httpMethod, path, queryString), the function's
// integration response written back.
func (c *Cloud) serveFunctionURL(w http.ResponseWriter, r *http.Request, urlID string) {
	c.mu.Lock()
	var ns, name, qualifier string
	for _, f := range c.scf().functions {
		for _, t := range f.triggers {
			if t.kind == "http" && t.urlID == urlID && t.enabled {
				ns, name, qualifier = f.namespace, f.name, t.qualifier
			}
		}
	}
	c.mu.Unlock()
	if name == "" {
		http.Error(w, `{"errorCode":-1,"errorMessage":"no such Function URL"}`, http.StatusNotFound)
		return
	}
	c.invokeHTTP(w, r, ns, name, qualifier, r.URL.Path, nil)
}

// invokeHTTP turns a request into an event, invokes, and writes the integration response. A
// gateway adds its own fields (requestContext and the rest) in extra.
func (c *Cloud) invokeHTTP(w http.ResponseWriter, r *http.Request, ns, name, qualifier, path string, extra map[string]any) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 6<<20+1))
	if err != nil || len(body) > 6<<20 {
		http.Error(w, `{"errorCode":-1,"errorMessage":"the body is over 6 MB"}`, http.StatusRequestEntityTooLarge)
		return
	}
	headers := map[string]string{}
	for k, v := range r.Header {
		headers[strings.ToLower(k)] = strings.Join(v, ",")
	}
	headers["host"] = r.Host
	query := map[string]any{}
	for k, v := range r.URL.Query() {
		switch {
		case len(v) > 1:
			query[k] = v
		case len(v) == 1 && v[0] == "" && !strings.Contains(r.URL.RawQuery, k+"="):
			query[k] = true
		default:
			query[k] = v[0]
		}
	}
	ev := map[string]any{"body": string(body), "headers": headers, "httpMethod": r.Method, "path": path, "queryString": query}
	for k, v := range extra {
		ev[k] = v
	}
	event, _ := json.Marshal(ev)
	res, err := c.runtime().invoke(ns, name, qualifier, event)
	if err != nil {
		status := http.StatusBadGateway
		if e, ok := err.(*api.Error); ok && strings.HasPrefix(e.Code, "ResourceLimitReached") {
			status = http.StatusTooManyRequests
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(map[string]any{"errorCode": -1, "errorMessage": err.Error()})
		return
	}
	if res.errMsg != "" {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadGateway)
		json.NewEncoder(w).Encode(map[string]any{"errorCode": -1, "errorMessage": res.errMsg, "requestId": res.request})
		return
	}
	var out struct {
		StatusCode      int                        `json:"statusCode"`
		Headers         map[string]json.RawMessage `json:"headers"`
		Body            string                     `json:"body"`
		IsBase64Encoded bool                       `json:"isBase64Encoded"`
	}
	if err := json.Unmarshal(res.payload, &out); err != nil || out.StatusCode == 0 {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadGateway)
		io.WriteString(w, `{"errno":403,"error":"Invalid scf response format. please check your scf response format."}`)
		return
	}
	for k, raw := range out.Headers {
		var one string
		var many []string
		if json.Unmarshal(raw, &one) == nil {
			w.Header().Set(k, one)
		} else if json.Unmarshal(raw, &many) == nil {
			for _, v := range many {
				w.Header().Add(k, v)
			}
		}
	}
	w.Header().Set("X-Scf-Request-Id", res.request)
	b := []byte(out.Body)
	if out.IsBase64Encoded {
		if b, err = base64.StdEncoding.DecodeString(out.Body); err != nil {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
	}
	w.WriteHeader(out.StatusCode)
	w.Write(b)
}
