import { describe, expect, it } from "vitest";
import { describeProblem, fieldText } from "./words";
import { send } from "./send";

const label = (code: string) => ({ validation_failed: "请求参数不合法", "order.version_conflict": "订单已被他人修改，请刷新后重试", "auth.too_many_attempts": "登录失败次数过多，请稍后再试", "auth.busy": "当前登录请求过多，请稍后重试" })[code] ?? code;

describe("describeProblem", () => {
  it.each([
    [{ code: "client.network", status: 0 }, "网络异常，请检查网络连接后重试"],
    [{ code: "client.timeout", status: 0 }, "请求超时，请稍后重试"],
    [{ code: "client.server", status: 502 }, "服务器暂时无法处理请求，请稍后重试 (502)"],
    [{ code: "order.version_conflict", status: 409 }, "订单已被他人修改，请刷新后重试"],
    [{ code: "validation_failed", status: 422, errors: [{ field: "value_max_fen", code: "too_small", message: "不能小于 100" }] }, "请求参数不合法：估值上限：不能小于 100"],
    [{ code: "validation_failed", status: 422, errors: [{ field: "name", code: "required", message: "缺少必填字段 name" }] }, "请求参数不合法：名称为必填项"],
    [{ code: "validation_failed", status: 422, errors: [{ field: "phone", code: "bad_phone", message: "not a phone number" }] }, "请求参数不合法：手机号：不是有效的手机号"],
    [{ code: "validation_failed", status: 422, errors: [{ field: "body.zzz_internal", code: "unknown_field", message: "unexpected property" }] }, "请求参数不合法：输入：不被支持"],
    [{ code: "validation_failed", status: 422, errors: [{ field: "size", code: "too_large", message: "文件过大", limit: 30 << 20 }] }, "请求参数不合法：文件大小不能超过 30 MB"],
    [{ code: "auth.too_many_attempts", status: 429, details: { retry_after_seconds: 900 } }, "登录失败次数过多，请稍后再试（请在 15 分钟后重试）"],
    [{ code: "auth.busy", status: 503, details: { retry_after_seconds: 1 } }, "当前登录请求过多，请稍后重试（请在 1 秒后重试）"],
  ])("%o reads %s", (p, want) => {
    expect(describeProblem(p, label, true)).toBe(want);
  });

  it("never shows an API field name or a snake_case code", () => {
    for (const field of ["value_max_fen", "declared_value_fen", "category_id", "new_password", "some_new_field"]) {
      const text = fieldText({ field, code: "invalid", message: "bad" }, true);
      expect(text).not.toMatch(/[a-z]+_[a-z]+/);
    }
  });
});

describe("send", () => {
  const req = () => new Request("http://api.test/api/v1/orders");
  it("turns a network failure into client.network", async () => {
    const res = await send(req(), async () => { throw new TypeError("Failed to fetch"); });
    expect(res.status).toBe(599);
    expect((await res.json()).code).toBe("client.network");
  });
  it("turns a timeout into client.timeout", async () => {
    const res = await send(req(), async () => { throw new DOMException("timed out", "TimeoutError"); });
    expect((await res.json()).code).toBe("client.timeout");
  });
  it("turns a 5xx that is not a Problem into client.server, and keeps one that is", async () => {
    const html = await send(req(), async () => new Response("<html>502 Bad Gateway</html>", { status: 502, headers: { "Content-Type": "text/html" } }));
    expect(await html.json()).toMatchObject({ code: "client.server", status: 502 });
    const problem = await send(req(), async () => new Response('{"code":"mysql.busy","status":503}', { status: 503, headers: { "Content-Type": "application/problem+json" } }));
    expect(problem.status).toBe(503);
  });
  it("says the console's language", async () => {
    let lang = "";
    await send(req(), async (r) => { lang = (r as Request).headers.get("Accept-Language") ?? ""; return new Response("{}"); });
    expect(lang).toBe("zh-CN");
  });
});
