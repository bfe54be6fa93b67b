package mysql

import (
	"context"
	"time"

	"github.com/jianbao/admin/shared/appraisal"
)

var _ appraisal.StatsStore = (*Store)(nil)

// cst is China Standard Time; dates on the dashboard are the staff's dates.
var cst = appraisal.Shanghai

// Dashboard implements appraisal.StatsStore. The counts come from the rollups (order_counts,
// order_days: a few rows per status and day); the experts' medians are aggregated in SQL from
// idx_orders_completed, which holds every column they read, so their cost follows the range's
// completions, not the table. Days are China Standard Time days: UTC+8, no daylight saving.
func (s *Store) Dashboard(ctx context.Context, t, from, to time.Time) (*appraisal.Dashboard, error) {
	d := &appraisal.Dashboard{GeneratedAt: t.UTC(), OrdersByStatus: map[appraisal.Status]int{}, From: from.UTC(), To: to.UTC()}
	for _, st := range appraisal.Statuses {
		d.OrdersByStatus[st] = 0
	}
	err := s.each(ctx, "SELECT status, SUM(n) FROM order_counts GROUP BY status", nil, func(r interface{ Scan(...any) error }) error {
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
	err = s.each(ctx, `SELECT DATE_FORMAT(day, '%Y-%m-%d'), SUM(intake), SUM(completed) FROM order_days
  WHERE day >= ? AND day < ? GROUP BY day`, []any{start.Format("2006-01-02"), to.In(cst).Format("2006-01-02")},
		func(r interface{ Scan(...any) error }) error {
			var day string
			var intake, completed int
			if err := r.Scan(&day, &intake, &completed); err != nil {
				return err
			}
			if dc := days[day]; dc != nil {
				dc.Intake, dc.Completed = intake, completed
			}
			return nil
		})
	if err != nil {
		return nil, err
	}

	// Each expert's completions and median turnaround: the middle row (or the two middle rows)
	// of their completions ordered by turnaround.
	type turnaround struct {
		n      int
		median float64
	}
	byExpert := map[int64]turnaround{}
	err = s.each(ctx, `SELECT e, MAX(c), AVG(h) FROM (
  SELECT e, h, ROW_NUMBER() OVER (PARTITION BY e ORDER BY h) AS r, COUNT(*) OVER (PARTITION BY e) AS c FROM (
    SELECT assignee_expert_id AS e, TIMESTAMPDIFF(MICROSECOND, created_at, completed_at) / 3600000000 AS h
    FROM orders WHERE completed_at >= ? AND completed_at < ? AND status IN ('COMPLETED', 'CERT_ISSUED') AND assignee_expert_id IS NOT NULL
  ) t
) x WHERE r = FLOOR((c + 1) / 2) OR r = FLOOR(c / 2) + 1 GROUP BY e`, []any{start.UTC(), to.UTC()}, func(r interface{ Scan(...any) error }) error {
		var e int64
		var ta turnaround
		if err := r.Scan(&e, &ta.n, &ta.median); err != nil {
			return err
		}
		byExpert[e] = ta
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
		ta := byExpert[e.ID]
		d.Experts = append(d.Experts, appraisal.ExpertLoad{ExpertID: e.ID, Name: e.Name, OpenOrders: e.OpenOrders,
			Capacity: e.Capacity, Completed: ta.n, MedianTurnaroundHours: ta.median})
	}
	return d, nil
}
