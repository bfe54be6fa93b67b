// The one API client of the console: openapi-fetch over the generated types, with the session's
// token on every request, one refresh (shared by all tabs) when the server refuses an expired one,
// the request sent again once with the new token, and reads revalidated by ETag (revalidate.ts).
import createClient, { type Client } from "openapi-fetch";
import type { components, paths } from "../api/schema";
import { Revalidator } from "./revalidate";
import { Session, browserLock, browserStore, indexedDBHandoff, type Tokens } from "./session";
import { send } from "./send";

export type Schemas = components["schemas"];
export type Problem = Schemas["Problem"];

let base = "";
let signedOut: () => void = () => {};

export const session = new Session(browserStore(), browserLock, async (refresh) => {
  const res = await fetch(`${base}/api/v1/auth/refresh`, {
    method: "POST",
    // The login's device cookie (HttpOnly) goes with it: the server's grace for a second tab
    // refreshing at the same moment is bound to this browser.
    credentials: "include",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ refresh_token: refresh }),
  });
  if (res.status === 401 || res.status === 403) return null;
  if (!res.ok) throw new Error(`refresh: ${res.status}`);
  return tokensOf((await res.json()) as Schemas["TokensBody"]);
}, Date.now, indexedDBHandoff());

export function tokensOf(t: Schemas["TokensBody"]): Tokens {
  return { access: t.access_token, refresh: t.refresh_token, expiresAt: Date.parse(t.expires_at), sessionId: t.session_id };
}

const answers = new Revalidator();

async function authFetch(req: Request): Promise<Response> {
  return answers.fetch(req, session.current()?.sessionId ?? "", sendAuthed);
}

async function sendAuthed(req: Request): Promise<Response> {
  const again = req.clone();
  const token = await session.accessToken();
  if (token) req.headers.set("Authorization", `Bearer ${token}`);
  const res = await send(req);
  if (res.status !== 401 || !token) return res;
  const next = await session.refresh(token);
  if (!next) {
    signedOut();
    return res;
  }
  again.headers.set("Authorization", `Bearer ${next.access}`);
  return send(again);
}

// credentials: the API's one cookie (the device secret set at login) travels to the API's origin
// too when it is another one (the functions' custom domain).
export let api: Client<paths> = createClient<paths>({ fetch: authFetch, credentials: "include" });

/**
 * Where the API is: the same origin when the shim serves the console; on COS + CDN, config.json
 * (written by Terraform next to the console) names the API's base URL.
 */
export async function configure(onSignedOut: () => void): Promise<void> {
  signedOut = onSignedOut;
  const res = await fetch(new URL("config.json", document.baseURI));
  const cfg = res.ok ? ((await res.json()) as { api_base_url?: string }) : {};
  base = (cfg.api_base_url ?? "").replace(/\/$/, "");
  api = createClient<paths>({ baseUrl: base, fetch: authFetch, credentials: "include" });
}

export function apiURL(path: string): string {
  return base + path;
}

/** A GET with the session's token, for what is not JSON (CSV, printable HTML, PNG). */
export async function fetchAuthed(path: string): Promise<Response> {
  return authFetch(new Request(apiURL(path)));
}

export function isProblem(e: unknown): e is Problem {
  return typeof e === "object" && e !== null && "code" in e && "status" in e;
}
