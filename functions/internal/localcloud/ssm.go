package localcloud

import (
	"slices"
	"time"

	ssm "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/ssm/v20190923"

	"github.com/jianbao/admin/localcloud/api"
)

// SSM: secrets and their versions. A deleted secret waits out its recovery window as
// PendingDelete, as the real service keeps it; a deleted version is gone at once.

type ssmSecret struct {
	name, description string
	status            string // Enabled | Disabled | PendingDelete
	created           time.Time
	deleteAt          time.Time
	versions          []*ssmVersion
}

type ssmVersion struct {
	id, str, bin string
	created      time.Time
}

// ssmCreateSecretRequest is CreateSecret with the fields newer than the SDK's model
// (https://cloud.tencent.com/document/api/1140/40874).
type ssmCreateSecretRequest struct {
	ssm.CreateSecretRequest
	SecretType       *uint64 `json:"SecretType"`
	AdditionalConfig *string `json:"AdditionalConfig"`
}

// ssmDescribeSecret is DescribeSecret's answer with the fields newer than the SDK's model
// (https://cloud.tencent.com/document/api/1140/40872).
type ssmDescribeSecret struct {
	SecretName, Description, KmsKeyId, Status, ProductName, ResourceID, ResourceName, AdditionalConfig string
	CreateUin, DeleteTime, CreateTime, TargetUin                                                       uint64
	SecretType, RotationFrequency, ProjectID                                                           int64
	RotationStatus                                                                                     bool
	AssociatedInstanceIDs                                                                              []string
}

func (c *Cloud) secret(name string) (*ssmSecret, error) {
	s := c.state.secrets[name]
	if s == nil {
		return nil, api.Errorf("ResourceNotFound", "The secret %s does not exist.", name)
	}
	if s.status == "PendingDelete" && time.Now().After(s.deleteAt) {
		delete(c.state.secrets, name)
		return nil, api.Errorf("ResourceNotFound", "The secret %s does not exist.", name)
	}
	return s, nil
}

func (s *ssmSecret) version(id string) *ssmVersion {
	for _, v := range s.versions {
		if v.id == id {
			return v
		}
	}
	return nil
}

func (c *Cloud) registerSSM() {
	h := func(action string, fn api.Handler) { c.API.Handle("ssm", action, fn) }
	h("CreateSecret", func(call *api.Call) (any, error) {
		var req ssmCreateSecretRequest
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		name := deref(req.SecretName)
		if name == "" {
			return nil, api.Errorf(api.CodeMissingParameter, "SecretName is required")
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.state.secrets == nil {
			c.state.secrets = map[string]*ssmSecret{}
		}
		if old, err := c.secret(name); err == nil {
			if old.status == "PendingDelete" {
				return nil, api.Errorf("OperationDenied.SecretIsPendingDelete", "The secret %s is pending deletion until %s.", name, stamp(old.deleteAt))
			}
			return nil, api.Errorf("ResourceInUse.SecretExists", "The secret %s already exists.", name)
		}
		s := &ssmSecret{name: name, description: deref(req.Description), status: "Enabled", created: time.Now()}
		if req.SecretString != nil || req.SecretBinary != nil {
			s.versions = append(s.versions, &ssmVersion{id: cmpOr(deref(req.VersionId), "v1"), str: deref(req.SecretString), bin: deref(req.SecretBinary), created: time.Now()})
		}
		c.state.secrets[name] = s
		out := inner(&ssm.NewCreateSecretResponse().Response)
		out.SecretName, out.VersionId = ptr(name), ptr(deref(req.VersionId))
		return out, nil
	})
	h("DescribeSecret", func(call *api.Call) (any, error) {
		var req ssm.DescribeSecretRequest
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		s, err := c.secret(deref(req.SecretName))
		if err != nil {
			return nil, err
		}
		uin := uint64(0)
		fmtSscan(c.UIN, &uin)
		d := &ssmDescribeSecret{SecretName: s.name, Description: s.description, Status: s.status, CreateUin: uin,
			CreateTime: uint64(s.created.Unix()), AssociatedInstanceIDs: []string{}}
		if !s.deleteAt.IsZero() {
			d.DeleteTime = uint64(s.deleteAt.Unix())
		}
		return d, nil
	})
	h("ListSecretVersionIds", func(call *api.Call) (any, error) {
		var req ssm.ListSecretVersionIdsRequest
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		s, err := c.secret(deref(req.SecretName))
		if err != nil {
			return nil, err
		}
		out := inner(&ssm.NewListSecretVersionIdsResponse().Response)
		out.SecretName = ptr(s.name)
		for _, v := range s.versions {
			out.Versions = append(out.Versions, &ssm.VersionInfo{VersionId: ptr(v.id), CreateTime: ptr(uint64(v.created.Unix()))})
		}
		return out, nil
	})
	h("GetSecretValue", func(call *api.Call) (any, error) {
		var req ssm.GetSecretValueRequest
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		s, err := c.secret(deref(req.SecretName))
		if err != nil {
			return nil, err
		}
		if s.status != "Enabled" {
			return nil, api.Errorf("FailedOperation", "The secret %s is %s.", s.name, s.status)
		}
		v := s.version(deref(req.VersionId))
		if v == nil {
			return nil, api.Errorf("ResourceNotFound", "The secret %s has no version %s.", s.name, deref(req.VersionId))
		}
		out := inner(&ssm.NewGetSecretValueResponse().Response)
		out.SecretName, out.VersionId, out.SecretString, out.SecretBinary = ptr(s.name), ptr(v.id), ptr(v.str), ptr(v.bin)
		return out, nil
	})
	h("PutSecretValue", func(call *api.Call) (any, error) {
		var req ssm.PutSecretValueRequest
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		s, err := c.secret(deref(req.SecretName))
		if err != nil {
			return nil, err
		}
		if s.version(deref(req.VersionId)) != nil {
			return nil, api.Errorf("ResourceInUse.VersionIdExists", "The version %s of %s exists.", deref(req.VersionId), s.name)
		}
		s.versions = append(s.versions, &ssmVersion{id: deref(req.VersionId), str: deref(req.SecretString), bin: deref(req.SecretBinary), created: time.Now()})
		out := inner(&ssm.NewPutSecretValueResponse().Response)
		out.SecretName, out.VersionId = ptr(s.name), req.VersionId
		return out, nil
	})
	h("UpdateSecret", func(call *api.Call) (any, error) {
		var req ssm.UpdateSecretRequest
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		s, err := c.secret(deref(req.SecretName))
		if err != nil {
			return nil, err
		}
		v := s.version(deref(req.VersionId))
		if v == nil {
			return nil, api.Errorf("ResourceNotFound", "The secret %s has no version %s.", s.name, deref(req.VersionId))
		}
		v.str, v.bin = deref(req.SecretString), deref(req.SecretBinary)
		out := inner(&ssm.NewUpdateSecretResponse().Response)
		out.SecretName, out.VersionId = ptr(s.name), ptr(v.id)
		return out, nil
	})
	h("UpdateDescription", func(call *api.Call) (any, error) {
		var req ssm.UpdateDescriptionRequest
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		s, err := c.secret(deref(req.SecretName))
		if err != nil {
			return nil, err
		}
		s.description = deref(req.Description)
		out := inner(&ssm.NewUpdateDescriptionResponse().Response)
		out.SecretName = ptr(s.name)
		return out, nil
	})
	for _, a := range []struct {
		action, status string
	}{{"EnableSecret", "Enabled"}, {"DisableSecret", "Disabled"}} {
		h(a.action, func(call *api.Call) (any, error) {
			var req struct {
				SecretName *string `json:"SecretName"`
			}
			if err := call.Decode(&req); err != nil {
				return nil, err
			}
			c.mu.Lock()
			defer c.mu.Unlock()
			s, err := c.secret(deref(req.SecretName))
			if err != nil {
				return nil, err
			}
			s.status = a.status
			return map[string]any{"SecretName": s.name}, nil
		})
	}
	h("DeleteSecretVersion", func(call *api.Call) (any, error) {
		var req ssm.DeleteSecretVersionRequest
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		s, err := c.secret(deref(req.SecretName))
		if err != nil {
			return nil, err
		}
		i := slices.IndexFunc(s.versions, func(v *ssmVersion) bool { return v.id == deref(req.VersionId) })
		if i < 0 {
			return nil, api.Errorf("ResourceNotFound", "The secret %s has no version %s.", s.name, deref(req.VersionId))
		}
		s.versions = slices.Delete(s.versions, i, i+1)
		out := inner(&ssm.NewDeleteSecretVersionResponse().Response)
		out.SecretName, out.VersionId = ptr(s.name), req.VersionId
		return out, nil
	})
	h("DeleteSecret", func(call *api.Call) (any, error) {
		var req ssm.DeleteSecretRequest
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		s, err := c.secret(deref(req.SecretName))
		if err != nil {
			return nil, err
		}
		if s.status != "Disabled" {
			return nil, api.Errorf("OperationDenied", "Disable the secret %s before deleting it.", s.name)
		}
		days := deref(req.RecoveryWindowInDays)
		if days == 0 {
			delete(c.state.secrets, s.name)
		} else {
			s.status, s.deleteAt = "PendingDelete", time.Now().Add(time.Duration(days)*24*time.Hour)
		}
		out := inner(&ssm.NewDeleteSecretResponse().Response)
		out.SecretName = ptr(s.name)
		if !s.deleteAt.IsZero() {
			out.DeleteTime = ptr(s.deleteAt.Unix())
		}
		return out, nil
	})
}
