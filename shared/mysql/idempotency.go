package mysql

import (
	"context"
	"time"

	"github.com/jianbao/admin/shared/appraisal"
)

var _ appraisal.IdempotencyStore = (*Store)(nil)

// BeginIdempotent implements appraisal.IdempotencyStore. The primary key (user, key) makes the
// reservation atomic: of two concurrent requests with one key, one inserts and the other finds it.
func (s *Store) BeginIdempotent(ctx context.Context, userID int64, key, operation, requestHash string) (int, []byte, error) {
	res, err := s.db.ExecContext(ctx, `INSERT IGNORE INTO idempotency_keys (user_id, idem_key, operation, request_hash, status, response, created_at)
  VALUES (?, ?, ?, ?, 0, '', ?)`, userID, key, operation, requestHash, now())
	if err != nil {
		return 0, nil, dbErr(err, "idempotency key")
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return 0, nil, nil
	}
	var op, hash, body string
	var status int
	if err := s.db.QueryRowContext(ctx, "SELECT operation, request_hash, status, response FROM idempotency_keys WHERE user_id = ? AND idem_key = ?",
		userID, key).Scan(&op, &hash, &status, &body); err != nil {
		return 0, nil, dbErr(err, "idempotency key")
	}
	switch {
	case op != operation || hash != requestHash:
		return 0, nil, appraisal.E(appraisal.KindConflict, "idempotency.key_reused", "this Idempotency-Key was used for a different request")
	case status == 0:
		return 0, nil, appraisal.E(appraisal.KindConflict, "idempotency.in_progress", "a request with this Idempotency-Key is still in progress")
	}
	return status, []byte(body), nil
}

// FinishIdempotent implements appraisal.IdempotencyStore.
func (s *Store) FinishIdempotent(ctx context.Context, userID int64, key string, status int, body []byte) error {
	_, err := s.db.ExecContext(ctx, "UPDATE idempotency_keys SET status = ?, response = ? WHERE user_id = ? AND idem_key = ?", status, string(body), userID, key)
	return dbErr(err, "idempotency key")
}

// AbandonIdempotent implements appraisal.IdempotencyStore.
func (s *Store) AbandonIdempotent(ctx context.Context, userID int64, key string) error {
	_, err := s.db.ExecContext(ctx, "DELETE FROM idempotency_keys WHERE user_id = ? AND idem_key = ? AND status = 0", userID, key)
	return dbErr(err, "idempotency key")
}

// PruneIdempotency forgets keys older than before: a client retries within minutes, not days.
func (s *Store) PruneIdempotency(ctx context.Context, before time.Time) (int64, error) {
	res, err := s.db.ExecContext(ctx, "DELETE FROM idempotency_keys WHERE created_at < ?", before.UTC())
	if err != nil {
		return 0, dbErr(err, "idempotency keys")
	}
	return res.RowsAffected()
}
