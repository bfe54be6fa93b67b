package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/validation"

	"github.com/jianbao/admin/shared/appraisal"
	"github.com/jianbao/admin/shared/logs"
)

// Problem is an RFC 9457 problem+json response with our stable machine code and field errors.
// Every error response of the API has this shape, whichever layer produced it.
type Problem struct {
	Type      string                 `json:"type" doc:"A URI reference for the problem type; about:blank when none" example:"about:blank"`
	Title     string                 `json:"title" doc:"A short, localised summary of the problem type" example:"请求参数不合法"`
	Status    int                    `json:"status" doc:"The HTTP status code" example:"422"`
	Detail    string                 `json:"detail,omitempty" doc:"A localised explanation of this occurrence" example:"请求参数不合法"`
	Code      string                 `json:"code" doc:"A stable machine-readable code to branch on" example:"validation_failed"`
	RequestID string                 `json:"request_id,omitempty" doc:"The request id, also in the X-Request-Id header"`
	Errors    []appraisal.FieldError `json:"errors,omitempty" doc:"Per-field validation problems"`
	Details   map[string]any         `json:"details,omitempty" doc:"Machine-readable facts, such as current_status, current_version and allowed_actions (the operations the order flow allows from the current status, whoever calls) on a conflict"`

	retryAfter int // seconds, for 429 and 503
}

func (p *Problem) Error() string { return fmt.Sprintf("%d %s: %s", p.Status, p.Code, p.Detail) }

// GetStatus implements huma.StatusError.
func (p *Problem) GetStatus() int { return p.Status }

// ContentType implements huma.ContentTypeFilter.
func (p *Problem) ContentType(ct string) string {
	if ct == "application/json" {
		return "application/problem+json"
	}
	return ct
}

// GetHeaders implements huma.HeadersError.
func (p *Problem) GetHeaders() http.Header {
	h := http.Header{}
	if p.retryAfter > 0 {
		h.Set("Retry-After", strconv.Itoa(p.retryAfter))
	}
	return h
}

// statusOf is the one table from domain error kinds to HTTP statuses.
var statusOf = map[appraisal.Kind]int{
	appraisal.KindInternal:     http.StatusInternalServerError,
	appraisal.KindInvalid:      http.StatusUnprocessableEntity,
	appraisal.KindNotFound:     http.StatusNotFound,
	appraisal.KindConflict:     http.StatusConflict,
	appraisal.KindUnauthorized: http.StatusUnauthorized,
	appraisal.KindForbidden:    http.StatusForbidden,
	appraisal.KindRateLimited:  http.StatusTooManyRequests,
	appraisal.KindUnavailable:  http.StatusServiceUnavailable,
}

// lang is the response language: zh-CN unless the client prefers English.
type lang int

const (
	zh lang = iota
	en
)

func langOf(acceptLanguage string) lang {
	// The admin console is Chinese; English is for the first language tag asking for it.
	first, _, _ := strings.Cut(acceptLanguage, ",")
	first = strings.ToLower(strings.TrimSpace(first))
	if first == "en" || strings.HasPrefix(first, "en-") || strings.HasPrefix(first, "en;") {
		return en
	}
	return zh
}

// messages translates codes. A code without an entry falls back to the domain's English message.
var messages = map[string][2]string{
	"internal":                     {"服务器内部错误，请稍后重试", "Internal server error"},
	"unavailable":                  {"服务暂时不可用，请稍后重试", "Service temporarily unavailable"},
	"bad_request":                  {"请求格式错误", "The request is malformed"},
	"validation_failed":            {"请求参数不合法", "The request is not valid"},
	"not_found":                    {"资源不存在", "Not found"},
	"route_not_found":              {"接口不存在", "No such endpoint"},
	"method_not_allowed":           {"不支持该请求方法", "Method not allowed"},
	"conflict":                     {"资源已被修改，请刷新后重试", "Conflict"},
	"already_exists":               {"资源已存在", "Already exists"},
	"request_too_large":            {"请求体过大", "The request body is too large"},
	"unsupported_media_type":       {"不支持的内容类型", "Unsupported content type"},
	"not_acceptable":               {"无法提供请求的响应格式", "Not acceptable"},
	"rate_limited":                 {"请求过于频繁，请稍后再试", "Too many requests"},
	"timeout":                      {"请求超时，请稍后重试", "The request timed out"},
	"auth.invalid_credentials":     {"用户名或密码错误", "Wrong username or password"},
	"auth.token_invalid":           {"登录已失效，请重新登录", "The access token is missing, expired or invalid"},
	"auth.weak_bootstrap_password": {"初始管理员密码至少 12 位", "BOOTSTRAP_ADMIN_PASSWORD must be at least 12 characters"},
	"reference_missing":            {"引用的资源不存在", "A referenced resource does not exist"},
	"mysql.unavailable":            {"数据库暂时不可用", "The database is unavailable"},
	"mysql.busy":                   {"数据库连接已满，请稍后重试", "The database has no connection free; try again in a moment"},
	"redis.unavailable":            {"缓存服务暂时不可用", "The cache is unavailable"},
	"ready.dependency_unavailable": {"依赖服务未就绪", "A dependency is not ready"},

	"auth.too_many_attempts":              {"登录失败次数过多，请稍后再试", "Too many failed logins; try again later"},
	"auth.refresh_invalid":                {"刷新令牌无效或已过期，请重新登录", "The refresh token is unknown or expired"},
	"auth.refresh_reused":                 {"刷新令牌已被使用过，该会话已注销，请重新登录", "The refresh token was already used; the session is revoked"},
	"auth.session_revoked":                {"会话已结束，请重新登录", "The session has ended; log in again"},
	"auth.forbidden":                      {"无权执行此操作", "Your role may not do this"},
	"auth.cannot_manage_super_admin":      {"只有超级管理员可以管理超级管理员账号", "Only a super admin can manage super admin accounts"},
	"auth.reset_peer_needs_super_admin":   {"只有超级管理员可以重置与您权限相同或更高的账号的密码", "Only a super admin may reset the password of an account with the same or more rights than yours"},
	"auth.session_not_found":              {"会话不存在或已结束", "No such active session"},
	"user.username_taken":                 {"用户名已被占用", "The username is taken"},
	"user.cannot_change_own_role":         {"不能修改自己的角色", "Nobody changes their own role"},
	"user.cannot_disable_self":            {"不能停用自己的账号", "Nobody disables their own account"},
	"role.super_admin_fixed":              {"超级管理员角色的权限不可修改", "The super admin role's permissions cannot be changed"},
	"order.version_conflict":              {"订单已被他人修改，请刷新后重试", "The order was changed by someone else; reload and retry"},
	"order.illegal_transition":            {"订单当前状态不允许此操作", "The order's status does not allow this action"},
	"order.not_assignee":                  {"只有被指派的鉴定师可以执行此操作", "Only the assigned expert can do this"},
	"order.own_opinion":                   {"不能复核自己的鉴定意见", "Nobody reviews their own opinion"},
	"order.no_opinion":                    {"订单没有有效的鉴定意见", "The order has no active opinion"},
	"order.no_eligible_expert":            {"没有可指派的鉴定师（专长、状态或容量不符）", "No active expert with this specialty has capacity"},
	"order.action_needs_input":            {"此操作请使用专门的接口", "This action has its own endpoint"},
	"customer.has_items":                  {"该客户名下还有藏品：请合并到要保留的客户，或先删除藏品", "The customer has items: merge it into another, or remove the items first"},
	"item.has_orders":                     {"该藏品已有订单，只能合并到重复的藏品", "The item has orders: it can only be merged into a duplicate"},
	"customer.blocked":                    {"该客户已被拉黑，不能创建订单", "The customer is blocked"},
	"customer.version_conflict":           {"客户信息已被他人修改，请刷新后重试", "The customer was changed by someone else; reload and retry"},
	"item.version_conflict":               {"藏品信息已被他人修改，请刷新后重试", "The item was changed by someone else; reload and retry"},
	"expert.version_conflict":             {"鉴定师信息已被他人修改，请刷新后重试", "The expert was changed by someone else; reload and retry"},
	"expert.exists":                       {"该账号已是鉴定师", "This account is already an expert"},
	"certificate.not_found":               {"证书不存在", "No such certificate"},
	"certificate.not_issued":              {"只有有效的证书可以撤销", "Only an issued certificate can be revoked"},
	"certificate.verdict_not_certifiable": {"只有“真品”或“仿品”结论可以出具证书", "Only a GENUINE or FAKE verdict is certified"},
	"idempotency.key_reused":              {"该 Idempotency-Key 已用于其他请求", "This Idempotency-Key was used for a different request"},
	"media.not_reprocessable":             {"只有处理完成、被拒绝或失败的文件可以重新处理", "Only a ready, rejected or failed file can be processed again"},
	"media.no_dispatcher":                 {"当前部署不支持手动重新处理", "This deployment cannot start processing on request"},
	"media.lease_lost":                    {"文件正由其他任务处理", "Another worker took the file over"},
	"idempotency.in_progress":             {"相同 Idempotency-Key 的请求正在处理中", "A request with this Idempotency-Key is still in progress"},
	"auth.busy":                           {"当前登录请求过多，请稍后重试", "Too many logins are being checked right now; try again in a moment"},
	"auth.password_change_required":       {"管理员重置了您的密码，请先修改密码", "An administrator set your password: change it before anything else"},
	"user.reset_own_password":             {"请在个人设置中修改自己的密码", "Change your own password in your account settings"},
	"customers.phone_search_forbidden":    {"您的角色无权查看手机号，因此不能按手机号搜索", "Your role may not see phone numbers, so it may not search by one"},
	"db_error":                            {"数据库操作失败，请稍后重试", "A database operation failed"},
	"media.not_uploaded":                  {"文件尚未上传到存储，请先完成上传", "The file has not arrived in storage: upload it first"},
	"media.owner_frozen":                  {"证书已出具，相关文件不能再增删", "A certificate has been issued on these files: they can no longer be added or removed"},
	"media.original_removed":              {"该文件已被拒收，原始文件已按规定删除", "The original of this rejected file has been removed"},
	"storage.bad_key":                     {"对象键不合法", "Not a valid object key"},
	"storage.bad_size":                    {"上传需要声明文件大小", "An upload needs its size"},
	"storage.exists":                      {"文件已存在，不能覆盖", "The object exists and may not be replaced"},
	"storage.not_found":                   {"文件不存在", "No such object"},
	"storage.too_large":                   {"文件超过允许的大小", "The object is larger than allowed"},
	"storage.unavailable":                 {"对象存储暂时不可用", "Object storage is unavailable"},

	"field.required":          {"必填", ""},
	"field.not_found":         {"引用的对象不存在", ""},
	"field.bad_phone":         {"手机号格式不正确", ""},
	"field.weak_password":     {"密码长度需为 10 到 128 个字符", ""},
	"field.wrong_password":    {"当前密码不正确", ""},
	"field.bad_cursor":        {"分页游标无效", ""},
	"field.too_deep":          {"页码过深，请用“下一页”继续翻页", ""},
	"field.bad_id":            {"ID 格式不正确", ""},
	"field.not_allowed":       {"取值不在允许范围内", ""},
	"field.inactive":          {"该鉴定师已停用", ""},
	"field.no_specialty":      {"该鉴定师没有此类目的专长", ""},
	"field.at_capacity":       {"该鉴定师的待办已满", ""},
	"field.same_expert":       {"争议订单需要指派不同的鉴定师", ""},
	"field.bad_range":         {"估值区间需满足 0 ≤ 下限 ≤ 上限", ""},
	"field.bad_version":       {"版本号格式不正确", ""},
	"field.bad_format":        {"格式不正确，应为 RFC 3339 时间或 YYYY-MM-DD", ""},
	"field.unknown_operation": {"未知的操作权限", ""},
	"field.unavailable":       {"未就绪", ""},
	"field.too_large":         {"文件过大", ""},
	"field.invalid":           {"取值不合法", ""},
	"field.disabled":          {"该类目已停用", ""},
	"field.other_customer":    {"只能合并同一客户的藏品", ""},
	"field.cycle":             {"类目不能移到自身或其下级之下", ""},
	"field.version_required":  {"请带上您读取到的版本号：放在 If-Match 请求头，或请求体的 version 字段", ""},
	"field.not_expert_role":   {"该账号的角色不能担任鉴定师", ""},
	"field.too_many":          {"数量超过上限", ""},
	"field.unchanged":         {"新密码不能与当前密码相同", ""},
}

// codeForStatus names problems that come from HTTP itself rather than from a domain error.
var codeForStatus = map[int]string{
	http.StatusBadRequest:            "bad_request",
	http.StatusUnauthorized:          "auth.token_invalid",
	http.StatusNotFound:              "route_not_found",
	http.StatusMethodNotAllowed:      "method_not_allowed",
	http.StatusNotAcceptable:         "not_acceptable",
	http.StatusRequestEntityTooLarge: "request_too_large",
	http.StatusUnsupportedMediaType:  "unsupported_media_type",
	http.StatusUnprocessableEntity:   "validation_failed",
	http.StatusTooManyRequests:       "rate_limited",
	http.StatusServiceUnavailable:    "unavailable",
	http.StatusGatewayTimeout:        "timeout",
}

func translate(code, fallback string, l lang) string {
	if m, ok := messages[code]; ok {
		return m[l]
	}
	if fallback != "" {
		return fallback
	}
	return messages["internal"][l]
}

// zhTitles are the Chinese titles of the statuses we send; English titles are the status texts.
var zhTitles = map[int]string{
	http.StatusBadRequest:            "请求错误",
	http.StatusUnauthorized:          "未授权",
	http.StatusForbidden:             "无权限",
	http.StatusNotFound:              "资源不存在",
	http.StatusMethodNotAllowed:      "不支持该请求方法",
	http.StatusNotAcceptable:         "无法提供请求的响应格式",
	http.StatusConflict:              "冲突",
	http.StatusRequestEntityTooLarge: "请求体过大",
	http.StatusUnsupportedMediaType:  "不支持的内容类型",
	http.StatusUnprocessableEntity:   "请求参数不合法",
	http.StatusTooManyRequests:       "请求过于频繁",
	http.StatusServiceUnavailable:    "服务暂时不可用",
	http.StatusGatewayTimeout:        "请求超时",
}

func titleFor(status int, l lang) string {
	if l == zh {
		if t, ok := zhTitles[status]; ok {
			return t
		}
		if status >= 500 {
			return messages["internal"][zh]
		}
	}
	return http.StatusText(status)
}

// problemFor builds the problem for err. It is the one error-to-status path: huma's validation
// errors, domain errors from handlers and failures in middleware all end here.
func problemFor(ctx context.Context, log *slog.Logger, err error, l lang) *Problem {
	var p *Problem
	if errors.As(err, &p) {
		return p
	}
	var ae *appraisal.Error
	if !errors.As(err, &ae) {
		ae = &appraisal.Error{Kind: appraisal.KindInternal, Code: "internal", Err: err}
	}
	status := statusOf[ae.Kind]
	code := ae.Code
	detail := translate(code, ae.Message, l)
	if status >= 500 {
		// Log the cause, but never show it: it may name tables, hosts or secrets.
		log.ErrorContext(ctx, "request failed", "code", code, "kind", ae.Kind.String(), "err", err)
		if ae.Kind == appraisal.KindInternal {
			code, detail = "internal", translate("internal", "", l)
		}
	}
	p = &Problem{Type: "about:blank", Title: titleFor(status, l), Status: status, Detail: detail, Code: code,
		RequestID: logs.RequestIDFrom(ctx)}
	for _, f := range ae.Fields {
		if l == zh {
			f.Message = translate("field."+f.Code, f.Message, l)
		}
		p.Errors = append(p.Errors, f)
	}
	p.Details = ae.Details
	if (ae.Kind == appraisal.KindRateLimited || ae.Kind == appraisal.KindUnavailable) && ae.RetryAfter > 0 {
		p.retryAfter = int((ae.RetryAfter + 999_999_999) / 1_000_000_000)
		// Also in the body, so a page can say how long (a browser's script may not read
		// Retry-After across origins).
		p.Details = maps.Clone(p.Details)
		if p.Details == nil {
			p.Details = map[string]any{}
		}
		p.Details["retry_after_seconds"] = p.retryAfter
	}
	return p
}

// writeProblem writes err as problem+json outside huma (middleware, unknown routes).
func writeProblem(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	p := problemFor(r.Context(), log, err, langOf(r.Header.Get("Accept-Language")))
	if p.RequestID == "" {
		p.RequestID = logs.RequestIDFrom(r.Context())
	}
	for k, vs := range p.GetHeaders() {
		w.Header()[k] = vs
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(p.Status)
	json.NewEncoder(w).Encode(p)
}

// hookErrors points huma's error constructors at Problem. huma keeps them in package variables,
// so this runs once per process; every API in it shares the one error shape.
func hookErrors(log *slog.Logger) {
	huma.NewError = func(status int, msg string, errs ...error) huma.StatusError {
		return newHumaProblem(context.Background(), log, status, msg, zh, errs)
	}
	huma.NewErrorWithContext = func(hctx huma.Context, status int, msg string, errs ...error) huma.StatusError {
		p := newHumaProblem(hctx.Context(), log, status, msg, langOf(hctx.Header("Accept-Language")), errs)
		// huma copies headers only from the error a handler returned, not from the one built
		// here, so set them now, before the response is written.
		for k, vs := range p.GetHeaders() {
			for _, v := range vs {
				hctx.SetHeader(k, v)
			}
		}
		return p
	}
}

func newHumaProblem(ctx context.Context, log *slog.Logger, status int, msg string, l lang, errs []error) *Problem {
	// A handler's domain error reaches here as huma's "unexpected error" 500 wrapping it.
	for _, e := range errs {
		var ae *appraisal.Error
		if errors.As(e, &ae) {
			return problemFor(ctx, log, e, l)
		}
	}
	if status >= 500 {
		return problemFor(ctx, log, errors.Join(append([]error{errors.New(msg)}, errs...)...), l)
	}
	code := codeForStatus[status]
	if code == "" {
		code = "bad_request"
	}
	p := &Problem{Type: "about:blank", Title: titleFor(status, l), Status: status, Code: code,
		Detail: translate(code, msg, l), RequestID: logs.RequestIDFrom(ctx)}
	if status == http.StatusBadRequest && msg != "" && l == en {
		p.Detail = msg
	}
	for _, e := range errs {
		if e == nil {
			continue
		}
		var d *huma.ErrorDetail
		if !errors.As(e, &d) {
			d = &huma.ErrorDetail{Message: e.Error()}
		}
		p.Errors = append(p.Errors, fieldError(d, l))
	}
	return p
}

// fieldError turns huma's validation detail into ours: the location without its "body." prefix,
// a code named for the rule broken, and the message in the client's language.
func fieldError(d *huma.ErrorDetail, l lang) appraisal.FieldError {
	field := strings.TrimPrefix(d.Location, "body.")
	if field == "body" {
		field = ""
	}
	for _, r := range rules {
		if m := r.re.FindStringSubmatch(d.Message); m != nil {
			if r.code == "required" && len(m) > 1 {
				// huma reports a missing property at its parent; name the property itself.
				if field == "" {
					field = m[1]
				} else {
					field += "." + m[1]
				}
			}
			msg := d.Message
			if l == zh {
				args := make([]any, len(m)-1)
				for i := range args {
					args[i] = m[i+1]
				}
				msg = fmt.Sprintf(r.zh, args...)
			}
			return appraisal.FieldError{Field: field, Code: r.code, Message: msg}
		}
	}
	msg := d.Message
	if l == zh {
		msg = "取值不合法：" + d.Message
	}
	return appraisal.FieldError{Field: field, Code: "invalid", Message: msg}
}

type rule struct {
	re   *regexp.Regexp
	code string
	zh   string
}

// rules recognise huma's validation messages, built from its own templates so a wording change
// upstream degrades to the generic message instead of a wrong one.
var rules = func() []rule {
	mk := func(tmpl, code, zh string) rule {
		pat := regexp.QuoteMeta(tmpl)
		for _, verb := range []string{"%v", "%d", "%s"} {
			pat = strings.ReplaceAll(pat, verb, "(.*)")
		}
		return rule{regexp.MustCompile("^" + pat + "$"), code, zh}
	}
	return []rule{
		mk(validation.MsgExpectedRequiredProperty, "required", "缺少必填字段 %s"),
		mk(validation.MsgExpectedMinLength, "too_short", "长度不能少于 %s"),
		mk(validation.MsgExpectedMaxLength, "too_long", "长度不能超过 %s"),
		mk(validation.MsgExpectedMinimumNumber, "too_small", "不能小于 %s"),
		mk(validation.MsgExpectedMaximumNumber, "too_large", "不能大于 %s"),
		mk(validation.MsgExpectedExclusiveMinimumNumber, "too_small", "必须大于 %s"),
		mk(validation.MsgExpectedExclusiveMaximumNumber, "too_large", "必须小于 %s"),
		mk(validation.MsgExpectedOneOf, "not_allowed", "取值必须是以下之一：%s"),
		mk(validation.MsgExpectedMatchPattern, "bad_format", "格式不正确（%s）"),
		mk(validation.MsgExpectedMinItems, "too_few", "至少需要 %s 项"),
		mk(validation.MsgExpectedMaxItems, "too_many", "最多 %s 项"),
		mk(validation.MsgUnexpectedProperty, "unknown_field", "不支持的字段"),
		mk(validation.MsgExpectedString, "wrong_type", "应为字符串"),
		mk(validation.MsgExpectedInteger, "wrong_type", "应为整数"),
		mk(validation.MsgExpectedNumber, "wrong_type", "应为数字"),
		mk(validation.MsgExpectedBoolean, "wrong_type", "应为布尔值"),
		mk(validation.MsgExpectedArray, "wrong_type", "应为数组"),
		mk(validation.MsgExpectedObject, "wrong_type", "应为对象"),
		mk(validation.MsgExpectedRFC3339DateTime, "bad_format", "应为 RFC 3339 时间"),
	}
}()
