package localcloud

import (
	"slices"
	"strings"

	tag "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/tag/v20180813"

	"github.com/jianbao/admin/localcloud/api"
)

// Tags: key-value labels on any resource, by its six-part name
// (qcs::<service>:<region>:uin/<uin>:<prefix>/<id>). The products' own Tags arguments are kept by
// the products; this is the tag service the provider reads and writes them through as well.

// tagKey is "service:prefix/id" of a resource name.
func tagKey(service, prefix, id string) string { return service + ":" + prefix + "/" + id }

func parseResourceName(qcs string) (key string, ok bool) {
	parts := strings.SplitN(qcs, ":", 6)
	if len(parts) != 6 || parts[0] != "qcs" {
		return "", false
	}
	prefix, id, _ := strings.Cut(parts[5], "/")
	return tagKey(parts[2], prefix, id), true
}

func (c *Cloud) registerTag() {
	h := func(action string, fn api.Handler) { c.API.Handle("tag", action, fn) }
	h("DescribeResourceTagsByResourceIds", func(call *api.Call) (any, error) {
		var req tag.DescribeResourceTagsByResourceIdsRequest
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		var list []*tag.TagResource
		for _, id := range derefs(req.ResourceIds) {
			tags := c.state.tags[tagKey(deref(req.ServiceType), deref(req.ResourcePrefix), id)]
			keys := make([]string, 0, len(tags))
			for k := range tags {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			for _, k := range keys {
				list = append(list, &tag.TagResource{TagKey: ptr(k), TagValue: ptr(tags[k]), ResourceId: ptr(id), ServiceType: req.ServiceType})
			}
		}
		out := inner(&tag.NewDescribeResourceTagsByResourceIdsResponse().Response)
		out.Tags, out.TotalCount, out.Offset, out.Limit = list, ptr(uint64(len(list))), ptr(deref(req.Offset)), ptr(deref(req.Limit))
		return out, nil
	})
	h("ModifyResourceTags", func(call *api.Call) (any, error) {
		var req tag.ModifyResourceTagsRequest
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		key, ok := parseResourceName(deref(req.Resource))
		if !ok {
			return nil, api.Errorf("InvalidParameterValue.ResourceDescriptionError", "%q is not a resource name", deref(req.Resource))
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.state.tags == nil {
			c.state.tags = map[string]map[string]string{}
		}
		if c.state.tags[key] == nil {
			c.state.tags[key] = map[string]string{}
		}
		for _, t := range req.ReplaceTags {
			c.state.tags[key][deref(t.TagKey)] = deref(t.TagValue)
		}
		for _, t := range req.DeleteTags {
			delete(c.state.tags[key], deref(t.TagKey))
		}
		return inner(&tag.NewModifyResourceTagsResponse().Response), nil
	})
}
