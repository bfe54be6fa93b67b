package httpapi

import (
	"bytes"
	"context"
	"html/template"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/jianbao/admin/shared/appraisal"
)

// The certificate page: what a customer sees after scanning the QR code. A few kilobytes of HTML
// and inline CSS, no script and no framework, so it opens at once on any phone; a revoked or
// superseded certificate says so in red across the top and shows no verdict.
var certPage = template.Must(template.New("cert").Parse(`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex">
<title>{{if .Body}}证书 {{.Body.CertNo}}{{else}}证书查询{{end}} · {{.Issuer}}</title>
<style>
body{margin:0;font:16px/1.6 -apple-system,"PingFang SC","Microsoft YaHei",sans-serif;background:#f4f1ea;color:#222}
main{max-width:560px;margin:0 auto;padding:16px}
.banner{border-radius:10px;padding:14px 16px;font-size:20px;font-weight:700;color:#fff;text-align:center}
.ok{background:#1f7a3a}.bad{background:#b3261e}
.card{background:#fff;border-radius:10px;margin-top:14px;padding:16px;box-shadow:0 1px 3px rgba(0,0,0,.08)}
img{width:100%;border-radius:8px;display:block}
dl{display:grid;grid-template-columns:6em 1fr;gap:6px 12px;margin:0}dt{color:#777}dd{margin:0}
.verdict{font-size:26px;font-weight:700;text-align:center;margin:6px 0 0}
footer{color:#888;font-size:13px;text-align:center;margin:20px 0}
</style></head><body><main>
{{with .Body}}
{{if .Valid}}<div class="banner ok">✓ 证书有效</div>{{else}}<div class="banner bad">✗ 此证书{{.StatusText}}，不能作为鉴定依据</div>{{end}}
<div class="card">
{{if .CoverURL}}<img src="{{.CoverURL}}" alt="藏品照片">{{end}}
{{if .Valid}}{{if .VerdictText}}<p class="verdict">{{.VerdictText}}</p>{{end}}{{end}}
</div>
<div class="card"><dl>
<dt>证书编号</dt><dd>{{.CertNo}}</dd>
<dt>藏品</dt><dd>{{.Title}}</dd>
<dt>类目</dt><dd>{{.CategoryName}}</dd>
{{if .Valid}}{{if .Era}}<dt>年代</dt><dd>{{.Era}}</dd>{{end}}{{if .Condition}}<dt>品相</dt><dd>{{.Condition}}</dd>{{end}}
{{if .PublicComment}}<dt>鉴定意见</dt><dd>{{.PublicComment}}</dd>{{end}}{{end}}
<dt>出具日期</dt><dd>{{.IssuedDate}}</dd>
{{if .RevokedDate}}<dt>撤销日期</dt><dd>{{.RevokedDate}}</dd>{{end}}
{{if .RevokeReason}}<dt>撤销原因</dt><dd>{{.RevokeReason}}</dd>{{end}}
<dt>出具机构</dt><dd>{{.Issuer}}</dd>
</dl></div>
{{else}}
<div class="banner bad">{{.Problem}}</div>
<div class="card"><p>请核对二维码或证书编号。如有疑问，请联系{{.Issuer}}。</p></div>
{{end}}
<footer>{{.Issuer}} · 证书查询</footer>
</main></body></html>
`))

// certPageView is what the template shows.
type certPageView struct {
	Issuer  string
	Problem string
	Body    *certPageBody
}

type certPageBody struct {
	verifyBody
	VerdictText, IssuedDate, RevokedDate string
}

func htmlResponse(what string) *huma.Response {
	return &huma.Response{Description: what, Content: map[string]*huma.MediaType{"text/html": {}}}
}

type certPageInput struct {
	Token string `path:"token" maxLength:"64"`
}

type htmlOutput struct {
	Status       int
	ContentType  string `header:"Content-Type"`
	CacheControl string `header:"Cache-Control"`
	Body         []byte
}

func publicCertificatePage(d *Deps) route {
	return handle(public(huma.Operation{
		OperationID: "public.certificates.page", Method: http.MethodGet, Path: "/c/{token}", Tags: []string{"public"},
		Summary:     "The certificate page a QR code opens (HTML, no login)",
		Description: "A light page for phones: item, category, cover photo, verdict, issue date, issuer; a revoked or superseded certificate says so and shows no verdict. The same facts as GET /api/v1/public/certificates/{token}.",
		Responses: map[string]*huma.Response{
			"200": htmlResponse("The certificate page"),
			"404": htmlResponse("No such certificate: a page that says so"),
			"429": htmlResponse("Too many lookups from this address: a page that says so"),
		},
	}), func(ctx context.Context, in *certPageInput) (*htmlOutput, error) {
		view, status := certPageView{Issuer: d.CertIssuer}, http.StatusOK
		if err := d.limitPublic(ctx); err != nil {
			view.Problem, status = "查询过于频繁，请稍后再试", http.StatusTooManyRequests
		} else if b, err := d.verification(ctx, in.Token); appraisal.IsKind(err, appraisal.KindNotFound) {
			view.Problem, status = "未找到此证书", http.StatusNotFound
		} else if err != nil {
			return nil, err
		} else {
			pb := &certPageBody{verifyBody: *b, VerdictText: verdictLabels[appraisal.Verdict(b.Verdict)].ZH,
				IssuedDate: b.IssuedAt.In(appraisal.Shanghai).Format("2006年01月02日")}
			if b.RevokedAt != nil {
				pb.RevokedDate = b.RevokedAt.In(appraisal.Shanghai).Format("2006年01月02日")
			}
			view.Body = pb
		}
		var buf bytes.Buffer
		if err := certPage.Execute(&buf, view); err != nil {
			return nil, err
		}
		return &htmlOutput{Status: status, ContentType: "text/html; charset=utf-8", CacheControl: "no-store", Body: buf.Bytes()}, nil
	})
}
