package httpapi

import (
	"bytes"
	"context"
	"encoding/base64"
	"html/template"
	"net/http"
	"net/url"

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
<link rel="icon" href="data:,">
<title>{{if .Body}}证书 {{.Body.CertNo}}{{else}}证书查询{{end}} · {{.Issuer}}</title>
<style>
body{margin:0;font:16px/1.6 -apple-system,"PingFang SC","Microsoft YaHei",sans-serif;background:#f4f1ea;color:#222}
main{max-width:560px;margin:0 auto;padding:16px}
.banner{border-radius:10px;padding:14px 16px;font-size:20px;font-weight:700;color:#fff;text-align:center}
.ok{background:#1f7a3a}.bad{background:#b3261e}
.card{background:#fff;border-radius:10px;margin-top:14px;padding:16px;box-shadow:0 1px 3px rgba(0,0,0,.08)}
img{width:100%;border-radius:8px;display:block}
dl{display:grid;grid-template-columns:6em 1fr;gap:6px 12px;margin:0}dt{color:#595959}dd{margin:0}
.verdict{font-size:26px;font-weight:700;text-align:center;margin:6px 0 0}
footer{color:#5c5c5c;font-size:13px;text-align:center;margin:20px 0}
</style></head><body><main>
{{with .Body}}
{{if .Valid}}<div class="banner ok">✓ 证书有效</div>{{else}}<div class="banner bad">✗ 此证书{{.StatusText}}，不能作为鉴定依据</div>{{end}}
{{if .Valid}}<div class="card">
{{if .CoverURL}}<img src="{{.CoverURL}}" alt="藏品照片">{{end}}
{{if .VerdictText}}<p class="verdict">{{.VerdictText}}</p>{{end}}
</div>{{end}}
<div class="card"><dl>
<dt>证书编号</dt><dd>{{.CertNo}}</dd>
<dt>藏品</dt><dd>{{.Title}}</dd>
<dt>类目</dt><dd>{{.CategoryName}}</dd>
{{if .Valid}}{{if .Era}}<dt>年代</dt><dd>{{.Era}}</dd>{{end}}{{if .Condition}}<dt>品相</dt><dd>{{.Condition}}</dd>{{end}}
{{if .PublicComment}}<dt>鉴定意见</dt><dd>{{.PublicComment}}</dd>{{end}}{{end}}
<dt>出具日期</dt><dd>{{.IssuedDate}}</dd>
{{if .RevokedDate}}<dt>撤销日期</dt><dd>{{.RevokedDate}}</dd>{{end}}
{{if .RevokeText}}<dt>撤销原因</dt><dd>{{.RevokeText}}</dd>{{end}}
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
	CSP          string `header:"Content-Security-Policy"`
	Body         []byte
}

// page answers an HTML page of ours: no script, never cached, never framed, and images only from
// where its cover photo is (and data: for the QR code).
func page(status int, html []byte, cover string) *htmlOutput {
	img := []string{"'self'"}
	if u, err := url.Parse(cover); err == nil && u.Scheme != "" && u.Host != "" {
		img = append(img, u.Scheme+"://"+u.Host)
	}
	return &htmlOutput{Status: status, ContentType: "text/html; charset=utf-8", CacheControl: "no-store", CSP: PageCSP(img...), Body: html}
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
			pb := pageBody(b)
			view.Body = &pb
		}
		var buf bytes.Buffer
		if err := certPage.Execute(&buf, view); err != nil {
			return nil, err
		}
		cover := ""
		if view.Body != nil {
			cover = view.Body.CoverURL
		}
		return page(status, buf.Bytes(), cover), nil
	})
}

// The printable certificate: an A5 page for the office's printer, with the facts of the public
// page and the QR code itself (inline, so printing needs nothing else). The console fetches it
// with its token and prints it; a revoked or superseded certificate prints with the state across
// it, never as a clean certificate.
var certPrint = template.Must(template.New("print").Parse(`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>鉴定证书 {{.CertNo}}</title>
<style>
@page{size:A5;margin:12mm}
body{margin:0;font:14px/1.7 "Songti SC","SimSun",serif;color:#111}
h1{text-align:center;letter-spacing:.5em;font-size:26px;margin:0 0 4mm}
.no{text-align:center;color:#555;margin-bottom:6mm}
.void{border:3px solid #b3261e;color:#b3261e;text-align:center;font-size:22px;font-weight:700;padding:3mm;margin-bottom:5mm}
table{width:100%;border-collapse:collapse}td{border:1px solid #999;padding:2mm 3mm;vertical-align:top}td.k{width:24mm;color:#444;white-space:nowrap}
.foot{display:flex;justify-content:space-between;align-items:flex-end;margin-top:6mm}
.qr{width:32mm;height:32mm}.cover{max-width:100%;max-height:60mm;display:block;margin:0 auto 4mm}
</style></head><body>
<h1>鉴定证书</h1>
<div class="no">证书编号 {{.CertNo}}</div>
{{if not .Valid}}<div class="void">此证书{{.StatusText}}{{if .RevokeText}}：{{.RevokeText}}{{end}}</div>{{end}}
{{if .CoverURL}}<img class="cover" src="{{.CoverURL}}" alt="藏品照片">{{end}}
<table>
<tr><td class="k">藏品</td><td>{{.Title}}</td></tr>
<tr><td class="k">类目</td><td>{{.CategoryName}}</td></tr>
{{if .Valid}}<tr><td class="k">鉴定结论</td><td><b>{{.VerdictText}}</b></td></tr>
{{if .Era}}<tr><td class="k">年代</td><td>{{.Era}}</td></tr>{{end}}
{{if .Condition}}<tr><td class="k">品相</td><td>{{.Condition}}</td></tr>{{end}}
{{if .PublicComment}}<tr><td class="k">鉴定意见</td><td>{{.PublicComment}}</td></tr>{{end}}{{end}}
<tr><td class="k">出具日期</td><td>{{.IssuedDate}}</td></tr>
</table>
<div class="foot"><div>出具机构：{{.Issuer}}<br>扫描二维码核验真伪</div><img class="qr" src="{{.QR}}" alt="核验二维码"></div>
</body></html>
`))

type certPrintView struct {
	certPageBody
	QR template.URL
}

func certificatesPrint(d *Deps) route {
	return handle(huma.Operation{
		OperationID: "certificates.print", Method: http.MethodGet, Path: "/api/v1/certificates/{id}/print", Tags: ordersTags,
		Summary:     "The certificate ready to print (HTML, A5, with its QR code inline)",
		Description: "Fetch it with the token and print it (open the HTML in a window and call print). A revoked or superseded certificate prints with its state across the top and no verdict.",
		Responses:   map[string]*huma.Response{"200": htmlResponse("The printable certificate")},
		Errors:      []int{http.StatusNotFound},
	}, func(ctx context.Context, in *idInput) (*htmlOutput, error) {
		id, err := parseID(in.ID)
		if err != nil {
			return nil, err
		}
		c, err := d.Orders.Certificate(ctx, principalFrom(ctx), id)
		if err != nil {
			return nil, err
		}
		b, err := d.verification(ctx, c.VerifyToken)
		if err != nil {
			return nil, err
		}
		png, err := d.qrPNG(c.VerifyToken)
		if err != nil {
			return nil, err
		}
		v := certPrintView{certPageBody: pageBody(b), QR: template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png))}
		var buf bytes.Buffer
		if err := certPrint.Execute(&buf, v); err != nil {
			return nil, err
		}
		return page(http.StatusOK, buf.Bytes(), v.CoverURL), nil
	})
}

// pageBody adds what a person reads to the public facts: the verdict's words, dates in the staff's
// calendar.
func pageBody(b *verifyBody) certPageBody {
	pb := certPageBody{verifyBody: *b, VerdictText: verdictLabels[appraisal.Verdict(b.Verdict)].ZH,
		IssuedDate: b.IssuedAt.In(appraisal.Shanghai).Format("2006年01月02日")}
	if b.RevokedAt != nil {
		pb.RevokedDate = b.RevokedAt.In(appraisal.Shanghai).Format("2006年01月02日")
	}
	return pb
}
