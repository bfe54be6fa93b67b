package mysql

import (
	"context"
	"math/rand/v2"
	"time"

	"github.com/jianbao/admin/shared/appraisal"
)

// The rollups: order_counts (orders per status) and order_days (intake and completions per
// day), kept in the transaction of every write that creates an order or changes its status, so
// lists and the dashboard count by reading a few rows (0013_scale.sql). A test checks after every
// API test that they still add up to the orders.

// orderState is what the rollups count of one order.
type orderState struct {
	status    appraisal.Status // "" for an order that did not exist
	created   time.Time
	completed *time.Time
}

// completedOn is the China Standard Time day the order counts as completed on, if it does.
func (s orderState) completedOn() string {
	if s.completed == nil || s.status != appraisal.StatusCompleted && s.status != appraisal.StatusCertIssued {
		return ""
	}
	return cstDay(*s.completed)
}

func cstDay(t time.Time) string { return t.In(cst).Format("2006-01-02") }

// rollupShards is how many rows share each count. A writer adds to one, chosen at random, and
// holds its lock until COMMIT (callers write the rollups last); with 16 (what migration 0013's
// comment says) creates under load waited on each other a third of their time, measured with 16
// concurrent clients; with 64 the collisions are rare. Readers sum the rows, however many.
const rollupShards = 64

// rollup moves one order from before to after in the rollups, in one shard (rollupShards).
func rollup(ctx context.Context, tx execer, before, after orderState) error {
	shard := rand.IntN(rollupShards)
	if before.status != after.status {
		q, args := "INSERT INTO order_counts (status, shard, n) VALUES (?, ?, 1)", []any{string(after.status), shard}
		if before.status != "" {
			q, args = q+", (?, ?, -1)", append(args, string(before.status), shard)
		}
		if _, err := tx.ExecContext(ctx, q+" ON DUPLICATE KEY UPDATE n = n + VALUES(n)", args...); err != nil {
			return dbErr(err, "order counts")
		}
	}
	var rows []any
	if before.status == "" {
		rows = append(rows, cstDay(after.created), shard, 1, 0)
	}
	if was, is := before.completedOn(), after.completedOn(); was != is {
		if was != "" {
			rows = append(rows, was, shard, 0, -1)
		}
		if is != "" {
			rows = append(rows, is, shard, 0, 1)
		}
	}
	if len(rows) == 0 {
		return nil
	}
	q := "INSERT INTO order_days (day, shard, intake, completed) VALUES (?, ?, ?, ?)"
	for i := 4; i < len(rows); i += 4 {
		q += ", (?, ?, ?, ?)"
	}
	_, err := tx.ExecContext(ctx, q+" ON DUPLICATE KEY UPDATE intake = intake + VALUES(intake), completed = completed + VALUES(completed)", rows...)
	return dbErr(err, "order days")
}
