package mysql

import (
	"context"
	"sort"
	"time"

	"github.com/jianbao/admin/shared/appraisal"
)

var _ appraisal.StatsStore = (*Store)(nil)

// cst is China Standard Time; dates on the dashboard are the staff's dates.
var cst = appraisal.Shanghai

// Dashboard implements appraisal.StatsStore. Aggregation that the engines disagree on (medians,
// dates of day boundaries) is done in Go from plain rows.
func (s *Store) Dashboard(ctx context.Context, t, from, to time.Time) (*appraisal.Dashboard, error) {
	d := &appraisal.Dashboard{GeneratedAt: t.UTC(), OrdersByStatus: map[appraisal.Status]int{}, From: from.UTC(), To: to.UTC()}
	for _, st := range appraisal.Statuses {
		d.OrdersByStatus[st] = 0
	}
	err := s.each(ctx, "SELECT status, COUNT(*) FROM orders GROUP BY status", nil, func(r interface{ Scan(...any) error }) error {
		var st string
		var n int
		if err := r.Scan(&st, &n); err != nil {
			return err
		}
		d.OrdersByStatus[appraisal.Status(st)] = n
		return nil
	})
	if err != nil {
		return nil, err
	}

	start := from.In(cst)
	days := map[string]*appraisal.DayCount{}
	for day := start; day.Before(to); day = day.AddDate(0, 0, 1) {
		d.Daily = append(d.Daily, appraisal.DayCount{Date: day.Format("2006-01-02")})
	}
	for i := range d.Daily {
		days[d.Daily[i].Date] = &d.Daily[i]
	}
	err = s.each(ctx, "SELECT created_at FROM orders WHERE created_at >= ? AND created_at < ?", []any{start.UTC(), to.UTC()}, func(r interface{ Scan(...any) error }) error {
		var c time.Time
		if err := r.Scan(&c); err != nil {
			return err
		}
		if dc := days[c.In(cst).Format("2006-01-02")]; dc != nil {
			dc.Intake++
		}
		return nil
	})
	if err != nil {
		return nil, err
	}

	turnaround := map[int64][]float64{}
	err = s.each(ctx, `SELECT assignee_expert_id, created_at, completed_at FROM orders
  WHERE completed_at >= ? AND completed_at < ? AND status IN ('COMPLETED', 'CERT_ISSUED')`, []any{start.UTC(), to.UTC()}, func(r interface{ Scan(...any) error }) error {
		var expert *int64
		var created, completed time.Time
		if err := r.Scan(&expert, &created, &completed); err != nil {
			return err
		}
		if dc := days[completed.In(cst).Format("2006-01-02")]; dc != nil {
			dc.Completed++
		}
		if expert != nil {
			turnaround[*expert] = append(turnaround[*expert], completed.Sub(created).Hours())
		}
		return nil
	})
	if err != nil {
		return nil, err
	}

	breach := &where{}
	breach.add("status IN ("+placeholders(len(openStatuses))+") AND sla_paused_at IS NULL AND sla_due_at < ?", append(append([]any{}, openStatuses...), t.UTC())...)
	if d.SLABreaches, err = s.count(ctx, "orders", breach); err != nil {
		return nil, err
	}

	ms, err := s.MediaStats(ctx, start.UTC(), to.UTC())
	if err != nil {
		return nil, err
	}
	d.MediaReady, d.MediaRejected, d.MediaFailed = ms[appraisal.MediaReady], ms[appraisal.MediaRejected], ms[appraisal.MediaFailed]

	experts, err := s.Experts(ctx, 0)
	if err != nil {
		return nil, err
	}
	for _, e := range experts {
		ts := turnaround[e.ID]
		d.Experts = append(d.Experts, appraisal.ExpertLoad{ExpertID: e.ID, Name: e.Name, OpenOrders: e.OpenOrders,
			Capacity: e.Capacity, Completed: len(ts), MedianTurnaroundHours: median(ts)})
	}
	return d, nil
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if n := len(s); n%2 == 1 {
		return s[n/2]
	} else {
		return (s[n/2-1] + s[n/2]) / 2
	}
}
