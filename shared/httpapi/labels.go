package httpapi

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/jianbao/admin/shared/appraisal"
)

// label is a name in the console's two languages.
type label struct {
	ZH string `json:"zh" example:"待分诊"`
	EN string `json:"en" example:"In triage"`
}

// The console's words for the domain's closed sets, served by GET /api/v1/labels so that every
// client shows the same ones. TestLabelsAreComplete fails for a status, role, verdict, permission
// or reason code without a label.
var (
	statusLabels = map[appraisal.Status]label{
		appraisal.StatusSubmitted: {"已提交", "Submitted"}, appraisal.StatusTriage: {"待分诊", "In triage"},
		appraisal.StatusNeedMoreInfo: {"待补充资料", "Needs more information"}, appraisal.StatusRejected: {"已拒绝", "Rejected"},
		appraisal.StatusQueued: {"待指派", "Queued"}, appraisal.StatusAssigned: {"已指派", "Assigned"},
		appraisal.StatusInAppraisal: {"鉴定中", "In appraisal"}, appraisal.StatusOpinionSubmitted: {"已出意见", "Opinion submitted"},
		appraisal.StatusInReview: {"复核中", "In review"}, appraisal.StatusCompleted: {"已完成", "Completed"},
		appraisal.StatusCertIssued: {"已出证", "Certificate issued"}, appraisal.StatusDisputed: {"争议中", "Disputed"},
		appraisal.StatusCancelled: {"已取消", "Cancelled"},
	}
	roleLabels = map[appraisal.RoleID]label{
		appraisal.RoleSuperAdmin: {"超级管理员", "Super admin"}, appraisal.RoleAdmin: {"管理员", "Admin"},
		appraisal.RoleOperator: {"客服/运营", "Operator"}, appraisal.RoleExpert: {"鉴定师", "Expert"},
		appraisal.RoleReviewer: {"复核", "Reviewer"}, appraisal.RoleViewer: {"只读", "Viewer"},
	}
	verdictLabels = map[appraisal.Verdict]label{
		appraisal.VerdictGenuine: {"真品", "Genuine"}, appraisal.VerdictFake: {"仿品", "Fake"},
		appraisal.VerdictUncertain: {"存疑", "Uncertain"}, appraisal.VerdictNotAppraisable: {"无法鉴定", "Not appraisable"},
	}
	certStatusLabels = map[string]label{
		"ISSUED": {"有效", "Valid"}, "REVOKED": {"已撤销", "Revoked"}, "SUPERSEDED": {"已被取代", "Superseded"},
	}
	revokeReasonLabels = map[appraisal.RevokeReason]label{
		appraisal.RevokeErrata: {"证书信息有误", "The certificate's details were wrong"}, appraisal.RevokeReappraised: {"鉴定结论已变更", "The appraisal's result changed"},
		appraisal.RevokeHolderRequest: {"应持证人申请", "At the holder's request"}, appraisal.RevokeMisuse: {"证书被用于其他物品", "The certificate was used for another item"},
		appraisal.RevokeOther: {"其他原因", "Other reasons"},
	}
	mediaStatusLabels = map[appraisal.MediaStatus]label{
		appraisal.MediaPendingUpload: {"待上传", "Waiting for upload"}, appraisal.MediaUploaded: {"已上传", "Uploaded"},
		appraisal.MediaProcessing: {"处理中", "Processing"}, appraisal.MediaReady: {"已就绪", "Ready"},
		appraisal.MediaRejected: {"已拒收", "Rejected"}, appraisal.MediaFailed: {"处理失败", "Failed"},
		appraisal.MediaDeleted: {"已删除", "Deleted"},
	}
	operationLabels = map[string]label{
		"auth.logout": {"退出登录", "Log out"}, "auth.me": {"查看本人账号", "Own account"}, "auth.me.update": {"修改本人资料", "Change own profile"},
		"auth.sessions.list": {"查看本人会话", "Own sessions"}, "auth.sessions.revoke": {"结束本人会话", "End own session"},
		"auth.password.change": {"修改本人密码", "Change own password"}, "auth.login_log.list": {"本人登录记录", "Own login history"},
		"admin.users.list": {"查看账号列表", "List accounts"}, "admin.users.create": {"创建账号", "Create accounts"},
		"admin.users.get": {"查看账号", "View accounts"}, "admin.users.update": {"修改账号", "Change accounts"},
		"admin.users.force_logout": {"强制下线", "Force logout"}, "admin.users.unlock": {"解除登录锁定", "Unlock accounts"},
		"admin.settings.get": {"查看系统设置", "View settings"}, "admin.settings.update": {"修改系统设置", "Change settings"},
		"admin.users.password.reset": {"重置密码", "Reset passwords"}, "admin.roles.list": {"查看角色权限", "View roles"},
		"admin.roles.update_permissions": {"修改角色权限", "Change role permissions"}, "admin.login_logs.list": {"查看登录日志", "Login log"},
		"categories.list": {"查看类目", "View categories"}, "categories.create": {"新增类目", "Add categories"}, "categories.update": {"修改类目", "Change categories"},
		"customers.list": {"查看客户列表", "List customers"}, "customers.get": {"查看客户", "View customers"},
		"customers.create": {"新增客户", "Add customers"}, "customers.update": {"修改客户", "Change customers"},
		"customers.delete": {"删除客户", "Remove customers"}, "customers.merge": {"合并重复客户", "Merge duplicate customers"},
		"customers.block": {"拉黑客户", "Block customers"}, "customers.unblock": {"解除拉黑", "Unblock customers"},
		"customers.phone.view": {"查看完整手机号", "See full phone numbers"},
		"items.list":           {"查看藏品列表", "List items"}, "items.get": {"查看藏品", "View items"},
		"items.create": {"新增藏品", "Add items"}, "items.update": {"修改藏品", "Change items"},
		"items.delete": {"删除藏品", "Remove items"}, "items.merge": {"合并重复藏品", "Merge duplicate items"},
		"products.list": {"查看服务产品", "View service products"}, "products.create": {"新增服务产品", "Add service products"},
		"products.update": {"修改服务产品", "Change service products"},
		"experts.list":    {"查看鉴定师", "View experts"}, "experts.create": {"设为鉴定师", "Make experts"},
		"experts.update": {"修改鉴定师", "Change experts"},
		"orders.list":    {"查看订单列表", "List orders"}, "orders.get": {"查看订单", "View orders"},
		"orders.see_all": {"查看全部订单", "See every order"}, "orders.export": {"导出订单", "Export orders"}, "orders.create": {"创建订单", "Create orders"},
		"orders.triage": {"开始分诊", "Triage"}, "orders.request_info": {"要求补充资料", "Ask for more information"},
		"orders.provide_info": {"资料已补充", "Information provided"}, "orders.accept": {"受理", "Accept"},
		"orders.reject": {"拒绝订单", "Reject"}, "orders.cancel": {"取消订单", "Cancel"},
		"orders.assign": {"指派鉴定师", "Assign an expert"}, "orders.suggest_expert": {"推荐鉴定师", "Suggest an expert"},
		"orders.start": {"开始鉴定", "Start appraisal"}, "orders.submit_opinion": {"提交鉴定意见", "Submit an opinion"},
		"orders.review": {"复核", "Review"}, "opinions.internal_note.view": {"查看鉴定师内部备注", "Read experts' internal notes"}, "orders.dispute": {"发起争议", "Dispute"},
		"certificates.issue": {"出具证书", "Issue certificates"}, "certificates.revoke": {"撤销证书", "Revoke certificates"},
		"certificates.get": {"查看证书", "View certificates"}, "certificates.list": {"证书列表", "List certificates"}, "certificates.print": {"打印证书", "Print certificates"}, "certificates.qr": {"证书二维码", "Certificate QR codes"},
		"media.frozen.edit":    {"修改已出证的图片视频", "Change files behind a certificate"},
		"dashboard.get":        {"查看数据看板", "Dashboard"},
		"media.uploads.create": {"上传图片视频", "Upload files"}, "media.uploads.complete": {"完成上传", "Finish uploads"},
		"media.list": {"查看图片视频", "List files"}, "media.get": {"查看图片视频详情", "View files"},
		"media.delete": {"删除图片视频", "Delete files"}, "media.reprocess": {"重新处理", "Reprocess files"},
		"media.original": {"下载原图原视频", "Download originals"}, "media.troubled.list": {"查看处理失败的文件", "Failed and rejected files"},
		"audit.list": {"查看审计日志", "Audit log"},
	}
)

// eventLabels word the order timeline: every action, the ones the system takes by itself too.
var eventLabels = map[appraisal.Action]label{
	appraisal.ActionCreate: {"创建订单", "Order created"}, appraisal.ActionTriage: {"开始分诊", "Triage started"},
	appraisal.ActionRequestInfo: {"要求补充资料", "More information asked for"}, appraisal.ActionProvideInfo: {"资料已补充", "Information provided"},
	appraisal.ActionAccept: {"受理", "Accepted"}, appraisal.ActionReject: {"拒绝订单", "Rejected"}, appraisal.ActionCancel: {"取消订单", "Cancelled"},
	appraisal.ActionAssign: {"指派鉴定师", "Expert assigned"}, appraisal.ActionStart: {"开始鉴定", "Appraisal started"},
	appraisal.ActionSubmitOpinion: {"提交鉴定意见", "Opinion submitted"},
	appraisal.ActionRouteReview:   {"转入复核（系统）", "Sent to review (by the system)"},
	appraisal.ActionAutoComplete:  {"无需复核，自动完成（系统）", "Completed without review (by the system)"},
	appraisal.ActionReviewAgree:   {"复核同意", "Review agreed"}, appraisal.ActionReviewSendBk: {"复核退回", "Sent back by the reviewer"},
	appraisal.ActionIssueCert: {"出具证书", "Certificate issued"}, appraisal.ActionRevokeCert: {"证书已撤销，可重新出证", "Certificate revoked; it may be issued again"},
	appraisal.ActionDispute: {"发起争议", "Disputed"},
}

// reviewReasonLabels word why an opinion was routed to review (the timeline's route_to_review).
var reviewReasonLabels = map[string]label{
	appraisal.ReviewForVerdict: {"结论为仿品或存疑，必须复核", "A fake or uncertain verdict is always reviewed"},
	appraisal.ReviewHighValue:  {"估值超过复核金额门槛", "The estimate is over the review threshold"},
	appraisal.ReviewSampled:    {"按比例抽样复核", "Sampled for review"},
}

// loginReasonLabels word why a login failed, for the login log.
var loginReasonLabels = map[string]label{
	appraisal.LoginUnknownUser: {"用户名不存在", "No such username"}, appraisal.LoginBadPassword: {"密码错误", "Wrong password"},
	appraisal.LoginDisabled: {"账号已停用", "Account disabled"}, appraisal.LoginThrottled: {"失败次数过多，已暂时锁定", "Locked for a while after too many failures"},
}

// settingLabels name each run-time setting and say what it does, in both languages.
var settingLabels = map[string]struct{ name, help label }{
	appraisal.SettingReviewThresholdFen: {label{"复核金额门槛（分）", "Review threshold (fen)"},
		label{"鉴定意见的估值上限高于此金额（单位：分）时必须复核；0 表示关闭此规则", "Opinions whose highest value exceeds this (in fen) go to review; 0 turns the rule off"}},
	appraisal.SettingReviewSampleRate: {label{"抽样复核比例", "Review sample rate"},
		label{"其余鉴定意见中抽样复核的比例，0 到 1 之间（0.1 即 10%）", "The share of the other opinions sampled for review, from 0 to 1 (0.1 is 10%)"}},
}

type labelsOutput struct {
	CacheControl string `header:"Cache-Control"`
	Body         struct {
		Statuses      map[string]label `json:"statuses" doc:"Order statuses"`
		Roles         map[string]label `json:"roles" doc:"By role code (super_admin …)"`
		Verdicts      map[string]label `json:"verdicts"`
		MediaStatuses map[string]label `json:"media_statuses"`
		CertStatuses  map[string]label `json:"certificate_statuses" doc:"By certificate status (ISSUED, REVOKED, SUPERSEDED)"`
		RevokeReasons map[string]label `json:"revoke_reasons" doc:"The published reasons of a revocation"`
		MediaReasons  map[string]label `json:"media_reasons" doc:"By media reason_code"`
		Operations    map[string]label `json:"operations" doc:"By operation id: the names of permissions and of allowed_actions"`
		ErrorCodes    map[string]label `json:"error_codes" doc:"By problem code"`
		OrderEvents   map[string]label `json:"order_events" doc:"By timeline action, the system's own (route_to_review, auto_complete, revoke_certificate) included"`
		Settings      map[string]label `json:"settings" doc:"By setting key: its name"`
		SettingHelp   map[string]label `json:"setting_help" doc:"By setting key: what it does"`
		LoginReasons  map[string]label `json:"login_reasons" doc:"Why a login failed, by the login log's reason"`
		ReviewReasons map[string]label `json:"review_reasons" doc:"Why an opinion went to review, by review_reason"`
	}
}

func labelsGet(d *Deps) route {
	return handle(public(huma.Operation{
		OperationID: "labels.get", Method: http.MethodGet, Path: "/api/v1/labels", Tags: []string{"public"},
		Summary:     "The words for statuses, roles, verdicts, permissions and codes, in zh-CN and English",
		Description: "One source of names for every client. No login: the login page needs them too. Cacheable for five minutes.",
	}), func(ctx context.Context, _ *struct{}) (*labelsOutput, error) {
		out := &labelsOutput{CacheControl: "public, max-age=300"}
		b := &out.Body
		b.Statuses, b.Roles, b.Verdicts, b.MediaStatuses = map[string]label{}, map[string]label{}, map[string]label{}, map[string]label{}
		b.MediaReasons, b.Operations, b.ErrorCodes = map[string]label{}, operationLabels, map[string]label{}
		b.CertStatuses, b.RevokeReasons = certStatusLabels, map[string]label{}
		for k, v := range revokeReasonLabels {
			b.RevokeReasons[string(k)] = v
		}
		for k, v := range statusLabels {
			b.Statuses[string(k)] = v
		}
		for k, v := range roleLabels {
			b.Roles[k.Code()] = v
		}
		for k, v := range verdictLabels {
			b.Verdicts[string(k)] = v
		}
		for k, v := range mediaStatusLabels {
			b.MediaStatuses[string(k)] = v
		}
		for k, v := range appraisal.ReasonText {
			b.MediaReasons[k] = label{v[0], v[1]}
		}
		for k := range errorCodes {
			b.ErrorCodes[k] = label{messages[k][0], messages[k][1]}
		}
		b.OrderEvents, b.Settings, b.SettingHelp = map[string]label{}, map[string]label{}, map[string]label{}
		for k, v := range eventLabels {
			b.OrderEvents[string(k)] = v
		}
		b.LoginReasons, b.ReviewReasons = loginReasonLabels, reviewReasonLabels
		for k, v := range settingLabels {
			b.Settings[k], b.SettingHelp[k] = v.name, v.help
		}
		return out, nil
	})
}
