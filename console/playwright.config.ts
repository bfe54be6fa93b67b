import { defineConfig } from "@playwright/test";

// The browser test: Debian's Chromium (apt-get install chromium; Playwright never downloads a
// browser here). By default it drives the shim that e2e/serve.sh starts on MariaDB, Redis and
// FFmpeg. With E2E_BASE_URL it drives a deployment instead — scripts/test-cloud points it at the
// console the local Tencent Cloud serves from its COS website endpoint, the API at E2E_API_URL,
// everything through the cloud's proxy (E2E_PROXY).
const port = Number(process.env.E2E_PORT ?? 18080);
const deployed = process.env.E2E_BASE_URL;
export const baseURL = deployed ?? `http://127.0.0.1:${port}`;
const proxy = process.env.E2E_PROXY;

export default defineConfig({
  testDir: "e2e",
  outputDir: deployed ? "test-results/cloud" : "test-results",
  // A deployment answers through cold starts of several functions per page: more time there.
  timeout: deployed ? 300_000 : 120_000,
  expect: { timeout: 20_000 },
  workers: 1,
  retries: 0,
  reporter: [["list"]],
  use: {
    baseURL,
    locale: "zh-CN",
    timezoneId: "Asia/Shanghai",
    ...(proxy ? { proxy: { server: proxy } } : {}),
    // A deployment is HTTPS, as production is (the API's device cookie has the __Host- prefix,
    // which only a secure connection may set); the local cloud's certificates come from its own
    // authority, which the browser is not given.
    ...(deployed ? { ignoreHTTPSErrors: true } : {}),
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      // As root in a sandboxed container, with no network but loopback: no sandbox, no GPU, none
      // of the browser's own background connections (each would be a refused connection).
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    },
  },
  webServer: deployed
    ? undefined
    : {
        command: "bash e2e/serve.sh",
        url: `${baseURL}/readyz`,
        timeout: 180_000,
        reuseExistingServer: false,
        stdout: "pipe",
        stderr: "pipe",
        env: { E2E_PORT: String(port) },
        // SIGTERM, so serve.sh drops its database and data directory (the default is SIGKILL).
        gracefulShutdown: { signal: "SIGTERM", timeout: 10_000 },
      },
});
