//go:build cloud

package main

import (
	"net/http"
	"os"
	"sync"
	"testing"

	"github.com/jianbao/admin/functions/internal/apitest"
	"github.com/jianbao/admin/shared/media/mediatest"
)

// TestOnTheCloud walks the product through what scripts/test-cloud deployed on the local Tencent
// Cloud: the API functions behind the custom domain, each answer checked against the committed
// OpenAPI document; then a photo and a video uploaded through presigned COS URLs, which the COS
// trigger hands to media-image and media-video (FFmpeg from the layer at /opt) until both are
// READY. Built only with -tags cloud: it needs the deployment scripts/test-cloud makes.
func TestOnTheCloud(t *testing.T) {
	base, adminPW, public := os.Getenv("CLOUD_API_URL"), os.Getenv("CLOUD_ADMIN_PASSWORD"), os.Getenv("CLOUD_PUBLIC_BASE_URL")
	if base == "" || adminPW == "" || public == "" {
		t.Fatal("CLOUD_API_URL, CLOUD_ADMIN_PASSWORD and CLOUD_PUBLIC_BASE_URL are set by scripts/test-cloud")
	}
	spec, err := os.ReadFile("../../console/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	c := &apiClient{t: t, base: base, check: apitest.FromDocument(t, base, spec)}
	// The flow's review rules, as TestEndToEnd's environment sets them: high values reviewed,
	// nothing sampled. Here they are the deployment's run-time settings.
	c.want(200, c.login("admin", adminPW), "PATCH", "/api/v1/admin/settings", map[string]any{"values": map[string]string{
		"review.sample_rate": "0", "review.value_threshold_fen": "1000000"}})
	endToEnd(t, c, adminPW, public)

	admin := c.login("admin", adminPW)
	cust := c.want(201, admin, "POST", "/api/v1/customers", map[string]any{"name": "云上客户"}).str("id")
	item := c.want(201, admin, "POST", "/api/v1/items", map[string]any{"customer_id": cust, "category_id": "8", "title": "云上青花盘"}).str("id")
	photo := upload(t, c, admin, item, "image", "image/jpeg", "云上.jpg", mediatest.JPEG(t, 1200, 800, 6))
	ffmpeg, _ := mediatest.Tools(t)
	clip, err := os.ReadFile(mediatest.PhoneClip(t, ffmpeg, t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	video := upload(t, c, admin, item, "video", "video/quicktime", "云上.MOV", clip)
	for name, id := range map[string]string{"photo": photo, "video": video} {
		if r := settle(t, c, admin, id); r.str("status") != "READY" || len(renditions(r)) == 0 {
			t.Errorf("the %s did not become READY through the COS trigger: %s", name, r.raw)
		}
	}

	burstBeyondReservedConcurrency(t, base, admin, func() { c.login("admin", adminPW) })
}

// burstBeyondReservedConcurrency sends api-stats (reserved concurrency 10: at most 10 instances,
// 10 MySQL connections) four times that many requests at once. The ones beyond its instances are
// throttled, 429, and none fails otherwise; a login in the middle of the burst is served, because
// api-auth's instances are its own.
func burstBeyondReservedConcurrency(t *testing.T, base, token string, login func()) {
	const n = 40
	statuses := make(chan int, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			req, _ := http.NewRequest("GET", base+"/api/v1/dashboard", nil)
			req.Header.Set("Authorization", "Bearer "+token)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			statuses <- resp.StatusCode
		}()
	}
	close(start)
	login() // fails the test unless it is answered 200 during the burst
	wg.Wait()
	close(statuses)
	count := map[int]int{}
	for s := range statuses {
		count[s]++
	}
	if count[http.StatusTooManyRequests] == 0 || count[http.StatusOK] == 0 || count[http.StatusOK]+count[http.StatusTooManyRequests] != n {
		t.Errorf("a burst of %d against a reserved concurrency of 10: %v (want 200s and 429s, nothing else)", n, count)
	}
}
