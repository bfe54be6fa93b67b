package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/jianbao/admin/shared/appraisal"
)

// MaxExportRows bounds one CSV export: a month of this business's orders many times over; a
// bigger one is a narrower filter's job.
const MaxExportRows = 100_000

type ordersExportInput struct {
	OrderFilterParams
}

// ordersExport streams the filtered order list as CSV, in pages read one after another, so
// memory stays flat whatever the size. UTF-8 with a BOM, so Excel opens the Chinese right.
func ordersExport(d *Deps) route {
	op := huma.Operation{
		OperationID: "orders.export", Method: http.MethodGet, Path: "/api/v1/orders/export.csv", Tags: ordersTags,
		Summary:     "The filtered order list as CSV (UTF-8 with BOM, for Excel)",
		Description: fmt.Sprintf("The same filters and sort as GET /api/v1/orders; at most %d rows. Streamed. Audited (it carries customers' names).", MaxExportRows),
		Errors:      []int{http.StatusUnprocessableEntity},
		Responses: map[string]*huma.Response{"200": {Description: "CSV", Content: map[string]*huma.MediaType{
			"text/csv": {Schema: &huma.Schema{Type: "string"}}}}},
	}
	return handle(op, func(ctx context.Context, in *ordersExportInput) (*huma.StreamResponse, error) {
		f, err := in.filter(appraisal.Page{Limit: 100})
		if err != nil {
			return nil, err
		}
		p := principalFrom(ctx)
		// The first page before anything is written: a bad filter or a refusal is still a
		// problem+json answer, not a broken file.
		first, err := d.Orders.List(ctx, p, f)
		if err != nil {
			return nil, err
		}
		a := actor(ctx).For("orders.export", "order", "")
		a.After = map[string]any{"filter": in.OrderFilterParams}
		if err := d.AuditLog.Record(ctx, a); err != nil {
			return nil, err
		}
		return &huma.StreamResponse{Body: func(hc huma.Context) {
			hc.SetHeader("Content-Type", "text/csv; charset=utf-8")
			hc.SetHeader("Content-Disposition", `attachment; filename="orders-`+time.Now().In(appraisal.Shanghai).Format("20060102-1504")+`.csv"`)
			c := newSheet(hc.BodyWriter(), "订单号", "状态", "藏品", "客户", "类目ID", "产品ID", "鉴定师ID", "价格(元)", "创建时间", "SLA 到期", "已超时", "完成时间")
			rows, page := 0, first
			for {
				for _, o := range page.Orders {
					c.Row(orderRow(&o)...)
					rows++
				}
				c.Flush()
				if page.Next == "" || rows >= MaxExportRows || ctx.Err() != nil {
					return
				}
				f.After = page.Next
				if page, err = d.Orders.List(ctx, p, f); err != nil {
					// Mid-stream: the status is sent. End the file with a line that says so.
					d.Log.ErrorContext(ctx, "order export cut short", "rows", rows, "err", err)
					c.Row("导出中断，请重试（export interrupted: retry）")
					c.Flush()
					return
				}
			}
		}}, nil
	})
}

func orderRow(o *appraisal.Order) []string {
	when := func(t *time.Time) string {
		if t == nil || t.IsZero() {
			return ""
		}
		return t.In(appraisal.Shanghai).Format("2006-01-02 15:04")
	}
	assignee := ""
	if o.AssigneeID != 0 {
		assignee = formatID(o.AssigneeID)
	}
	breached := ""
	if o.SLABreached(time.Now()) {
		breached = "是"
	}
	return []string{o.OrderNo, statusLabels[o.Status].ZH, o.Title, o.CustomerName, formatID(o.CategoryID), formatID(o.ProductID),
		assignee, fmt.Sprintf("%d.%02d", o.PriceFen/100, o.PriceFen%100), when(&o.CreatedAt), when(&o.SLADueAt), breached, when(o.CompletedAt)}
}
