package mysql

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"time"

	"github.com/jianbao/admin/shared/appraisal"
)

var _ appraisal.MediaStore = (*Store)(nil)

const mediaColumns = `id, owner_type, owner_id, kind, role, object_key, filename, content_type, size, status, reason, attempts,
  lease_owner, lease_until, sha256, width, height, duration_ms, renditions, created_by, created_at, updated_at, processed_at, deleted_at,
  reason_code, original_etag, original_removed_at`

func scanMedia(r interface{ Scan(...any) error }) (*appraisal.Media, error) {
	var m appraisal.Media
	var kind, status string
	var lease, processed, deleted, removed sql.NullTime
	var rends sql.NullString
	var by sql.NullInt64
	if err := r.Scan(&m.ID, &m.OwnerType, &m.OwnerID, &kind, &m.Role, &m.Key, &m.Filename, &m.ContentType, &m.Size, &status,
		&m.Reason, &m.Attempts, &m.LeaseOwner, &lease, &m.SHA256, &m.Width, &m.Height, &m.DurationMS, &rends, &by,
		&m.CreatedAt, &m.UpdatedAt, &processed, &deleted, &m.ReasonCode, &m.OriginalETag, &removed); err != nil {
		return nil, err
	}
	m.Kind, m.Status, m.CreatedBy = appraisal.MediaKind(kind), appraisal.MediaStatus(status), by.Int64
	if lease.Valid {
		m.LeaseUntil = &lease.Time
	}
	if processed.Valid {
		m.ProcessedAt = &processed.Time
	}
	if deleted.Valid {
		m.DeletedAt = &deleted.Time
	}
	if removed.Valid {
		m.OriginalRemovedAt = &removed.Time
	}
	m.Renditions = []appraisal.Rendition{}
	if rends.Valid && rends.String != "" {
		if err := json.Unmarshal([]byte(rends.String), &m.Renditions); err != nil {
			return nil, err
		}
	}
	return &m, nil
}

func mediaSnapshot(m *appraisal.Media) map[string]any {
	return map[string]any{"id": m.ID, "owner_type": m.OwnerType, "owner_id": m.OwnerID, "kind": m.Kind, "role": m.Role,
		"key": m.Key, "filename": m.Filename, "size": m.Size, "status": m.Status}
}

// CreateMedia implements appraisal.MediaStore. Without a key the row gets a placeholder until
// SetMediaKey, because the real key is derived from the id.
func (s *Store) CreateMedia(ctx context.Context, m *appraisal.Media, a appraisal.AuditEntry) error {
	t := now()
	if m.Key == "" {
		m.Key = "pending/" + randomToken(24)
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO media (owner_type, owner_id, kind, role, object_key, filename, content_type, size, status,
  created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			m.OwnerType, m.OwnerID, string(m.Kind), m.Role, m.Key, truncate(m.Filename, 255), m.ContentType, m.Size, string(m.Status),
			nullID(m.CreatedBy), t, t)
		if err != nil {
			return dbErr(err, "media")
		}
		m.ID, _ = res.LastInsertId()
		m.CreatedAt, m.UpdatedAt, m.Renditions = t, t, []appraisal.Rendition{}
		a.TargetID, a.After = formatID(m.ID), mediaSnapshot(m)
		return insertAudit(ctx, tx, a)
	})
}

// SetMediaKey implements appraisal.MediaStore.
func (s *Store) SetMediaKey(ctx context.Context, id int64, key string) error {
	_, err := s.db.ExecContext(ctx, "UPDATE media SET object_key = ?, updated_at = ? WHERE id = ?", key, now(), id)
	return dbErr(err, "media")
}

// Media implements appraisal.MediaStore.
func (s *Store) Media(ctx context.Context, id int64) (*appraisal.Media, error) {
	m, err := scanMedia(s.db.QueryRowContext(ctx, "SELECT "+mediaColumns+" FROM media WHERE id = ?", id))
	return m, dbErr(err, "media")
}

// MediaByKey implements appraisal.MediaStore.
func (s *Store) MediaByKey(ctx context.Context, key string) (*appraisal.Media, error) {
	m, err := scanMedia(s.db.QueryRowContext(ctx, "SELECT "+mediaColumns+" FROM media WHERE object_key = ?", key))
	return m, dbErr(err, "media")
}

// scopeMedia is the SQL condition (on media m) that keeps a scope's files: all of them, or those
// of the orders assigned to the scope's expert and of those orders' items. It is the only place
// the visibility of a file is decided in SQL.
func scopeMedia(sc appraisal.Scope) (string, []any) {
	if sc.All {
		return "1=1", nil
	}
	return `((m.owner_type = 'order' AND EXISTS (SELECT 1 FROM orders o WHERE o.id = m.owner_id AND o.assignee_expert_id = ?))
   OR (m.owner_type = 'item' AND EXISTS (SELECT 1 FROM orders o WHERE o.item_id = m.owner_id AND o.assignee_expert_id = ?)))`,
		[]any{sc.ExpertID, sc.ExpertID}
}

// VisibleMedia implements appraisal.MediaAccess.
func (s *Store) VisibleMedia(ctx context.Context, sc appraisal.Scope, id int64) (*appraisal.Media, error) {
	cond, args := scopeMedia(sc)
	m, err := scanMedia(s.db.QueryRowContext(ctx, "SELECT "+mediaColumns+" FROM media m WHERE m.id = ? AND m.deleted_at IS NULL AND "+cond,
		append([]any{id}, args...)...))
	return m, dbErr(err, "media")
}

// ListMedia implements appraisal.MediaAccess: an owner's live files, within the scope.
func (s *Store) ListMedia(ctx context.Context, sc appraisal.Scope, ownerType string, ownerID int64) ([]appraisal.Media, error) {
	cond, args := scopeMedia(sc)
	out := []appraisal.Media{}
	err := s.each(ctx, "SELECT "+mediaColumns+" FROM media m WHERE m.owner_type = ? AND m.owner_id = ? AND m.deleted_at IS NULL AND "+cond+" ORDER BY m.id",
		append([]any{ownerType, ownerID}, args...), func(r interface{ Scan(...any) error }) error {
			m, err := scanMedia(r)
			if err == nil {
				out = append(out, *m)
			}
			return err
		})
	return out, err
}

// MediaOwner implements appraisal.MediaAccess: the owner exists, the scope includes it, and
// whether an issued certificate rests on it.
func (s *Store) MediaOwner(ctx context.Context, sc appraisal.Scope, ownerType string, ownerID int64) (appraisal.MediaOwner, error) {
	o := appraisal.MediaOwner{Type: ownerType, ID: ownerID}
	var q string
	args := []any{ownerID}
	switch ownerType {
	case "order":
		q = `SELECT status = 'CERT_ISSUED' FROM orders WHERE id = ?`
		if !sc.All {
			q += ` AND assignee_expert_id = ?`
			args = append(args, sc.ExpertID)
		}
	case "item":
		q = `SELECT EXISTS (SELECT 1 FROM orders o WHERE o.item_id = i.id AND o.status = 'CERT_ISSUED') FROM items i WHERE i.id = ?`
		if !sc.All {
			q += ` AND EXISTS (SELECT 1 FROM orders o WHERE o.item_id = i.id AND o.assignee_expert_id = ?)`
			args = append(args, sc.ExpertID)
		}
	default:
		return o, appraisal.Invalid(appraisal.FieldError{Field: "owner_type", Code: "not_allowed", Message: "item or order"})
	}
	err := s.db.QueryRowContext(ctx, q, args...).Scan(&o.Frozen)
	return o, dbErr(err, ownerType)
}

// ClaimMedia implements appraisal.MediaStore with one guarded UPDATE, so of two workers (or two
// deliveries of one event) exactly one gets the asset.
func (s *Store) ClaimMedia(ctx context.Context, id int64, worker string, t, leaseUntil time.Time) (bool, *appraisal.Media, error) {
	res, err := s.db.ExecContext(ctx, `UPDATE media SET status = 'PROCESSING', lease_owner = ?, lease_until = ?, attempts = attempts + 1, updated_at = ?
  WHERE id = ? AND deleted_at IS NULL AND (status IN ('PENDING_UPLOAD', 'UPLOADED', 'FAILED') OR (status = 'PROCESSING' AND lease_until < ?))`,
		truncate(worker, 64), leaseUntil.UTC(), t.UTC(), id, t.UTC())
	if err != nil {
		return false, nil, dbErr(err, "media")
	}
	ok, err := affectedOne(res)
	if err != nil {
		return false, nil, dbErr(err, "media")
	}
	m, err := s.Media(ctx, id)
	return ok, m, err
}

// TroubledMedia implements appraisal.MediaAccess.
func (s *Store) TroubledMedia(ctx context.Context, sc appraisal.Scope, statuses []appraisal.MediaStatus, p appraisal.Page) ([]appraisal.Media, int, error) {
	if len(statuses) == 0 {
		return []appraisal.Media{}, 0, nil
	}
	cond, args := scopeMedia(sc)
	in := strings.TrimSuffix(strings.Repeat("?, ", len(statuses)), ", ")
	where := " FROM media m WHERE m.deleted_at IS NULL AND m.status IN (" + in + ") AND " + cond
	var all []any
	for _, st := range statuses {
		all = append(all, string(st))
	}
	all = append(all, args...)
	var total int
	if err := s.db.QueryRowContext(ctx, "SELECT COUNT(*)"+where, all...).Scan(&total); err != nil {
		return nil, 0, dbErr(err, "media")
	}
	out := []appraisal.Media{}
	err := s.each(ctx, "SELECT "+mediaColumns+where+" ORDER BY m.updated_at DESC, m.id DESC LIMIT ? OFFSET ?",
		append(all, p.Limit, p.Offset), func(r interface{ Scan(...any) error }) error {
			m, err := scanMedia(r)
			if err == nil {
				out = append(out, *m)
			}
			return err
		})
	return out, total, err
}

// RenewMediaLease implements appraisal.MediaStore.
func (s *Store) RenewMediaLease(ctx context.Context, id int64, worker string, leaseUntil time.Time) (bool, error) {
	res, err := s.db.ExecContext(ctx, "UPDATE media SET lease_until = ? WHERE id = ? AND lease_owner = ? AND status = 'PROCESSING'",
		leaseUntil.UTC(), id, truncate(worker, 64))
	if err != nil {
		return false, dbErr(err, "media")
	}
	ok, err := affectedOne(res)
	return ok, dbErr(err, "media")
}

// CompleteMedia implements appraisal.MediaStore.
func (s *Store) CompleteMedia(ctx context.Context, id int64, worker string, r appraisal.MediaResult, t time.Time) error {
	rends := r.Renditions
	if rends == nil {
		rends = []appraisal.Rendition{}
	}
	b, _ := json.Marshal(rends)
	res, err := s.db.ExecContext(ctx, `UPDATE media SET status = ?, reason = ?, reason_code = ?, original_etag = ?, sha256 = ?, size = ?, width = ?, height = ?, duration_ms = ?,
  renditions = ?, lease_owner = '', lease_until = NULL, processed_at = ?, updated_at = ?
  WHERE id = ? AND lease_owner = ? AND status = 'PROCESSING'`,
		string(r.Status), truncate(r.Reason, 255), truncate(r.ReasonCode, 40), truncate(r.OriginalETag, 80), r.SHA256, r.Size, r.Width, r.Height, r.DurationMS, string(b), t.UTC(), t.UTC(), id, worker)
	if err != nil {
		return dbErr(err, "media")
	}
	if ok, err := affectedOne(res); err != nil || !ok {
		if err != nil {
			return dbErr(err, "media")
		}
		return appraisal.E(appraisal.KindConflict, "media.lease_lost", "another worker took the asset over")
	}
	return nil
}

// ResetMedia implements appraisal.MediaStore.
func (s *Store) ResetMedia(ctx context.Context, id int64, a appraisal.AuditEntry) (*appraisal.Media, error) {
	var out *appraisal.Media
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		before, err := scanMedia(tx.QueryRowContext(ctx, "SELECT "+mediaColumns+" FROM media WHERE id = ?", id))
		if err != nil {
			return dbErr(err, "media")
		}
		res, err := tx.ExecContext(ctx, `UPDATE media SET status = 'UPLOADED', reason = '', reason_code = '', attempts = 0, lease_owner = '', lease_until = NULL, updated_at = ?
  WHERE id = ? AND deleted_at IS NULL AND original_removed_at IS NULL AND status IN ('READY', 'REJECTED', 'FAILED')`, now(), id)
		if err != nil {
			return dbErr(err, "media")
		}
		if ok, err := affectedOne(res); err != nil || !ok {
			if err != nil {
				return dbErr(err, "media")
			}
			return &appraisal.Error{Kind: appraisal.KindConflict, Code: "media.not_reprocessable",
				Message: "only a ready, rejected or failed asset can be processed again", Details: map[string]any{"current_status": before.Status}}
		}
		if out, err = scanMedia(tx.QueryRowContext(ctx, "SELECT "+mediaColumns+" FROM media WHERE id = ?", id)); err != nil {
			return dbErr(err, "media")
		}
		a.TargetID, a.Before, a.After = formatID(id), mediaSnapshot(before), mediaSnapshot(out)
		return insertAudit(ctx, tx, a)
	})
	return out, err
}

// DeleteMedia implements appraisal.MediaStore.
func (s *Store) DeleteMedia(ctx context.Context, id int64, a appraisal.AuditEntry) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		before, err := scanMedia(tx.QueryRowContext(ctx, "SELECT "+mediaColumns+" FROM media WHERE id = ? AND deleted_at IS NULL", id))
		if err != nil {
			return dbErr(err, "media")
		}
		t := now()
		if _, err := tx.ExecContext(ctx, "UPDATE media SET status = 'DELETED', deleted_at = ?, updated_at = ? WHERE id = ?", t, t, id); err != nil {
			return dbErr(err, "media")
		}
		a.TargetID, a.Before = formatID(id), mediaSnapshot(before)
		return insertAudit(ctx, tx, a)
	})
}

// DeletedMedia implements appraisal.MediaStore.
func (s *Store) DeletedMedia(ctx context.Context, before time.Time, limit int) ([]appraisal.Media, error) {
	return s.mediaRows(ctx, "SELECT "+mediaColumns+" FROM media WHERE deleted_at IS NOT NULL AND deleted_at < ? ORDER BY id LIMIT ?",
		before.UTC(), limit)
}

// StuckMedia implements appraisal.MediaStore. Each branch is a range on idx_media_status.
func (s *Store) StuckMedia(ctx context.Context, now, settle, pendingSince time.Time, maxAttempts, limit int) ([]appraisal.Media, error) {
	return s.mediaRows(ctx, "SELECT "+mediaColumns+` FROM media WHERE deleted_at IS NULL AND (
  (status = 'UPLOADED' AND updated_at < ?)
  OR (status = 'PROCESSING' AND lease_until < ?)
  OR (status = 'FAILED' AND updated_at < ? AND attempts < ?)
  OR (status = 'PENDING_UPLOAD' AND updated_at >= ? AND updated_at < ?))
ORDER BY id LIMIT ?`,
		settle.UTC(), now.UTC(), settle.UTC(), maxAttempts, pendingSince.UTC(), settle.UTC(), limit)
}

// RejectedOriginals implements appraisal.MediaStore.
func (s *Store) RejectedOriginals(ctx context.Context, before time.Time, limit int) ([]appraisal.Media, error) {
	return s.mediaRows(ctx, "SELECT "+mediaColumns+" FROM media WHERE status = 'REJECTED' AND original_removed_at IS NULL AND processed_at < ? ORDER BY id LIMIT ?",
		before.UTC(), limit)
}

// MarkOriginalRemoved implements appraisal.MediaStore. Only a file still rejected is marked: one
// reprocessed meanwhile keeps its original.
func (s *Store) MarkOriginalRemoved(ctx context.Context, id int64, t time.Time) error {
	_, err := s.db.ExecContext(ctx, "UPDATE media SET original_removed_at = ?, updated_at = ? WHERE id = ? AND status = 'REJECTED'", t.UTC(), t.UTC(), id)
	return dbErr(err, "media")
}

// PurgeMedia implements appraisal.MediaStore.
func (s *Store) PurgeMedia(ctx context.Context, id int64) error {
	_, err := s.db.ExecContext(ctx, "DELETE FROM media WHERE id = ? AND deleted_at IS NOT NULL", id)
	return dbErr(err, "media")
}

// MediaStats implements appraisal.MediaStore.
func (s *Store) MediaStats(ctx context.Context, since, until time.Time) (map[appraisal.MediaStatus]int, error) {
	out := map[appraisal.MediaStatus]int{}
	err := s.each(ctx, "SELECT status, COUNT(*) FROM media WHERE created_at >= ? AND created_at < ? GROUP BY status", []any{since.UTC(), until.UTC()},
		func(r interface{ Scan(...any) error }) error {
			var st string
			var n int
			if err := r.Scan(&st, &n); err != nil {
				return err
			}
			out[appraisal.MediaStatus(st)] = n
			return nil
		})
	return out, err
}

// mediaRows runs a query selecting mediaColumns and scans every row.
func (s *Store) mediaRows(ctx context.Context, query string, args ...any) ([]appraisal.Media, error) {
	var out []appraisal.Media
	err := s.each(ctx, query, args, func(r interface{ Scan(...any) error }) error {
		m, err := scanMedia(r)
		if err == nil {
			out = append(out, *m)
		}
		return err
	})
	return out, err
}
