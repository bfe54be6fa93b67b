// The console's one door to the network (api.ts sends every API request through it).
import { locale } from "../i18n";

/** How long the console waits for an answer before saying so. */
export const requestTimeout = 30_000;

/**
 * send is the console's one door to the network: the console's language on every request (the
 * API answers in it, also before login), and what never became an API answer — no network, no
 * answer in time, a 5xx that is not a Problem (a gateway's page) — turned into a Problem of the
 * console's own (client.*, worded in errors.ts), so every caller sees one kind of failure.
 */
export async function send(req: Request, f: typeof fetch = fetch): Promise<Response> {
  req.headers.set("Accept-Language", locale.value === "en" ? "en" : "zh-CN");
  let res: Response;
  try {
    res = await f(req, { signal: AbortSignal.any([req.signal, AbortSignal.timeout(requestTimeout)]) });
  } catch (e) {
    const timeout = e instanceof DOMException && e.name === "TimeoutError";
    return clientProblem(timeout ? "client.timeout" : "client.network", 0);
  }
  const type = res.headers.get("Content-Type") ?? "";
  if (res.status >= 500 && !type.includes("json")) return clientProblem("client.server", res.status);
  return res;
}

function clientProblem(code: string, status: number): Response {
  const body = { type: "about:blank", title: code, status, code };
  // 599: not an HTTP answer; openapi-fetch hands the body to the caller as its error.
  return new Response(JSON.stringify(body), { status: 599, headers: { "Content-Type": "application/problem+json" } });
}

