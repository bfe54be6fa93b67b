package mysql_test

import (
	"context"
	"testing"
	"time"

	"github.com/jianbao/admin/shared/appraisal"
	"github.com/jianbao/admin/shared/testenv"
)

// TestDashboard: intake and completions fall on China Standard Time days (an order at 23:30 UTC
// is the next day's), only completed orders count as completions (migration 0013's rollups), each expert's median
// turnaround is the middle one of an odd count and the mean of the middle two of an even one,
// and the status counts are order_counts'.
func TestDashboard(t *testing.T) {
	forEachBackend(t, func(t *testing.T, d *testenv.Database) {
		ctx := context.Background()
		s := migrated(t, d)
		searchCorpus(t, s) // 90 orders, ids 1..90
		var experts []int64
		for _, name := range []string{"e1", "e2"} {
			u := &appraisal.User{Username: name, PasswordHash: "h", Role: appraisal.RoleExpert}
			if err := s.CreateUser(ctx, u, sys); err != nil {
				t.Fatal(err)
			}
			e := &appraisal.Expert{UserID: u.ID, Name: name, Capacity: 5, Active: true}
			if err := s.CreateExpert(ctx, e, sys); err != nil {
				t.Fatal(err)
			}
			experts = append(experts, e.ID)
		}
		// 2026-11-10 00:00 CST is 2026-11-09 16:00 UTC.
		day := time.Date(2026, 11, 9, 16, 0, 0, 0, time.UTC)
		set := func(id int64, created time.Time, status string, expert any, hours float64) {
			var completed any
			if hours > 0 {
				completed = created.Add(time.Duration(hours * float64(time.Hour)))
			}
			if _, err := d.DB.Exec("UPDATE orders SET created_at = ?, status = ?, assignee_expert_id = ?, completed_at = ? WHERE id = ?",
				created, status, expert, completed, id); err != nil {
				t.Fatal(err)
			}
		}
		for id := int64(1); id <= 90; id++ {
			set(id, day.AddDate(0, 0, -40), "SUBMITTED", nil, 0) // before the range
		}
		set(1, day.Add(30*time.Minute), "COMPLETED", experts[0], 10)            // 11-10, done 11-10
		set(2, day.Add(-30*time.Minute), "COMPLETED", experts[0], 20)           // 11-09 (23:30 CST), done 11-10
		set(3, day.Add(7*time.Hour), "CERT_ISSUED", experts[0], 30)             // 11-10, done 11-11
		set(4, day.Add(24*time.Hour), "COMPLETED", experts[1], 2)               // 11-11
		set(5, day.Add(24*time.Hour+time.Minute), "CERT_ISSUED", experts[1], 4) // 11-11
		set(6, day.Add(25*time.Hour), "IN_REVIEW", experts[1], 0)               // 11-11, open
		set(7, day.Add(26*time.Hour), "CANCELLED", nil, 1)                      // 11-11, not a completion
		// The rows were changed behind the store's back: the rollups are rebuilt as 0013 built them.
		for _, q := range []string{"DELETE FROM order_counts", "DELETE FROM order_days",
			"INSERT INTO order_counts (status, shard, n) SELECT status, 0, COUNT(*) FROM orders GROUP BY status",
			"INSERT INTO order_days (day, shard, intake, completed) SELECT DATE(DATE_ADD(created_at, INTERVAL 8 HOUR)) AS d, 0, COUNT(*), 0 FROM orders GROUP BY d",
			`INSERT INTO order_days (day, shard, intake, completed) SELECT DATE(DATE_ADD(completed_at, INTERVAL 8 HOUR)) AS d, 1, 0, COUNT(*) FROM orders
  WHERE completed_at IS NOT NULL AND status IN ('COMPLETED', 'CERT_ISSUED') GROUP BY d`} {
			if _, err := d.DB.Exec(q); err != nil {
				t.Fatal(err)
			}
		}

		from := day.AddDate(0, 0, -1)
		got, err := s.Dashboard(ctx, day.AddDate(0, 0, 3), from, day.AddDate(0, 0, 2))
		if err != nil {
			t.Fatal(err)
		}
		want := []appraisal.DayCount{{Date: "2026-11-09", Intake: 1}, {Date: "2026-11-10", Intake: 2, Completed: 2}, {Date: "2026-11-11", Intake: 4, Completed: 3}}
		if len(got.Daily) != len(want) {
			t.Fatalf("daily %+v", got.Daily)
		}
		for i := range want {
			if got.Daily[i] != want[i] {
				t.Errorf("day %d: %+v, want %+v", i, got.Daily[i], want[i])
			}
		}
		medians := map[int64][2]float64{experts[0]: {3, 20}, experts[1]: {2, 3}}
		for _, e := range got.Experts {
			w := medians[e.ExpertID]
			if float64(e.Completed) != w[0] || e.MedianTurnaroundHours < w[1]-1e-6 || e.MedianTurnaroundHours > w[1]+1e-6 {
				t.Errorf("expert %s: %d completed, median %vh; want %v", e.Name, e.Completed, e.MedianTurnaroundHours, w)
			}
		}
		if len(got.Experts) != 2 {
			t.Errorf("experts %+v", got.Experts)
		}
		if got.OrdersByStatus[appraisal.StatusSubmitted] != 83 || got.OrdersByStatus[appraisal.StatusCompleted] != 3 {
			t.Errorf("by status %v", got.OrdersByStatus)
		}
	})
}
