package localcloud

import (
	"encoding/json"
	"net/url"
	"slices"
	"strconv"
	"time"

	cam "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/cam/v20190116"

	"github.com/jianbao/admin/localcloud/api"
)

// CAM: the account (GetUserAppId), roles, policies and their attachments. Policies are kept as
// written; whether a call is allowed is not evaluated here (the account's own key may do
// anything, and a function's temporary key acts as its role: see keys.go).

type camRole struct {
	id, name, document, description string
	consoleLogin, sessionDuration   uint64
	added                           time.Time
}

type camPolicy struct {
	id                          uint64
	name, document, description string
	added                       time.Time
}

// getUserAppIdResponse is GetUserAppId, newer than the SDK's models:
// https://cloud.tencent.com/document/api/598/46134
type getUserAppIdResponse struct {
	Uin      *string `json:"Uin"`
	AppId    *uint64 `json:"AppId"`
	OwnerUin *string `json:"OwnerUin"`
}

// policyDocument checks a document the way CAM does: JSON, and URL-decoded as the provider
// sends it.
func policyDocument(doc string) (string, error) {
	if d, err := url.QueryUnescape(doc); err == nil {
		doc = d
	}
	var v map[string]any
	if err := json.Unmarshal([]byte(doc), &v); err != nil {
		return "", api.Errorf("InvalidParameter.PolicyDocumentError", "the policy document is not JSON: %v", err)
	}
	return doc, nil
}

func (c *Cloud) registerCAM() {
	h := func(action string, fn api.Handler) { c.API.Handle("cam", action, fn) }
	h("GetUserAppId", func(call *api.Call) (any, error) {
		return &getUserAppIdResponse{Uin: ptr(c.UIN), AppId: ptr(c.AppID), OwnerUin: ptr(c.UIN)}, nil
	})
	h("DescribeSubAccounts", func(call *api.Call) (any, error) {
		var req cam.DescribeSubAccountsRequest
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		out := inner(&cam.NewDescribeSubAccountsResponse().Response)
		out.SubAccounts = []*cam.SubAccountUser{}
		return out, nil
	})
	h("CreateRole", func(call *api.Call) (any, error) {
		var req cam.CreateRoleRequest
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		if req.RoleName == nil || req.PolicyDocument == nil {
			return nil, api.Errorf(api.CodeMissingParameter, "RoleName and PolicyDocument are required")
		}
		doc, err := policyDocument(*req.PolicyDocument)
		if err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		for _, r := range c.state.roles {
			if r.name == *req.RoleName {
				return nil, api.Errorf("InvalidParameter.RoleNameInUse", "the role %s exists", r.name)
			}
		}
		r := &camRole{id: "46" + strconv.FormatInt(4611686018427000000+c.state.next(), 10)[2:], name: *req.RoleName, document: doc,
			description: deref(req.Description), consoleLogin: deref(req.ConsoleLogin), sessionDuration: deref(req.SessionDuration), added: time.Now()}
		c.state.roles[r.id] = r
		out := inner(&cam.NewCreateRoleResponse().Response)
		out.RoleId = ptr(r.id)
		return out, nil
	})
	h("DescribeRoleList", func(call *api.Call) (any, error) {
		var req cam.DescribeRoleListRequest
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		var list []*cam.RoleInfo
		for _, r := range c.state.roles {
			list = append(list, r.info())
		}
		slices.SortFunc(list, func(a, b *cam.RoleInfo) int { return compare(*a.RoleId, *b.RoleId) })
		list = page(list, deref(req.Page), deref(req.Rp))
		out := inner(&cam.NewDescribeRoleListResponse().Response)
		out.List, out.TotalNum = list, ptr(uint64(len(c.state.roles)))
		return out, nil
	})
	h("GetRole", func(call *api.Call) (any, error) {
		var req cam.GetRoleRequest
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		for _, r := range c.state.roles {
			if r.id == deref(req.RoleId) || r.name == deref(req.RoleName) {
				out := inner(&cam.NewGetRoleResponse().Response)
				out.RoleInfo = r.info()
				return out, nil
			}
		}
		return nil, api.Errorf("InvalidParameter.RoleNotExist", "no such role")
	})
	h("DeleteRole", func(call *api.Call) (any, error) {
		var req cam.DeleteRoleRequest
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		for id, r := range c.state.roles {
			if r.id == deref(req.RoleId) || r.name == deref(req.RoleName) {
				delete(c.state.roles, id)
				for k := range c.state.rolePolicy {
					if rid, _, _ := cutHash(k); rid == id {
						delete(c.state.rolePolicy, k)
					}
				}
				return inner(&cam.NewDeleteRoleResponse().Response), nil
			}
		}
		return nil, api.Errorf("InvalidParameter.RoleNotExist", "no such role")
	})
	h("CreatePolicy", func(call *api.Call) (any, error) {
		var req cam.CreatePolicyRequest
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		doc, err := policyDocument(deref(req.PolicyDocument))
		if err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		for _, p := range c.state.policies {
			if p.name == deref(req.PolicyName) {
				return nil, api.Errorf("FailedOperation.PolicyNameInUse", "the policy %s exists", p.name)
			}
		}
		c.state.policyByNum++
		p := &camPolicy{id: 100000000 + c.state.policyByNum, name: deref(req.PolicyName), document: doc, description: deref(req.Description), added: time.Now()}
		c.state.policies[p.id] = p
		out := inner(&cam.NewCreatePolicyResponse().Response)
		out.PolicyId = ptr(p.id)
		return out, nil
	})
	h("GetPolicy", func(call *api.Call) (any, error) {
		var req cam.GetPolicyRequest
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		p, ok := c.state.policies[deref(req.PolicyId)]
		if !ok {
			return nil, api.Errorf("ResourceNotFound.PolicyIdNotExist", "no policy %d", deref(req.PolicyId))
		}
		out := inner(&cam.NewGetPolicyResponse().Response)
		out.PolicyName, out.Description, out.Type = ptr(p.name), ptr(p.description), ptr(uint64(1))
		out.AddTime, out.UpdateTime, out.PolicyDocument = ptr(stamp(p.added)), ptr(stamp(p.added)), ptr(p.document)
		return out, nil
	})
	h("UpdatePolicy", func(call *api.Call) (any, error) {
		var req cam.UpdatePolicyRequest
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		p, ok := c.state.policies[deref(req.PolicyId)]
		if !ok {
			return nil, api.Errorf("ResourceNotFound.PolicyIdNotExist", "no policy %d", deref(req.PolicyId))
		}
		if req.PolicyDocument != nil {
			doc, err := policyDocument(*req.PolicyDocument)
			if err != nil {
				return nil, err
			}
			p.document = doc
		}
		if req.Description != nil {
			p.description = *req.Description
		}
		if req.PolicyName != nil {
			p.name = *req.PolicyName
		}
		return inner(&cam.NewUpdatePolicyResponse().Response), nil
	})
	h("DeletePolicy", func(call *api.Call) (any, error) {
		var req cam.DeletePolicyRequest
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		for _, id := range req.PolicyId {
			delete(c.state.policies, *id)
			for k := range c.state.rolePolicy {
				if _, pid, _ := cutHash(k); pid == strconv.FormatUint(*id, 10) {
					delete(c.state.rolePolicy, k)
				}
			}
		}
		return inner(&cam.NewDeletePolicyResponse().Response), nil
	})
	h("AttachRolePolicy", func(call *api.Call) (any, error) {
		var req cam.AttachRolePolicyRequest
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		r := c.state.roleBy(deref(req.AttachRoleId), deref(req.AttachRoleName))
		if r == nil {
			return nil, api.Errorf("InvalidParameter.RoleNotExist", "no such role")
		}
		if _, ok := c.state.policies[deref(req.PolicyId)]; !ok {
			return nil, api.Errorf("InvalidParameter.PolicyIdNotExist", "no policy %d", deref(req.PolicyId))
		}
		c.state.rolePolicy[r.id+"#"+strconv.FormatUint(*req.PolicyId, 10)] = time.Now()
		return inner(&cam.NewAttachRolePolicyResponse().Response), nil
	})
	h("DetachRolePolicy", func(call *api.Call) (any, error) {
		var req cam.DetachRolePolicyRequest
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		r := c.state.roleBy(deref(req.DetachRoleId), deref(req.DetachRoleName))
		if r == nil {
			return nil, api.Errorf("InvalidParameter.RoleNotExist", "no such role")
		}
		delete(c.state.rolePolicy, r.id+"#"+strconv.FormatUint(deref(req.PolicyId), 10))
		return inner(&cam.NewDetachRolePolicyResponse().Response), nil
	})
	h("ListAttachedRolePolicies", func(call *api.Call) (any, error) {
		var req cam.ListAttachedRolePoliciesRequest
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		r := c.state.roleBy(deref(req.RoleId), deref(req.RoleName))
		if r == nil {
			return nil, api.Errorf("InvalidParameter.RoleNotExist", "no such role")
		}
		var list []*cam.AttachedPolicyOfRole
		for k, at := range c.state.rolePolicy {
			rid, pid, _ := cutHash(k)
			if rid != r.id {
				continue
			}
			id, _ := strconv.ParseUint(pid, 10, 64)
			p := c.state.policies[id]
			list = append(list, &cam.AttachedPolicyOfRole{PolicyId: ptr(id), PolicyName: ptr(p.name), AddTime: ptr(stamp(at)),
				PolicyType: ptr("User"), CreateMode: ptr(uint64(2)), Description: ptr(p.description)})
		}
		slices.SortFunc(list, func(a, b *cam.AttachedPolicyOfRole) int { return compare(*a.PolicyId, *b.PolicyId) })
		total := len(list)
		out := inner(&cam.NewListAttachedRolePoliciesResponse().Response)
		out.List, out.TotalNum = page(list, deref(req.Page), deref(req.Rp)), ptr(uint64(total))
		return out, nil
	})
}

func (r *camRole) info() *cam.RoleInfo {
	return &cam.RoleInfo{RoleId: ptr(r.id), RoleName: ptr(r.name), PolicyDocument: ptr(r.document), Description: ptr(r.description),
		AddTime: ptr(stamp(r.added)), UpdateTime: ptr(stamp(r.added)), ConsoleLogin: ptr(r.consoleLogin), RoleType: ptr("user"),
		SessionDuration: ptr(r.sessionDuration)}
}

func (s *state) roleBy(id, name string) *camRole {
	for _, r := range s.roles {
		if (id != "" && r.id == id) || (name != "" && r.name == name) {
			return r
		}
	}
	return nil
}
