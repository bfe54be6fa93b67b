package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/jianbao/admin/shared/appraisal"
)

type auditView struct {
	ID         string         `json:"id"`
	ActorID    string         `json:"actor_user_id" doc:"Empty for system actions"`
	ActorName  string         `json:"actor_username"`
	Action     string         `json:"action" example:"orders.assign"`
	TargetType string         `json:"target_type" example:"order"`
	TargetID   string         `json:"target_id"`
	Before     map[string]any `json:"before" nullable:"true" doc:"The target before the change (null for a create)"`
	After      map[string]any `json:"after" nullable:"true" doc:"The target after the change"`
	IP         string         `json:"ip"`
	UserAgent  string         `json:"user_agent"`
	RequestID  string         `json:"request_id"`
	At         time.Time      `json:"at"`
}

// snapshot decodes a stored snapshot; nil (JSON null) when there is none.
func snapshot(b []byte) map[string]any {
	if len(b) == 0 {
		return nil
	}
	var m map[string]any
	if json.Unmarshal(b, &m) != nil {
		return map[string]any{"unreadable": string(b)}
	}
	return m
}

type auditInput struct {
	ListParams
	TimeSort
	ActorID    string `query:"actor_user_id" maxLength:"20"`
	Action     string `query:"action" maxLength:"64"`
	TargetType string `query:"target_type" maxLength:"32"`
	TargetID   string `query:"target_id" maxLength:"64"`
	From       string `query:"from" doc:"RFC 3339 or YYYY-MM-DD (Asia/Shanghai)"`
	To         string `query:"to" doc:"RFC 3339 or YYYY-MM-DD (Asia/Shanghai), exclusive"`
}

type auditOutput struct {
	Body listBody[auditView]
}

var auditTags = []string{"audit"}

// auditRoutes is the group as a list of routes, one handler maker per operation.
func auditRoutes(d *Deps) []route {
	return []route{auditList(d)}
}

func auditList(d *Deps) route {
	return handle(huma.Operation{
		OperationID: "audit.list", Method: http.MethodGet, Path: "/api/v1/audit-logs", Tags: auditTags,
		Summary:     "Who changed what, newest first",
		Description: "Every mutation writes a row in the same transaction as the change. Rows older than the retention setting are pruned daily.",
		Errors:      []int{http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *auditInput) (*auditOutput, error) {
		pg, err := in.page()
		if err != nil {
			return nil, err
		}
		f := appraisal.AuditFilter{Action: in.Action, TargetType: in.TargetType, TargetID: in.TargetID, Oldest: in.oldest(), Page: pg}
		if f.ActorID, err = parseOptionalID("actor_user_id", in.ActorID); err != nil {
			return nil, err
		}
		if f.From, err = parseTime("from", in.From); err != nil {
			return nil, err
		}
		if f.To, err = parseTime("to", in.To); err != nil {
			return nil, err
		}
		rows, total, err := d.AuditLog.List(ctx, f)
		if err != nil {
			return nil, err
		}
		return &auditOutput{Body: newList(mapSlice(rows, func(a appraisal.AuditRecord) auditView {
			return auditView{ID: formatID(a.ID), ActorID: formatOptionalID(a.ActorID), ActorName: a.ActorName, Action: a.Action,
				TargetType: a.TargetType, TargetID: a.TargetID, Before: snapshot(a.Before), After: snapshot(a.After), IP: a.IP,
				UserAgent: a.UserAgent, RequestID: a.RequestID, At: a.At.UTC()}
		}), total, pg)}, nil
	})
}
