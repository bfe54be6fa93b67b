// Package loadtest seeds a running server with realistic data through its API, for the
// benchmarks and the wrk load script. Seeding through the API keeps the data exactly what
// production would hold.
package loadtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
)

// Seeded is what a load run needs.
type Seeded struct {
	Token    string // an operator's access token
	OrderIDs []string
	Username string
	Password string
}

type client struct {
	base string
	http *http.Client
}

func (c *client) call(tok, method, path string, body any, out any) error {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		return fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, b)
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}

func (c *client) login(user, pw string) (string, error) {
	var out struct {
		AccessToken string `json:"access_token"`
	}
	err := c.call("", "POST", "/api/v1/auth/login", map[string]string{"username": user, "password": pw}, &out)
	return out.AccessToken, err
}

// Seed creates an operator and n orders (over 50 customers and items, in every category and
// product) and moves some of them along the flow.
func Seed(base, adminPassword string, n int) (*Seeded, error) {
	c := &client{base: base, http: &http.Client{}}
	admin, err := c.login("admin", adminPassword)
	if err != nil {
		return nil, err
	}
	s := &Seeded{Username: "bench-operator", Password: "bench-operator-password"}
	if err := c.call(admin, "POST", "/api/v1/admin/users", map[string]any{"username": s.Username, "password": s.Password, "role": 3}, nil); err != nil {
		return nil, err
	}
	if s.Token, err = c.login(s.Username, s.Password); err != nil {
		return nil, err
	}
	var items []string
	for i := 0; i < 50; i++ {
		var cust, item struct{ ID string }
		if err := c.call(s.Token, "POST", "/api/v1/customers", map[string]any{"name": fmt.Sprintf("客户%02d", i), "phone": fmt.Sprintf("1380000%04d", i)}, &cust); err != nil {
			return nil, err
		}
		cat := fmt.Sprint(8 + i%10)
		if err := c.call(s.Token, "POST", "/api/v1/items", map[string]any{"customer_id": cust.ID, "category_id": cat,
			"title": fmt.Sprintf("青花瓷瓶 %d 号", i), "declared_value_fen": 100000 * (i + 1)}, &item); err != nil {
			return nil, err
		}
		items = append(items, item.ID)
	}
	ids := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4)
	for i := 0; i < n; i++ {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			var o struct {
				ID      string
				Version int64
			}
			if errs[i] = c.call(s.Token, "POST", "/api/v1/orders", map[string]any{"item_id": items[i%len(items)],
				"product_id": fmt.Sprint(1 + i%3), "note": "load test"}, &o); errs[i] != nil {
				return
			}
			ids[i] = o.ID
			if i%2 == 0 {
				errs[i] = c.call(s.Token, "POST", "/api/v1/orders/"+o.ID+"/triage", map[string]any{"version": o.Version}, nil)
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	s.OrderIDs = ids
	return s, nil
}
