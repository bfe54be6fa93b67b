package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"
)

// DashboardCacheKey is the dashboard's cache entry; every order write deletes it, so a read after
// a write is never stale, and the TTL bounds staleness from anything else.
const DashboardCacheKey = "dashboard:v1"

// DashboardTTL is how long a computed dashboard is served from the cache.
const DashboardTTL = 30 * time.Second

type dayView struct {
	Date      string `json:"date" example:"2026-11-25"`
	Intake    int    `json:"intake"`
	Completed int    `json:"completed"`
}

type expertLoadView struct {
	ExpertID              string  `json:"expert_id"`
	Name                  string  `json:"name"`
	OpenOrders            int     `json:"open_orders"`
	Capacity              int     `json:"capacity"`
	CompletedLast30Days   int     `json:"completed_last_30_days"`
	MedianTurnaroundHours float64 `json:"median_turnaround_hours" doc:"From order creation to completion"`
}

type dashboardBody struct {
	GeneratedAt    time.Time        `json:"generated_at"`
	OrdersByStatus map[string]int   `json:"orders_by_status"`
	Daily          []dayView        `json:"daily" doc:"The last 30 days, oldest first (Asia/Shanghai dates)"`
	SLABreaches    int              `json:"sla_breaches" doc:"Open orders past their SLA"`
	Experts        []expertLoadView `json:"experts"`
	Media          mediaStatsView   `json:"media" doc:"Photos and videos processed in the last 30 days"`
}

type mediaStatsView struct {
	Ready       int     `json:"ready"`
	Rejected    int     `json:"rejected"`
	Failed      int     `json:"failed"`
	SuccessRate float64 `json:"success_rate" doc:"ready / (ready + rejected + failed); 1 when nothing was processed"`
}

type dashboardOutput struct {
	Body dashboardBody
}

var statsTags = []string{"stats"}

// statsRoutes is the group as a list of routes, one handler maker per operation.
func statsRoutes(d *Deps) []route {
	return []route{dashboardGet(d)}
}

func dashboardGet(d *Deps) route {
	return handle(huma.Operation{
		OperationID: "dashboard.get", Method: http.MethodGet, Path: "/api/v1/dashboard", Tags: statsTags,
		Summary:     "Orders by status, 30-day intake and completions, SLA breaches, expert workload",
		Description: "Cached for 30 seconds and invalidated by every order change.",
	}, func(ctx context.Context, _ *struct{}) (*dashboardOutput, error) {
		if d.Cache != nil {
			if b, ok, err := d.Cache.Get(ctx, DashboardCacheKey); err == nil && ok {
				var body dashboardBody
				if json.Unmarshal(b, &body) == nil {
					return &dashboardOutput{Body: body}, nil
				}
			} else if err != nil {
				d.Log.WarnContext(ctx, "dashboard cache unavailable", "err", err)
			}
		}
		dash, err := d.Store.Dashboard(ctx, time.Now())
		if err != nil {
			return nil, err
		}
		body := dashboardBody{GeneratedAt: dash.GeneratedAt, OrdersByStatus: map[string]int{}, SLABreaches: dash.SLABreaches,
			Daily: []dayView{}, Experts: []expertLoadView{}}
		body.Media = mediaStatsView{Ready: dash.MediaReady, Rejected: dash.MediaRejected, Failed: dash.MediaFailed,
			SuccessRate: dash.MediaSuccessRate()}
		for st, n := range dash.OrdersByStatus {
			body.OrdersByStatus[string(st)] = n
		}
		for _, dc := range dash.Daily {
			body.Daily = append(body.Daily, dayView{Date: dc.Date, Intake: dc.Intake, Completed: dc.Completed})
		}
		for _, e := range dash.Experts {
			body.Experts = append(body.Experts, expertLoadView{ExpertID: formatID(e.ExpertID), Name: e.Name, OpenOrders: e.OpenOrders,
				Capacity: e.Capacity, CompletedLast30Days: e.CompletedLast30Days, MedianTurnaroundHours: e.MedianTurnaroundHours})
		}
		if d.Cache != nil {
			if b, err := json.Marshal(body); err == nil {
				if err := d.Cache.Set(ctx, DashboardCacheKey, b, DashboardTTL); err != nil {
					d.Log.WarnContext(ctx, "dashboard cache unavailable", "err", err)
				}
			}
		}
		return &dashboardOutput{Body: body}, nil
	})
}
