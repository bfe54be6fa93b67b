// The product as its users meet it, in a real browser against the real server (the shim on
// MariaDB, Redis and FFmpeg): staff accounts, intake with photo and video upload, the appraisal
// flow across four people, the certificate from print to a stranger's phone, and revocation.
// Any console error or failed request in any page fails the test; every page is screenshotted
// into test-results/ and checked with axe (no serious or critical violation).
import AxeBuilder from "@axe-core/playwright";
import { expect, test, type APIRequestContext, type Browser, type BrowserContext, type Page } from "@playwright/test";
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import jsQR from "jsqr";
import { PNG } from "pngjs";

const adminPassword = process.env.E2E_ADMIN_PASSWORD ?? "Admin-e2e-Pass-2026";
// Where the API and the certificate pages are: the console's own origin when the shim serves
// everything; a deployment's API domain otherwise (playwright.config.ts).
const apiURL = process.env.E2E_API_URL ?? "";
const publicBase = process.env.E2E_PUBLIC_BASE_URL ?? "";
const staffPassword = "Staff-e2e-Pass-2026";

test.describe.configure({ mode: "serial" });

// --- watching every page -------------------------------------------------------------------------
const problems: string[] = [];
// Refusals a step provokes on purpose: "<status> <method> <path>", each allowed once.
// The browser also logs each refused fetch as a console error; those of provoked refusals are
// not problems either.
const expected: string[] = [];
const provoked: string[] = [];
// Paths whose requests a step fails on purpose (page.route … abort): their failures are the point.
const aborted: string[] = [];
const isAborted = (url: string) => aborted.some((p) => new URL(url).pathname === p);
const isProvoked = (m: { text(): string; location(): { url: string } }) =>
  m.text().startsWith("Failed to load resource") &&
  ([...expected, ...provoked].some((e) => m.location().url.endsWith(e.split(" ")[2]!)) || isAborted(m.location().url));
const a11y: string[] = [];
let shots = 0;

function watch(ctx: BrowserContext, who: string): BrowserContext {
  ctx.on("console", (m) => {
    // A stored file opened in a tab (the original) sits on the storage's host, where the browser
    // asks for a favicon it does not have: not a page of ours.
    const foreignFavicon = m.location().url.endsWith("/favicon.ico") && !(m.page()?.url() ?? "").includes("/console/");
    if (m.type() === "error" && !isProvoked(m) && !foreignFavicon) problems.push(`${who} console: ${m.text()} at ${m.location().url}`);
  });
  ctx.on("weberror", (e) => problems.push(`${who} page error: ${e.error().message}`));
  ctx.on("requestfailed", (r) => {
    if (!isAborted(r.url())) problems.push(`${who} request failed: ${r.method()} ${r.url()} ${r.failure()?.errorText}`);
  });
  ctx.on("response", (r) => {
    if (r.status() < 400) return;
    const i = expected.indexOf(`${r.status()} ${r.request().method()} ${new URL(r.url()).pathname}`);
    if (i >= 0) provoked.push(...expected.splice(i, 1));
    else problems.push(`${who} ${r.status()}: ${r.request().method()} ${r.url()}`);
  });
  return ctx;
}

async function newContext(browser: Browser, who: string): Promise<{ ctx: BrowserContext; page: Page }> {
  const ctx = watch(await browser.newContext(), who);
  return { ctx, page: await ctx.newPage() };
}

// A screenshot of the page as it is, and an accessibility check of it.
async function look(page: Page, name: string, dialog = false, fullPage = !dialog): Promise<void> {
  // Settled: fonts and images loaded, nothing loading (Playwright's "networkidle" never fires
  // again once a frame has navigated to about:srcdoc, as the certificate print view does).
  await page.waitForFunction(async () => {
    await document.fonts.ready;
    return [...document.images].every((i) => i.complete) && !document.querySelector(".el-loading-mask");
  });
  if (!dialog) await expect(page.locator(".el-overlay:visible")).toHaveCount(0);
  // No dialog half faded in or out.
  await expect(page.locator(".dialog-fade-enter-active, .dialog-fade-leave-active")).toHaveCount(0);
  shots++;
  // A dialog is fixed to the window: the window is what the person sees.
  await page.screenshot({ path: test.info().outputPath(`${String(shots).padStart(2, "0")}-${name}.png`), fullPage });
  // Toasts are left out: they fade in and out, and axe measures a half-transparent one's contrast.
  const result = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa"]).exclude(".el-message").analyze();
  for (const v of result.violations) {
    if (v.impact === "serious" || v.impact === "critical") {
      a11y.push(`${name}: ${v.id} (${v.impact}) ${v.help} — ${v.nodes.map((n) => `${n.target.join(" ")} ${n.html.slice(0, 160)}`).slice(0, 3).join(" | ")}`);
    }
  }
}

test.afterAll(() => {
  expect(problems, "console errors and failed requests").toEqual([]);
  expect(expected, "refusals that were provoked but never came").toEqual([]);
  expect(a11y, "serious or critical accessibility violations").toEqual([]);
});

// --- helpers in the console's own terms ------------------------------------------------------------
async function login(page: Page, username: string, password: string) {
  await page.goto("/console/#/login");
  await page.locator("#username").fill(username);
  await page.locator("#password").fill(password);
  await page.getByRole("button", { name: "登录" }).click();
  await expect(page.getByRole("heading", { name: "工作台" })).toBeVisible();
}

// Element Plus selects: open the one marked data-test, pick the option by its words.
async function choose(page: Page, testId: string, option: string | RegExp) {
  await page.locator(`[data-test="${testId}"]`).click();
  await page.locator(".el-select-dropdown__item:visible", { hasText: option }).first().click();
}

async function confirm(page: Page) {
  await page.locator('.el-dialog:visible [data-test="confirm"]').click();
}

async function action(page: Page, name: string) {
  await page.locator('[data-test="actions"]').getByRole("button", { name }).click();
}

function media(dir: string) {
  const photo = join(dir, "梅瓶正面.jpg");
  const portrait = join(dir, "梅瓶底款.jpg");
  const video = join(dir, "梅瓶转动.mp4");
  execFileSync("ffmpeg", ["-v", "error", "-f", "lavfi", "-i", "testsrc=size=800x600", "-frames:v", "1", photo]);
  execFileSync("ffmpeg", ["-v", "error", "-f", "lavfi", "-i", "testsrc=size=600x1000", "-frames:v", "1", portrait]);
  execFileSync("ffmpeg", ["-v", "error", "-f", "lavfi", "-i", "testsrc=duration=1:size=320x240:rate=10", "-pix_fmt", "yuv420p", "-c:v", "libx264", video]);
  return { photo, portrait, video };
}

// The viewer shows the whole photo: the image's drawn box lies inside its stage and the window,
// fills the stage along one side, and keeps the photo's shape.
async function wholeInView(page: Page, name: string) {
  const img = page.locator('[data-test="viewer-image"]');
  await expect(img).toHaveAttribute("alt", name);
  await expect(page.locator(".dialog-fade-enter-active")).toHaveCount(0);
  await expect.poll(() => img.evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth > 0 && i.getBoundingClientRect().width > 1)).toBe(true);
  const m = await img.evaluate((i: HTMLImageElement) => {
    const b = i.getBoundingClientRect();
    const s = i.parentElement!.getBoundingClientRect();
    return { b: { l: b.left, t: b.top, r: b.right, bo: b.bottom, w: b.width, h: b.height }, s: { l: s.left, t: s.top, r: s.right, bo: s.bottom, w: s.width, h: s.height }, nw: i.naturalWidth, nh: i.naturalHeight, vw: innerWidth, vh: innerHeight };
  });
  const d = JSON.stringify(m);
  expect(m.b.l, d).toBeGreaterThanOrEqual(Math.max(m.s.l, 0) - 1);
  expect(m.b.t, d).toBeGreaterThanOrEqual(Math.max(m.s.t, 0) - 1);
  expect(m.b.r, d).toBeLessThanOrEqual(Math.min(m.s.r, m.vw) + 1);
  expect(m.b.bo, d).toBeLessThanOrEqual(Math.min(m.s.bo, m.vh) + 1);
  expect(Math.abs(m.b.w / m.b.h - m.nw / m.nh), d).toBeLessThan(0.02);
  expect(Math.abs(m.b.w - m.s.w) < 2 || Math.abs(m.b.h - m.s.h) < 2, `fitted to the stage: ${d}`).toBe(true);
}

// --- the flow --------------------------------------------------------------------------------------
let words: { roles: Record<string, { zh: string }>; operations: Record<string, { zh: string }>; statuses: Record<string, { zh: string }> };
let orderURL = "";
let certNo = "";
let verifyURL = "";

test("admin sets up the staff", async ({ browser, request }) => {
  words = await (await request.get(apiURL + "/api/v1/labels")).json();
  const { ctx, page } = await newContext(browser, "admin");
  await page.goto("/console/#/login");
  await look(page, "login");
  await login(page, "admin", adminPassword);
  await look(page, "admin-workbench");

  await page.getByRole("menuitem", { name: "系统管理" }).click();
  await page.getByRole("menuitem", { name: "用户" }).click();
  for (const [username, display, role] of [
    ["op1", "王客服", "operator"],
    ["ex1", "李鉴定", "expert"],
    ["rv1", "赵复核", "reviewer"],
  ] as const) {
    await page.locator('[data-test="new-user"]').click();
    await page.locator("#u-name").fill(username);
    await page.locator("#u-display").fill(display);
    await choose(page, "role", words.roles[role]!.zh);
    await page.locator("#u-password").fill(staffPassword);
    await confirm(page);
    await expect(page.getByRole("cell", { name: username, exact: true })).toBeVisible();
  }
  await look(page, "admin-users");

  await page.getByRole("menuitem", { name: "鉴定师" }).click();
  await page.locator('[data-test="new-expert"]').click();
  await choose(page, "expert-user", "李鉴定");
  await page.locator("#e-title").fill("高级鉴定师");
  await choose(page, "expert-categories", "青花瓷");
  await page.keyboard.press("Escape");
  await confirm(page);
  await expect(page.getByRole("cell", { name: "李鉴定" })).toBeVisible();
  await look(page, "admin-experts");

  for (const [menu, name] of [["角色权限", "admin-roles"], ["类目与服务", "admin-catalog"], ["系统设置", "admin-settings"], ["审计日志", "admin-audit"], ["登录日志", "admin-login-logs"]]) {
    await page.getByRole("menuitem", { name: menu }).click();
    await look(page, name!);
  }

  // No page at an address: words and a way back, not a silent jump.
  await page.goto("/console/#/no-such-page");
  await expect(page.locator('[data-test="status-404"]')).toContainText("页面不存在");
  await look(page, "not-found");
  // The network failing under a page: the message says so in words.
  await page.getByRole("menuitem", { name: "工作台" }).click();
  await page.getByRole("menuitem", { name: "客户" }).click();
  await expect(page.getByRole("heading", { name: "客户" }).or(page.locator(".el-table")).first()).toBeVisible();
  aborted.push("/api/v1/customers");
  await page.route("**/api/v1/customers?**", (r) => r.abort("internetdisconnected"));
  await page.getByRole("button", { name: "搜索", exact: true }).click();
  await expect(page.locator(".el-message--error")).toContainText("网络异常");
  await page.unroute("**/api/v1/customers?**");
  await ctx.close();
});

test("the operator takes in an item with a photo and a video and opens an order", async ({ browser }) => {
  const files = media(mkdtempSync(join(tmpdir(), "jb-e2e-")));
  const { ctx, page } = await newContext(browser, "operator");
  await login(page, "op1", staffPassword);
  await look(page, "operator-workbench");

  await page.getByRole("menuitem", { name: "客户" }).click();
  await page.locator('[data-test="new-customer"]').click();
  await page.locator("#c-name").fill("张三");
  await page.locator("#c-phone").fill("139 0000 1111");
  await confirm(page);
  await expect(page.getByText("+8613900001111")).toBeVisible();
  await look(page, "customer");

  await page.locator('[data-test="new-item"]').click();
  await page.locator("#i-title").fill("青花缠枝莲纹梅瓶");
  await choose(page, "category", "青花瓷");
  await page.locator("#i-desc").fill("高约三十厘米，底有款");
  await page.locator("#i-attrs").fill("材质: 瓷\n尺寸: 高 30cm");
  await confirm(page);
  await expect(page.getByText("青花缠枝莲纹梅瓶").first()).toBeVisible();

  // The photo through the file chooser: a progress bar, then its thumbnail once processed.
  const chooser = page.waitForEvent("filechooser");
  await page.getByText("上传文件").click();
  await (await chooser).setFiles(files.photo);
  await expect(page.locator('[data-test="upload-梅瓶正面.jpg"] .el-progress')).toBeVisible();
  await expect(page.locator('[data-test="media-梅瓶正面.jpg"][data-status="READY"] img')).toBeVisible({ timeout: 60_000 });
  await page.locator('[data-test="file-input"]').setInputFiles(files.video);
  await expect(page.locator('[data-test="media-梅瓶转动.mp4"][data-status="READY"] img')).toBeVisible({ timeout: 90_000 });
  // Something that is not a photo, dropped on the gallery: rejected, with the reason in Chinese,
  // and its upload bar gone — no tick for a refused file.
  const dropped = await page.evaluateHandle(() => {
    const d = new DataTransfer();
    d.items.add(new File(["这不是一张照片".repeat(20)], "损坏的照片.jpg", { type: "image/jpeg" }));
    return d;
  });
  await page.locator(".gallery").first().dispatchEvent("drop", { dataTransfer: dropped });
  await expect(page.locator('[data-test="media-损坏的照片.jpg"][data-status="REJECTED"] [data-test="reason"]')).toHaveText(/[\u4e00-\u9fff]/, { timeout: 60_000 });
  await expect(page.locator('[data-test="upload-损坏的照片.jpg"]')).toHaveCount(0);
  await expect(page.locator(".upload .el-progress.is-success")).toHaveCount(0);
  await look(page, "item-with-media");

  await page.locator('[data-test="file-input"]').setInputFiles(files.portrait);
  await expect(page.locator('[data-test="media-梅瓶底款.jpg"][data-status="READY"] img')).toBeVisible({ timeout: 60_000 });

  // The viewer: the whole photo first, a landscape and a portrait one, at the desk and on a phone.
  for (const [label, size] of [["desk", { width: 1440, height: 900 }], ["phone", { width: 390, height: 844 }]] as const) {
    await page.setViewportSize(size);
    for (const name of ["梅瓶正面.jpg", "梅瓶底款.jpg"]) {
      await page.getByRole("button", { name, exact: true }).click();
      await wholeInView(page, name);
      await look(page, `viewer-${label}-${name.startsWith("梅瓶底款") ? "portrait" : "landscape"}`, true);
      await page.keyboard.press("Escape");
      await expect(page.locator('[data-test="viewer-image"]')).toHaveCount(0);
    }
  }
  await page.setViewportSize({ width: 1440, height: 900 });
  // Then zoom (the wheel), rotate (still whole), the next file, two photos side by side, and the
  // original through its signed, audited link.
  await page.getByRole("button", { name: "梅瓶底款.jpg", exact: true }).click();
  await wholeInView(page, "梅瓶底款.jpg");
  await page.locator('[data-test="viewer-stage"]').hover();
  await page.mouse.wheel(0, -400);
  await expect.poll(async () => Number(await page.locator('[data-test="viewer-image"]').getAttribute("data-zoom"))).toBeGreaterThan(1.5);
  await page.locator('[data-test="viewer-fit"]').click();
  await page.locator('[data-test="viewer-rotate-right"]').click();
  await expect(page.locator('[data-test="viewer-image"]')).toHaveAttribute("data-rotation", "90");
  const turned = await page.locator('[data-test="viewer-image"]').boundingBox();
  const stage = await page.locator('[data-test="viewer-stage"]').boundingBox();
  expect(turned!.width).toBeGreaterThan(turned!.height); // a portrait photo turned a quarter
  expect(turned!.x + turned!.width).toBeLessThanOrEqual(stage!.x + stage!.width + 1);
  expect(turned!.y + turned!.height).toBeLessThanOrEqual(stage!.y + stage!.height + 1);
  await page.locator('[data-test="viewer-compare"]').click();
  await expect(page.locator('[data-test="viewer-image-compare"]')).toBeVisible();
  await look(page, "viewer-compare", true);
  await page.locator('[data-test="viewer-compare"]').click();
  const popup = page.waitForEvent("popup");
  await page.locator('[data-test="viewer-original"]').click();
  const original = await popup;
  await original.waitForLoadState();
  expect(original.url()).not.toBe("about:blank");
  await original.close();
  await page.locator('[data-test="viewer-next"]').click();
  await expect(page.locator(".photo-viewer .el-dialog__title")).not.toHaveText("梅瓶底款.jpg");
  await page.keyboard.press("Escape");
  // The refused file is deleted, after a confirmation.
  await page.locator('[data-test="delete-损坏的照片.jpg"]').click();
  await page.locator(".el-message-box").getByRole("button", { name: "删除" }).click();
  await expect(page.locator('[data-test="media-损坏的照片.jpg"]')).toHaveCount(0);
  // A video plays in the same viewer, with its original a click away.
  await page.getByRole("button", { name: "梅瓶转动.mp4", exact: true }).click();
  await expect(page.locator(".photo-viewer video")).toHaveAttribute("src", /.+/);
  await expect(page.locator('[data-test="viewer-original"]')).toBeVisible();
  await page.keyboard.press("Escape");

  await page.locator('[data-test="new-order"]').click();
  await confirm(page);
  await expect(page.locator('[data-test="status"]')).toHaveText(words.statuses.SUBMITTED!.zh);
  orderURL = page.url();

  // Someone else changes the order first: this tab's button still shows, the API refuses the stale
  // version, and the page says what happened.
  const stale = await ctx.newPage();
  await stale.goto(orderURL);
  await expect(stale.locator('[data-test="status"]')).toHaveText(words.statuses.SUBMITTED!.zh);

  for (const op of ["orders.triage", "orders.accept"]) {
    await action(page, words.operations[op]!.zh);
    await confirm(page);
  }
  expected.push(`409 POST ${new URL(orderURL.replace("/console/#", "/api/v1")).pathname}/triage`);
  await action(stale, words.operations["orders.triage"]!.zh);
  await confirm(stale);
  await expect(stale.locator(".el-message--error")).toContainText("订单已被他人修改，请刷新后重试");
  await expect(stale.locator('[data-test="status"]')).toHaveText(words.statuses.QUEUED!.zh);
  await look(stale, "order-conflict");
  await stale.close();
  await expect(page.locator('[data-test="status"]')).toHaveText(words.statuses.QUEUED!.zh);
  await action(page, "指派鉴定师");
  await choose(page, "expert", "李鉴定");
  await confirm(page);
  await expect(page.locator('[data-test="status"]')).toHaveText(words.statuses.ASSIGNED!.zh);
  await look(page, "order-assigned");

  await page.getByRole("menuitem", { name: "订单" }).click();
  await page.getByRole("textbox", { name: "搜索" }).fill("缠枝莲");
  await page.getByRole("button", { name: "搜索", exact: true }).click();
  await expect(page.getByRole("cell", { name: "青花缠枝莲纹梅瓶" })).toBeVisible();
  const download = page.waitForEvent("download");
  await page.getByRole("button", { name: "导出CSV" }).click();
  expect((await download).suggestedFilename()).toMatch(/^orders-.*\.csv$/);
  await look(page, "orders");
  await ctx.close();
});

test("the expert sees only their order and gives an opinion; the reviewer agrees", async ({ browser }) => {
  const { ctx, page } = await newContext(browser, "expert");
  await login(page, "ex1", staffPassword);
  const rows = page.locator(".el-tab-pane:visible .el-table__body tr");
  await expect(rows).toHaveCount(1);
  await look(page, "expert-workbench");
  await rows.first().getByRole("link").click();
  await expect(page.getByText("高约三十厘米，底有款")).toBeVisible();
  // Back to the workbench and into the order again: nothing changed, so the tab asks with the
  // ETags it kept and both reads come back 304, shown from what it kept.
  const revalidated: string[] = [];
  page.on("response", (r) => {
    if (r.status() === 304) revalidated.push(new URL(r.url()).pathname);
  });
  await page.goBack();
  await expect(rows).toHaveCount(1);
  await rows.first().getByRole("link").click();
  await expect(page.getByText("高约三十厘米，底有款")).toBeVisible();
  expect(revalidated).toContain("/api/v1/orders");
  expect(revalidated.filter((p) => /^\/api\/v1\/orders\/\d+$/.test(p))).toHaveLength(1);
  await expect(page.locator('[data-test="media-梅瓶正面.jpg"] img')).toBeVisible();
  await action(page, words.operations["orders.start"]!.zh);
  await confirm(page);
  await action(page, words.operations["orders.submit_opinion"]!.zh);
  await page.locator("#era").fill("清乾隆");
  await page.locator("#condition").fill("完好");
  await page.locator("#public-comment").fill("胎釉、青料、纹饰均符合时代特征");
  await confirm(page);
  await expect(page.locator('[data-test="status"]')).toHaveText(words.statuses.IN_REVIEW!.zh);
  await look(page, "expert-order");
  await ctx.close();

  const rv = await newContext(browser, "reviewer");
  await login(rv.page, "rv1", staffPassword);
  await rv.page.locator(".el-tab-pane:visible .el-table__body tr").first().getByRole("link").click();
  await action(rv.page, words.operations["orders.review"]!.zh);
  await confirm(rv.page);
  await expect(rv.page.locator('[data-test="status"]')).toHaveText(words.statuses.COMPLETED!.zh);
  await look(rv.page, "reviewer-order");
  await rv.ctx.close();
});

test("the operator issues and prints the certificate; a stranger scans it", async ({ browser, request }) => {
  const { ctx, page } = await newContext(browser, "operator");
  await login(page, "op1", staffPassword);
  await page.goto(orderURL);
  await action(page, "出具证书");
  await confirm(page);
  await expect(page.locator('[data-test="status"]')).toHaveText(words.statuses.CERT_ISSUED!.zh);
  await page.locator('[data-test="print"]').click();
  const print = page.frameLocator('[data-test="print-frame"]');
  await expect(print.getByText("青花缠枝莲纹梅瓶")).toBeVisible();
  await look(page, "certificate-print", true);

  // The QR code as printed: decoded from its pixels, the way a phone would.
  const src = await print.getByRole("img", { name: "核验二维码" }).getAttribute("src");
  expect(src).toMatch(/^data:image\/png;base64,/);
  const png = PNG.sync.read(Buffer.from(src!.split(",")[1]!, "base64"));
  const code = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
  if (publicBase) expect(code?.data.startsWith(publicBase + "/c/")).toBe(true);
  else expect(code?.data).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/c\//);
  verifyURL = code!.data;
  certNo = (await page.locator(".el-card").filter({ hasText: "证书编号" }).locator("td").first().innerText()).trim();
  await ctx.close();

  // The page a phone opens: no script, and small (the budget is 60 KB gzipped; the cover photo is
  // its one image, a rendition sized for the screen).
  const html = await (await request.get(verifyURL)).body();
  expect(html.includes(Buffer.from("<script"))).toBe(false);
  expect(gzipSync(html).length).toBeLessThan(60 * 1024);

  const anon = await newContext(browser, "anonymous");
  await anon.page.setViewportSize({ width: 390, height: 844 });
  await anon.page.goto(verifyURL);
  await expect(anon.page.getByText(certNo)).toBeVisible();
  await expect(anon.page.getByText("青花缠枝莲纹梅瓶")).toBeVisible();
  await look(anon.page, "public-certificate");
  await anon.ctx.close();
});

test("after the admin revokes it, the stranger's page says so", async ({ browser }) => {
  const { ctx, page } = await newContext(browser, "admin");
  await login(page, "admin", adminPassword);
  await page.getByRole("menuitem", { name: "证书" }).click();
  await look(page, "certificates");
  await page.locator('[data-test="revoke"]').first().click();
  await page.locator('[data-test="revoke-public-reason"]').click();
  await page.getByRole("option", { name: "证书被用于其他物品" }).click();
  await page.locator("#revoke-reason").fill("送检人提供的藏品与实物不符，联系人 13800138000");
  await page.locator('[data-test="confirm-revoke"]').click();
  await expect(page.getByRole("cell", { name: "已撤销" })).toBeVisible();
  await page.getByRole("menuitem", { name: "数据看板" }).click();
  await expect(page.locator("canvas").first()).toBeVisible();
  await look(page, "dashboard");
  await ctx.close();

  const anon = await newContext(browser, "anonymous");
  await anon.page.goto(verifyURL);
  // The published reason from the list, never the staff's note, and no photo of the item.
  await expect(anon.page.getByText("证书被用于其他物品")).toBeVisible();
  await expect(anon.page.locator("body")).toContainText("此证书已撤销");
  await expect(anon.page.locator("body")).not.toContainText("13800138000");
  await expect(anon.page.locator("img")).toHaveCount(0);
  await look(anon.page, "public-certificate-revoked");
  await anon.ctx.close();
});

// Every Chinese string the API holds as data — names, titles, notes, opinions, the catalog — read
// as the admin: what people typed, which a page shows as written in either language.
async function dataStrings(request: APIRequestContext): Promise<string[]> {
  const login = await request.post(apiURL + "/api/v1/auth/login", { data: { username: "admin", password: adminPassword } });
  const auth = { Authorization: `Bearer ${(await login.json()).access_token}` };
  const get = async (path: string) => (await request.get(apiURL + path, { headers: auth })).json();
  const found = new Set<string>();
  const walk = (v: unknown): void => {
    if (typeof v === "string") {
      if (/[\u4e00-\u9fff]/.test(v)) v.split("\n").forEach((line) => found.add(line.trim()));
    } else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === "object") Object.entries(v).forEach(([k, x]) => { walk(k); walk(x); });
  };
  const orders = await get("/api/v1/orders?page_size=100");
  walk(orders);
  for (const o of (orders.items ?? []) as { id: string }[]) walk(await get(`/api/v1/orders/${o.id}`));
  for (const p of ["/api/v1/customers?page_size=100", "/api/v1/admin/users?page_size=100", "/api/v1/experts", "/api/v1/categories", "/api/v1/products", "/api/v1/certificates?page_size=100", "/api/v1/audit-logs?page_size=100"]) {
    walk(await get(p));
  }
  return [...found].filter(Boolean);
}

// Every page, in Chinese and in English: words, never a code (snake_case or dotted ids), and in
// English no Chinese but what people typed (names, titles, notes stay as they were written).
test("every page shows words, not codes, in both languages", async ({ browser, request }) => {
  const { ctx, page } = await newContext(browser, "admin");
  await login(page, "admin", adminPassword);
  const pages = ["/", "/orders", new URL(orderURL).hash.slice(1), "/customers", "/certificates", "/dashboard", "/profile",
    "/admin/users", "/admin/roles", "/admin/experts", "/admin/catalog", "/admin/settings", "/admin/audit", "/admin/login-logs"];
  // What people typed or the business named (people, items, notes, opinions, the categories and
  // services) stays as it was written, in either language: every Chinese string the API holds as
  // data, read back through the API (on a deployment that includes what other tests entered).
  const typed = (await dataStrings(request)).sort((a, b) => b.length - a.length);
  const code = /(?<![\w./@:-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w/])|(?<![\w./@:-])[a-z]+(?:\.[a-z_]+)+(?![\w/(])/g;
  const findings: string[] = [];
  for (const lang of ["zh", "en"] as const) {
    if (lang === "en") await page.getByRole("button", { name: "English" }).click();
    for (const p of pages) {
      await page.evaluate((h) => { location.hash = h; }, p);
      await page.waitForFunction(() => !document.querySelector(".el-loading-mask") && !!document.querySelector(".el-main")?.textContent?.trim());
      await page.waitForLoadState("networkidle");
      let text = await page.locator(".el-main").innerText();
      for (const m of text.match(code) ?? []) findings.push(`${lang} ${p}: code ${m}`);
      if (/\breview: /.test(text)) findings.push(`${lang} ${p}: the system's note as written ("review: …")`);
      if (lang === "en") {
        for (const w of typed) text = text.split(w).join("");
        for (const line of text.split("\n")) if (/[\u4e00-\u9fff]/.test(line)) findings.push(`en ${p}: Chinese "${line.trim().slice(0, 80)}"`);
      }
    }
    if (lang === "en") await look(page, "login-logs-english");
  }
  await page.getByRole("button", { name: "中文" }).click();

  // On a phone the menu is a drawer behind a button, and a detail page says where it is.
  await page.setViewportSize({ width: 390, height: 844 });
  await expect(page.locator(".aside")).toHaveCount(0);
  await page.locator('[data-test="menu-toggle"]').click();
  await page.locator(".menu-drawer").getByRole("menuitem", { name: "订单" }).click();
  await expect(page).toHaveURL(/#\/orders$/);
  await expect(page.locator(".menu-drawer")).toBeHidden();
  await look(page, "phone-orders");
  await page.evaluate((h) => { location.hash = h; }, new URL(orderURL).hash.slice(1));
  await expect(page.locator('[data-test="back"]')).toBeVisible();
  await expect(page.locator(".el-breadcrumb")).toContainText("订单");
  await look(page, "phone-order");
  await page.locator('[data-test="back"]').click();
  await expect(page).toHaveURL(/#\/orders$/);
  await page.setViewportSize({ width: 1280, height: 720 });
  await ctx.close();
  expect([...new Set(findings)]).toEqual([]);
});

test("two tabs of one user survive a token refresh", async ({ browser }) => {
  const { ctx, page } = await newContext(browser, "two-tabs");
  await login(page, "op1", staffPassword);
  // The login left the device cookie the server binds its refresh grace to: no script reads it.
  const device = (await ctx.cookies()).find((c) => c.name === "__Host-jb_device");
  expect(device?.httpOnly).toBe(true);
  expect(device?.sameSite).toBe("Strict");
  expect(await page.evaluate(() => document.cookie)).not.toContain("jb_device");
  const second = await ctx.newPage();
  await second.goto("/console/#/orders");
  await expect(second.getByRole("button", { name: "导出CSV" })).toBeVisible();

  let refreshes = 0;
  ctx.on("request", (r) => {
    if (r.url().endsWith("/api/v1/auth/refresh")) refreshes++;
  });
  // Both tabs find the access token expired at the same moment and each needs a new one.
  await page.evaluate(() => {
    const s = JSON.parse(localStorage.getItem("jb.session")!);
    localStorage.setItem("jb.session", JSON.stringify({ ...s, expiresAt: Date.now() - 1000 }));
  });
  await Promise.all([page.reload(), second.reload()]);
  await expect(page.getByRole("heading", { name: "工作台" })).toBeVisible();
  await expect(second.getByRole("button", { name: "导出CSV" })).toBeVisible();
  expect(refreshes).toBe(1);
  // And both keep working with the one new token.
  await Promise.all([page.getByRole("menuitem", { name: "客户" }).click(), second.getByRole("menuitem", { name: "证书" }).click()]);
  await expect(page.getByRole("cell", { name: "张三" })).toBeVisible();
  await expect(second.getByRole("cell", { name: "青花缠枝莲纹梅瓶" })).toBeVisible();

  // The account page lists both tabs' one session as current; English is one click away.
  await page.getByRole("link", { name: "账号与会话" }).click();
  await expect(page.getByRole("cell", { name: "当前" })).toBeVisible();
  await look(page, "profile");
  await page.getByRole("button", { name: "English" }).click();
  await expect(page.getByRole("link", { name: "Account & sessions" })).toBeVisible();
  await look(page, "profile-en");
  await ctx.close();
});
