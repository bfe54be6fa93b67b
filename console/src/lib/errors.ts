// Where failures are shown: the toast of every refused call, in the words of words.ts (the API's
// codes from /api/v1/labels, field names in words, the console's own client.* codes that send.ts
// gives to what never became an API answer).
import { ElMessage } from "element-plus";
import { useApp } from "../stores/app";
import { locale, t } from "../i18n";
import { isProblem } from "./api";
import { clientWords, describeProblem } from "./words";

export { clientWords };

export function problemText(e: unknown): string {
  if (!isProblem(e)) return e instanceof Error ? t(clientWords["client.network"]!) : String(e);
  const app = useApp();
  return describeProblem(e, (code) => app.label("error_codes", code), locale.value === "zh");
}

/** Shows the refusal; true when there was one. */
export function failed(r: { error?: unknown }): boolean {
  if (r.error === undefined) return false;
  ElMessage.error({ message: problemText(r.error), duration: 6000 });
  return true;
}
