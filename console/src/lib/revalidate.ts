// The answers this tab read with an ETag (the order list and detail), kept in memory so that the
// next read of the same URL asks "changed since?" (If-None-Match) and a 304 is answered from
// here: reopening an order or going back to the list moves no bytes and costs the server no
// query while nothing changed. Memory only — the answers hold customers' data, and the server
// marks them no-store — for one session at a time (a request in another session, or none,
// forgets them all), bounded, oldest out first.

interface Kept {
  etag: string;
  body: string;
  status: number;
  headers: [string, string][];
}

export class Revalidator {
  private kept = new Map<string, Kept>();
  private scope = "";

  constructor(private readonly max = 100) {}

  /** Sends req through send; a GET with If-None-Match when an answer for it is kept in scope. */
  async fetch(req: Request, scope: string, send: (r: Request) => Promise<Response>): Promise<Response> {
    if (scope !== this.scope) {
      this.kept.clear();
      this.scope = scope;
    }
    if (req.method !== "GET") return send(req);
    const key = req.url;
    const kept = this.kept.get(key);
    if (kept && !req.headers.has("If-None-Match")) req.headers.set("If-None-Match", kept.etag);
    const res = await send(req);
    if (res.status === 304 && kept) {
      await res.arrayBuffer(); // read to its (empty) end: a response left unread counts as aborted
      // Still the answer kept: the most recently used goes to the back of the line.
      this.kept.delete(key);
      this.kept.set(key, kept);
      return new Response(kept.body, { status: kept.status, headers: kept.headers });
    }
    const etag = res.headers.get("ETag");
    this.kept.delete(key);
    if (res.ok && etag) {
      this.kept.set(key, { etag, body: await res.clone().text(), status: res.status, headers: [...res.headers] });
      if (this.kept.size > this.max) this.kept.delete(this.kept.keys().next().value as string);
    }
    return res;
  }

  get size(): number {
    return this.kept.size;
  }
}
