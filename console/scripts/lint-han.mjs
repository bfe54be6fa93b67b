// Chinese words in console/src live in one place: the translation function's argument, t("…")
// (or w("…"), a word key translated where it is shown),
// so the English console never shows Chinese. This lint fails on Han characters anywhere else in
// a .vue or .ts file — a template's text, an attribute, a string outside t() — except in files
// that declare themselves word tables (a first-line comment "word table": i18n.ts's dictionary,
// words.ts's field names, each value of which is shown through t()), and in comments.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const root = new URL("../src/", import.meta.url).pathname;
const han = /[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]/;
const files = [];
(function walk(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (/\.(vue|ts)$/.test(name) && !name.endsWith(".d.ts") && !name.endsWith(".test.ts")) files.push(p);
  }
})(root);

const problems = [];
for (const file of files) {
  const text = readFileSync(file, "utf8");
  if (/^\/\/.*word table/.test(text.split("\n")[0] ?? "")) continue;
  // Comments go: // to the end of a line (not inside a URL), /* … */, <!-- … -->.
  const code = text
    .replace(/<!--[\s\S]*?-->/g, (m) => m.replace(/[^\n]/g, " "))
    .replace(/\/\*[\s\S]*?\*\//g, (m) => m.replace(/[^\n]/g, " "))
    .replace(/(^|[^:"'`])\/\/.*$/gm, (m, p) => p);
  // Then every t("…") / t('…') / t(`…`) argument is allowed, and w("…"): a word key marked to be
  // translated where it is shown.
  const rest = code.replace(/\b[tw]\(\s*(["'`])(?:\\.|(?!\1)[^\\])*\1\s*\)/g, "t()");
  rest.split("\n").forEach((line, i) => {
    if (han.test(line)) problems.push(`${relative(root, file)}:${i + 1}: ${line.trim().slice(0, 120)}`);
  });
}
if (problems.length) {
  console.error(`Chinese outside t() in console/src (${problems.length}):\n` + problems.join("\n"));
  process.exit(1);
}
console.log(`lint-han: ${files.length} files, Chinese only inside t()`);
