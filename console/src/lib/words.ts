// A word table: Chinese words shown through t() (scripts/lint-han.mjs lets them stand here).
// The words of failures, apart from where they are shown (errors.ts), so they are tested alone.
// A refusal of the API is a Problem with a stable code, worded from /api/v1/labels; a 422 names
// each field in words, never the API's field names; what never reached the API (client.*, from
// send.ts) is worded here.
import { t } from "../i18n";
import type { Problem } from "./api";

/** The console's own codes, for failures the API never answered. */
export const clientWords: Record<string, string> = {
  "client.network": "网络异常，请检查网络连接后重试",
  "client.timeout": "请求超时，请稍后重试",
  "client.server": "服务器暂时无法处理请求，请稍后重试",
  "client.session_expired": "登录已过期，请重新登录",
};

// The API's request fields in words (the last part of a field path).
const fieldWords: Record<string, string> = {
  name: "名称", phone: "手机号", title: "标题", description: "描述", note: "备注", reason: "原因",
  username: "用户名", display_name: "显示名称", password: "密码", new_password: "新密码", old_password: "原密码",
  role: "角色", capacity: "容量", specialties: "专长", category_id: "类目", customer_id: "客户", item_id: "藏品",
  product_id: "服务", expert_id: "鉴定师", user_id: "账号", verdict: "真伪结论", grade: "品相等级",
  value_min_fen: "估值下限", value_max_fen: "估值上限", declared_value_fen: "申报价值", price_fen: "价格",
  sla_hours: "时效小时", attributes: "属性", from: "开始日期", to: "结束日期", into: "合并到", code: "编码",
  filename: "文件名", content_type: "文件类型", size: "文件大小", kind: "类型", comment: "意见", values: "设置",
  // What the audit log's before and after carry.
  cert_no: "证书编号", public_reason: "公开原因", revoke_reason: "撤销原因", assignee_expert_id: "鉴定师", order_no: "订单号",
  sla_due_at: "截止时间", owner_id: "所属对象", owner_type: "所属类型", blocked_reason: "拉黑原因", phone_masked: "手机号",
  can_review: "可复核", status: "状态", version: "版本", disabled: "停用", blocked: "拉黑", era: "年代", condition: "品相",
  public_comment: "鉴定意见", decision: "复核结论", count: "数量", revoked: "结束的会话数", must_change_password: "须修改密码",
};

/** A request or record field in words, or undefined when it has none (never shown raw). */
export function fieldWord(key: string): string | undefined {
  const w = fieldWords[key];
  return w ? t(w) : undefined;
}

/** What an audit entry's target is, in words. */
export const targetWords: Record<string, string> = {
  order: "订单", customer: "客户", item: "藏品", media: "文件", user: "用户", certificate: "证书", expert: "鉴定师",
  session: "会话", setting: "设置", settings: "设置", role: "角色", category: "类目", product: "服务",
};

// What was wrong with a field, by the FieldError's code, where the API's own message is not in
// the console's language.
const codeWords: Record<string, string> = {
  required: "为必填项", too_short: "太短", too_long: "太长", too_small: "太小", too_large: "太大",
  bad_format: "格式不正确", bad_phone: "不是有效的手机号", not_allowed: "取值不在允许范围内",
  bad_range: "须晚于开始日期", too_many: "超出允许的范围", disabled: "已停用", not_found: "不存在",
  invalid: "取值不合法", unknown_field: "不被支持", wrong_type: "类型不正确",
};

// Rules whose message from the API carries the limit in the caller's language (长度不能少于 2);
// for the rest the code's words serve (the API's text names fields and patterns).
const withLimit = new Set(["too_short", "too_long", "too_small", "too_large", "too_few", "too_many"]);

/** The words of one field error: the field, then what is wrong with it. */
export function fieldText(e: { field: string; code: string; message: string; limit?: number }, zh: boolean): string {
  const last = e.field.split(".").pop() ?? "";
  if (e.code === "too_large" && e.limit && last === "size") return `${t("文件大小不能超过")} ${bytes(e.limit)}`;
  const field = fieldWords[last] ? t(fieldWords[last]) : t("输入");
  const what = withLimit.has(e.code) && e.message ? e.message : t(codeWords[e.code] ?? "取值不合法");
  if (!zh) return `${field}: ${what}`;
  return what.startsWith("为") ? `${field}${what}` : `${field}：${what}`;
}

/** A Problem in words, with the label lookup passed in (labels come from the API). */
export function describeProblem(p: Problem | { code: string; status: number; title?: string; detail?: string; errors?: Problem["errors"]; details?: Record<string, unknown> }, label: (code: string) => string, zh: boolean): string {
  if (clientWords[p.code]) {
    const words = t(clientWords[p.code]!);
    return p.code === "client.server" && p.status ? `${words} (${p.status})` : words;
  }
  const known = label(p.code);
  const words = known && known !== p.code ? known : (p.detail ?? p.title ?? t("操作失败"));
  const fields = (p.errors ?? []).filter((e) => e.field || e.code).map((e) => fieldText(e, zh));
  const wait = Number((p as { details?: Record<string, unknown> }).details?.retry_after_seconds ?? 0);
  const text = fields.length ? `${words}：${fields.join(zh ? "；" : "; ")}` : words;
  return wait > 0 ? `${text}${zh ? "（" : " ("}${waitText(wait)}${zh ? "）" : ")"}` : text;
}

/** How long to wait, in the unit a person would say. */
export function waitText(seconds: number): string {
  if (seconds < 90) return `${t("请在")} ${seconds} ${t("秒后重试")}`;
  return `${t("请在")} ${Math.ceil(seconds / 60)} ${t("分钟后重试")}`;
}

/** A size in the unit a person would say (MB for what a phone records). */
export function bytes(n: number): string {
  if (n >= 1 << 30 && n % (1 << 30) === 0) return `${n / (1 << 30)} GB`;
  if (n >= 1 << 20) return `${Math.round((n / (1 << 20)) * 10) / 10} MB`;
  return `${Math.ceil(n / 1024)} KB`;
}

