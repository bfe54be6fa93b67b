// Every refusal the API gives is a Problem with a stable code; the console shows the code's words
// from /api/v1/labels (a 409 version conflict reads "订单已被他人修改，请刷新后重试": reload).
import { ElMessage } from "element-plus";
import { useApp } from "../stores/app";
import { isProblem } from "./api";

export function problemText(e: unknown): string {
  if (!isProblem(e)) return e instanceof Error ? e.message : String(e);
  const words = useApp().label("error_codes", e.code);
  const field = e.errors?.map((f) => f.field).filter(Boolean).join(", ");
  return words && words !== e.code ? (field ? `${words} (${field})` : words) : (e.detail ?? e.title);
}

/** Shows the refusal; true when there was one. */
export function failed(r: { error?: unknown }): boolean {
  if (r.error === undefined) return false;
  ElMessage.error({ message: problemText(r.error), duration: 6000 });
  return true;
}
