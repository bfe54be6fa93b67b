import { describe, expect, it } from "vitest";
import { Revalidator } from "./revalidate";

// A server whose answer for a URL changes when the test says so, answering If-None-Match with 304.
function server() {
  const version = new Map<string, number>();
  const seen: (string | null)[] = [];
  const send = async (req: Request): Promise<Response> => {
    const v = version.get(req.url) ?? 1;
    const etag = `"v${v}"`;
    seen.push(req.headers.get("If-None-Match"));
    if (req.headers.get("If-None-Match") === etag) return new Response(null, { status: 304, headers: { ETag: etag } });
    return new Response(JSON.stringify({ url: req.url, v }), { status: 200, headers: { ETag: etag, "Content-Type": "application/json" } });
  };
  return { send, seen, change: (url: string) => version.set(url, (version.get(url) ?? 1) + 1) };
}

const url = "http://api.test/api/v1/orders/7";

describe("Revalidator", () => {
  it("answers a 304 with the kept body, and a change with the new one", async () => {
    const s = server();
    const r = new Revalidator();
    const first = await (await r.fetch(new Request(url), "s1", s.send)).json();
    const again = await r.fetch(new Request(url), "s1", s.send);
    expect(s.seen).toEqual([null, '"v1"']);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual(first);
    s.change(url);
    const changed = await (await r.fetch(new Request(url), "s1", s.send)).json();
    expect(changed.v).toBe(2);
    expect(s.seen[2]).toBe('"v1"');
  });

  it("forgets one session's answers when another session (or none) asks", async () => {
    const s = server();
    const r = new Revalidator();
    await r.fetch(new Request(url), "s1", s.send);
    await r.fetch(new Request(url), "s2", s.send);
    expect(s.seen).toEqual([null, null]);
    await r.fetch(new Request("http://api.test/api/v1/auth/login", { method: "POST", body: "{}" }), "", s.send);
    expect(r.size).toBe(0);
    await r.fetch(new Request(url), "s2", s.send);
    expect(s.seen.at(-1)).toBeNull();
  });

  it("passes writes through and keeps at most max answers", async () => {
    const s = server();
    const r = new Revalidator(2);
    const post = await r.fetch(new Request(url, { method: "POST", body: "{}" }), "s1", s.send);
    expect(post.status).toBe(200);
    expect(r.size).toBe(0);
    for (const id of [1, 2, 3]) await r.fetch(new Request(`http://api.test/api/v1/orders/${id}`), "s1", s.send);
    expect(r.size).toBe(2);
    await r.fetch(new Request("http://api.test/api/v1/orders/1"), "s1", s.send);
    expect(s.seen.at(-1)).toBeNull(); // the oldest went out first
  });
});
