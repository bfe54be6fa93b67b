package localcloud

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	scf "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/scf/v20180416"

	"github.com/jianbao/admin/localcloud/api"
)

// Layers: versioned zips a function mounts at /opt (runtime.go does the mounting).

func (c *Cloud) layer(name string, version int64) *scfLayerVersion {
	for _, v := range c.scf().layers[name] {
		if v.version == version {
			return v
		}
	}
	return nil
}

func (v *scfLayerVersion) info() *scf.LayerVersionInfo {
	return &scf.LayerVersionInfo{CompatibleRuntimes: ptrs(v.runtimes), AddTime: ptr(stamp(v.created)), Description: ptr(v.description),
		LicenseInfo: ptr(v.license), LayerVersion: ptr(v.version), LayerName: ptr(v.name), Status: ptr("Active")}
}

func (c *Cloud) registerSCFLayers(h func(string, api.Handler)) {
	h("PublishLayerVersion", func(call *api.Call) (any, error) {
		var req scf.PublishLayerVersionRequest
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		name := deref(req.LayerName)
		c.mu.Lock()
		defer c.mu.Unlock()
		code := req.Content
		if code == nil || deref(code.CosBucketName) == "" {
			return nil, api.Errorf(api.CodeMissingParameter, "Content.CosBucketName is required (the local SCF takes layers from COS)")
		}
		rc, _, err := c.COS.Object(deref(code.CosBucketName)+"-"+strconv.FormatUint(c.AppID, 10), deref(code.CosObjectName))
		if err != nil {
			return nil, api.Errorf("InvalidParameterValue.CosObjectName", "The layer object %s does not exist.", deref(code.CosObjectName))
		}
		defer rc.Close()
		versions := c.scf().layers[name]
		n := int64(1)
		if len(versions) > 0 {
			n = versions[len(versions)-1].version + 1
		}
		dir := filepath.Join(c.DataDir, "scf", "layers", name)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
		path := filepath.Join(dir, strconv.FormatInt(n, 10)+".zip")
		out, err := os.Create(path)
		if err != nil {
			return nil, err
		}
		sum := sha256.New()
		_, err = io.Copy(io.MultiWriter(out, sum), rc)
		out.Close()
		if err != nil {
			return nil, err
		}
		v := &scfLayerVersion{name: name, description: deref(req.Description), license: deref(req.LicenseInfo), version: n,
			runtimes: derefs(req.CompatibleRuntimes), zip: path, sha: hex.EncodeToString(sum.Sum(nil)), created: time.Now()}
		c.scf().layers[name] = append(versions, v)
		return map[string]any{"LayerVersion": n}, nil
	})
	h("GetLayerVersion", func(call *api.Call) (any, error) {
		var req scf.GetLayerVersionRequest
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		v := c.layer(deref(req.LayerName), deref(req.LayerVersion))
		if v == nil {
			return nil, api.Errorf("ResourceNotFound.LayerVersion", "The layer %s version %d does not exist.", deref(req.LayerName), deref(req.LayerVersion))
		}
		out := inner(&scf.NewGetLayerVersionResponse().Response)
		out.CompatibleRuntimes, out.CodeSha256, out.Location = ptrs(v.runtimes), ptr(v.sha), ptr("file://"+v.zip)
		out.AddTime, out.Description, out.LicenseInfo = ptr(stamp(v.created)), ptr(v.description), ptr(v.license)
		out.LayerVersion, out.LayerName, out.Status = ptr(v.version), ptr(v.name), ptr("Active")
		return out, nil
	})
	h("ListLayerVersions", func(call *api.Call) (any, error) {
		var req scf.ListLayerVersionsRequest
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		var list []*scf.LayerVersionInfo
		for _, v := range c.scf().layers[deref(req.LayerName)] {
			list = append(list, v.info())
		}
		return map[string]any{"LayerVersions": list}, nil
	})
	h("DeleteLayerVersion", func(call *api.Call) (any, error) {
		var req scf.DeleteLayerVersionRequest
		if err := call.Decode(&req); err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		name, n := deref(req.LayerName), deref(req.LayerVersion)
		if user := c.state.usersOf("layer/" + name + "/" + strconv.FormatInt(n, 10)); user != "" {
			return nil, api.Errorf("FailedOperation.DeleteLayerVersion", "The layer %s version %d is used by %s.", name, n, user)
		}
		versions := c.scf().layers[name]
		i := slices.IndexFunc(versions, func(v *scfLayerVersion) bool { return v.version == n })
		if i < 0 {
			return nil, api.Errorf("ResourceNotFound.LayerVersion", "The layer %s version %d does not exist.", name, n)
		}
		os.Remove(versions[i].zip)
		c.scf().layers[name] = slices.Delete(versions, i, i+1)
		if len(c.scf().layers[name]) == 0 {
			delete(c.scf().layers, name)
		}
		return map[string]any{}, nil
	})
}
