// The console's size budget, checked by the test command: what the first page (login) loads —
// the entry, the login route's chunk and everything they import, JS and CSS — must stay at most
// 350 KB gzipped. Read from the committed build's manifest, so the number is the shipped one.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const dist = process.argv[2] ?? new URL("../../functions/internal/console/dist", import.meta.url).pathname;
const budget = 350 * 1024;
const manifest = JSON.parse(readFileSync(join(dist, ".vite/manifest.json"), "utf8"));

function closure(keys) {
  const seen = new Set();
  const files = new Set();
  const walk = (k) => {
    if (seen.has(k)) return;
    seen.add(k);
    const c = manifest[k];
    if (!c) throw new Error(`manifest has no ${k}`);
    files.add(c.file);
    for (const css of c.css ?? []) files.add(css);
    for (const i of c.imports ?? []) walk(i);
  };
  keys.forEach(walk);
  return files;
}

const gz = (f) => gzipSync(readFileSync(join(dist, f)), { level: 9 }).length;
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
const report = (name, keys) => {
  const files = [...closure(keys)];
  const total = files.reduce((n, f) => n + gz(f), 0);
  console.log(`${name.padEnd(34)} ${kb(total).padStart(10)} gzipped in ${files.length} files`);
  return total;
};

const first = report("first page (login)", ["index.html", "src/views/LoginView.vue"]);
for (const k of Object.keys(manifest).filter((k) => k.startsWith("src/views/")).sort()) {
  if (k !== "src/views/LoginView.vue") report(`route ${k.replace("src/views/", "")} (alone)`, [k]);
}
if (first > budget) {
  console.error(`the first page loads ${kb(first)} gzipped: over the ${kb(budget)} budget`);
  process.exit(1);
}
console.log(`budget: ${kb(first)} of ${kb(budget)}`);
