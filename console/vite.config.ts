import { fileURLToPath } from "node:url";
import vue from "@vitejs/plugin-vue";
import { defineConfig } from "vitest/config";

// The build lands inside the Go module that embeds it (functions/internal/console/dist), so
// `go run ./functions/server` serves the console with nothing else installed. The committed build
// must equal a fresh one: scripts/test.sh rebuilds into a temporary directory and compares.
// CONSOLE_OUT_DIR moves the output (that comparison, and nothing else, sets it).
const api = process.env.API_URL ?? "http://127.0.0.1:8080";

export default defineConfig({
  base: "/console/",
  plugins: [vue()],
  build: {
    outDir: process.env.CONSOLE_OUT_DIR ?? fileURLToPath(new URL("../functions/internal/console/dist", import.meta.url)),
    emptyOutDir: true,
    manifest: true,
    target: "es2022",
    chunkSizeWarningLimit: 1200,
  },
  server: {
    // `npm run dev`: hot reload against a local server (go run ./functions/server on :8080).
    proxy: {
      "/api": api,
      "/blob": api,
      "/c/": api,
    },
  },
  test: {
    include: ["src/**/*.test.ts"],
    environment: "node",
  },
});
