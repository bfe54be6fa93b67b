package main

import (
	"bytes"
	"net/http"
	"testing"
	"time"

	"github.com/jianbao/admin/shared/cos/costest"
	"github.com/jianbao/admin/shared/media/mediatest"
)

// TestMediaOnCOSNeedsTheCompleteCall is the TKE server on COS: the bucket reports uploads to
// SCF triggers, not to this process, so an upload sits in PENDING_UPLOAD until the client says
// it is done (POST /api/v1/media/{id}/complete), which puts it on the stream.
func TestMediaOnCOSNeedsTheCompleteCall(t *testing.T) {
	needFFmpeg(t)
	fake := costest.New(t, "jianbao-media-1250000000")
	base, _, _ := startRun(t, map[string]string{"BOOTSTRAP_ADMIN_PASSWORD": "cos-admin-password",
		"COS_BUCKET_URL": fake.BucketURL, "COS_ENDPOINT": fake.Endpoint,
		"COS_SECRET_ID": "AKIDtest", "COS_SECRET_KEY": "k"})
	c := newAPIClient(t, base)
	admin := c.login("admin", "cos-admin-password")
	cust := c.want(201, admin, "POST", "/api/v1/customers", map[string]any{"name": "吴女士"}).str("id")
	item := c.want(201, admin, "POST", "/api/v1/items", map[string]any{"customer_id": cust, "category_id": "8", "title": "玉璧"}).str("id")

	photo := mediatest.JPEG(t, 900, 600, 1)
	r := c.want(201, admin, "POST", "/api/v1/media/uploads", map[string]any{"owner_type": "item", "owner_id": item,
		"kind": "image", "role": "front", "filename": "jade.jpg", "content_type": "image/jpeg", "size": len(photo)})
	id := r.str("media", "id")

	// Before the PUT: nothing to process yet.
	c.want(409, admin, "POST", "/api/v1/media/"+id+"/complete", nil)

	up := r.body["upload"].(map[string]any)
	req, _ := http.NewRequest(up["method"].(string), up["url"].(string), bytes.NewReader(photo))
	for k, v := range up["headers"].(map[string]any) {
		req.Header.Set(k, v.(string))
	}
	// COS_ENDPOINT rewrites the URL's host to the fake; the bucket travels in the Host header,
	// as the store's own requests carry it.
	req.Host = fake.Host
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("PUT to the presigned URL: %v %v", resp, err)
	}
	resp.Body.Close()

	// Uploaded, but nobody told this process: it stays pending.
	time.Sleep(300 * time.Millisecond)
	if s := c.want(200, admin, "GET", "/api/v1/media/"+id, nil).str("status"); s != "PENDING_UPLOAD" {
		t.Fatalf("status %s before the complete call", s)
	}
	c.want(200, admin, "POST", "/api/v1/media/"+id+"/complete", nil)
	done := settle(t, c, admin, id)
	if done.str("status") != "READY" || done.str("width") != "900" {
		t.Fatalf("after complete: %s", done.raw)
	}
	// Idempotent: completing a finished file changes nothing.
	if s := c.want(200, admin, "POST", "/api/v1/media/"+id+"/complete", nil).str("status"); s != "READY" {
		t.Errorf("second complete: %s", s)
	}
	c.want(404, admin, "POST", "/api/v1/media/999999/complete", nil)
	c.want(201, admin, "POST", "/api/v1/admin/users", map[string]any{"username": "viewer1", "password": "viewer-password-1", "role": 6, "display_name": "只读"})
	c.want(403, c.login("viewer1", "viewer-password-1"), "POST", "/api/v1/media/"+id+"/complete", nil)
}
