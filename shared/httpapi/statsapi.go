package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/jianbao/admin/shared/appraisal"
)

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
	Completed             int     `json:"completed" doc:"Orders they completed in the range"`
	MedianTurnaroundHours float64 `json:"median_turnaround_hours" doc:"From order creation to completion"`
}

type dashboardBody struct {
	GeneratedAt    time.Time        `json:"generated_at"`
	OrdersByStatus map[string]int   `json:"orders_by_status"`
	From           string           `json:"from" doc:"The first day of the range (Asia/Shanghai)" example:"2026-11-01"`
	To             string           `json:"to" doc:"The last day of the range, included" example:"2026-11-30"`
	Daily          []dayView        `json:"daily" doc:"Each day of the range, oldest first (Asia/Shanghai dates)"`
	SLABreaches    int              `json:"sla_breaches" doc:"Open orders past their SLA"`
	Experts        []expertLoadView `json:"experts"`
	Media          mediaStatsView   `json:"media" doc:"Photos and videos uploaded in the range, by outcome"`
}

type mediaStatsView struct {
	Ready       int     `json:"ready"`
	Rejected    int     `json:"rejected"`
	Failed      int     `json:"failed"`
	SuccessRate float64 `json:"success_rate" doc:"ready / (ready + rejected + failed); 1 when nothing was processed"`
}

type dashboardInput struct {
	From string `query:"from" doc:"The first day (YYYY-MM-DD, Asia/Shanghai); default 30 days before to"`
	To   string `query:"to" doc:"The last day, included (YYYY-MM-DD, Asia/Shanghai); default today"`
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
		Summary: "Orders by status, daily intake and completions, SLA breaches, expert workload",
		Description: "For the last 30 days unless from/to (Asia/Shanghai dates, to included; at most 92 days) say otherwise. " +
			"Cached for 30 seconds; the default range is also invalidated by every order change.",
		Errors: []int{http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *dashboardInput) (*dashboardOutput, error) {
		var from, to time.Time
		var err error
		if from, err = parseTime("from", in.From); err != nil {
			return nil, err
		}
		if to, err = parseTime("to", in.To); err != nil {
			return nil, err
		}
		if !to.IsZero() {
			to = to.AddDate(0, 0, 1) // the last day is included
		}
		dash, err := d.Stats.Dashboard(ctx, from, to)
		if err != nil {
			return nil, err
		}
		body := dashboardBody{GeneratedAt: dash.GeneratedAt, From: dash.From.In(appraisal.Shanghai).Format("2006-01-02"), To: dash.To.In(appraisal.Shanghai).AddDate(0, 0, -1).Format("2006-01-02"), OrdersByStatus: map[string]int{}, SLABreaches: dash.SLABreaches,
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
				Capacity: e.Capacity, Completed: e.Completed, MedianTurnaroundHours: e.MedianTurnaroundHours})
		}
		return &dashboardOutput{Body: body}, nil
	})
}
