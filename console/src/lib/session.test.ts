import { describe, expect, it } from "vitest";
import { Session, type Handoff, type Lock, type Tokens, type TokenStore } from "./session";

// One storage and one lock shared by several Session objects: the tabs of one browser.
function browser() {
  let stored: Tokens | null = null;
  const store: TokenStore = { read: () => (stored ? { ...stored } : null), write: (t) => void (stored = t ? { ...t } : null) };
  let tail: Promise<unknown> = Promise.resolve();
  const lock: Lock = (_name, fn) => {
    const run = tail.then(fn, fn);
    tail = run.catch(() => {});
    return run;
  };
  return { store, lock, stored: () => stored };
}

// A server that rotates: each refresh token may be spent once; spending it again ends the session.
function server(now: () => number) {
  let n = 0;
  const live = new Set<string>();
  let calls = 0;
  let ended = false;
  const issue = (): Tokens => {
    n++;
    live.add(`r${n}`);
    return { access: `a${n}`, refresh: `r${n}`, expiresAt: now() + 15 * 60_000, sessionId: "s1" };
  };
  const refresh = async (token: string): Promise<Tokens | null> => {
    calls++;
    await new Promise((r) => setTimeout(r, 5)); // the round trip, so callers overlap
    if (ended || !live.delete(token)) {
      ended = true;
      return null;
    }
    return issue();
  };
  return { issue, refresh, calls: () => calls, ended: () => ended };
}

describe("Session.refresh", () => {
  it.each([
    { name: "one tab, many callers", tabs: 1, callers: 8 },
    { name: "two tabs", tabs: 2, callers: 1 },
    { name: "five tabs, three callers each", tabs: 5, callers: 3 },
  ])("$name: one refresh, nobody logged out", async ({ tabs, callers }) => {
    let clock = 1_000_000;
    const now = () => clock;
    const b = browser();
    const srv = server(now);
    b.store.write(srv.issue());
    const sessions = Array.from({ length: tabs }, () => new Session(b.store, b.lock, srv.refresh, now));
    clock += 16 * 60_000; // the access token has expired in every tab

    const tokens = await Promise.all(sessions.flatMap((s) => Array.from({ length: callers }, () => s.accessToken())));

    expect(srv.calls()).toBe(1);
    expect(srv.ended()).toBe(false);
    expect(new Set(tokens)).toEqual(new Set(["a2"]));
    expect(b.stored()?.refresh).toBe("r2");
  });

  it("a token refused by the server is replaced once, then reused by the other tab", async () => {
    let clock = 0;
    const b = browser();
    const srv = server(() => clock);
    b.store.write(srv.issue());
    const [tab1, tab2] = [new Session(b.store, b.lock, srv.refresh, () => clock), new Session(b.store, b.lock, srv.refresh, () => clock)];

    // Both tabs sent a1 and were refused (revoked early, say): each asks to replace a1.
    const [t1, t2] = await Promise.all([tab1.refresh("a1"), tab2.refresh("a1")]);
    expect(t1?.access).toBe("a2");
    expect(t2?.access).toBe("a2");
    expect(srv.calls()).toBe(1);
  });

  it("a tab whose storage has not caught up takes the handed-over tokens instead of refreshing again", async () => {
    let clock = 1_000_000;
    const now = () => clock;
    const b = browser();
    const srv = server(now);
    const first = srv.issue();
    b.store.write(first);
    let handed: Tokens | null = null;
    const handoff: Handoff = { take: async () => handed, give: async (t) => void (handed = t) };
    // Tab 2 reads a copy of storage frozen before tab 1's refresh, as a lagging renderer does.
    const lagging: TokenStore = { read: () => ({ ...first }), write: () => {} };
    const tab1 = new Session(b.store, b.lock, srv.refresh, now, handoff);
    const tab2 = new Session(lagging, b.lock, srv.refresh, now, handoff);
    clock += 16 * 60_000;

    expect(await tab1.accessToken()).toBe("a2");
    expect(await tab2.accessToken()).toBe("a2");
    expect(srv.calls()).toBe(1);
    expect(srv.ended()).toBe(false);
  });

  it("a refused refresh signs every tab out", async () => {
    let clock = 0;
    const b = browser();
    b.store.write({ access: "a1", refresh: "gone", expiresAt: 0, sessionId: "s" });
    const tab = new Session(b.store, b.lock, async () => null, () => clock);
    expect(await tab.accessToken()).toBeUndefined();
    expect(b.stored()).toBeNull();
  });

  it("a network failure keeps the tokens and lets the next call try again", async () => {
    const b = browser();
    const kept = { access: "a1", refresh: "r1", expiresAt: 0, sessionId: "s" };
    b.store.write(kept);
    let fail = true;
    const tab = new Session(b.store, b.lock, async () => {
      if (fail) throw new Error("offline");
      return { ...kept, access: "a2", refresh: "r2", expiresAt: 10 ** 12 };
    }, () => 0);
    await expect(tab.accessToken()).rejects.toThrow("offline");
    expect(b.stored()).toEqual(kept);
    fail = false;
    expect(await tab.accessToken()).toBe("a2");
  });

  it("a fresh token is sent as it is", async () => {
    const b = browser();
    b.store.write({ access: "a1", refresh: "r1", expiresAt: 10 * 60_000, sessionId: "s" });
    const tab = new Session(b.store, b.lock, async () => {
      throw new Error("must not refresh");
    }, () => 0);
    expect(await tab.accessToken()).toBe("a1");
  });
});
