import { defineConfig } from "@playwright/test";

// The browser test: Debian's Chromium (apt-get install chromium; Playwright never downloads a
// browser here), driving the shim that e2e/serve.sh starts on MariaDB, Redis and FFmpeg.
const port = Number(process.env.E2E_PORT ?? 18080);
export const baseURL = `http://127.0.0.1:${port}`;

export default defineConfig({
  testDir: "e2e",
  outputDir: "test-results",
  timeout: 120_000,
  expect: { timeout: 20_000 },
  workers: 1,
  retries: 0,
  reporter: [["list"]],
  use: {
    baseURL,
    locale: "zh-CN",
    timezoneId: "Asia/Shanghai",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      // As root in a sandboxed container, with no network but loopback: no sandbox, no GPU, none
      // of the browser's own background connections (each would be a refused connection).
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    },
  },
  webServer: {
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
