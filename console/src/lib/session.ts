// Tokens shared by every tab of the console, and the one refresh they share.
//
// The API rotates refresh tokens: each may be spent once (a short grace forgives a near-simultaneous
// replay, a later one revokes the session). Two tabs that each notice an expired access token and
// each spend the refresh token would, outside that grace, log the user out. So a refresh runs under
// a lock that spans tabs (the Web Locks API in the browser), and inside it the tab first looks at
// the stored tokens: when another tab has already refreshed, it takes those instead of spending the
// spent token again. Within a tab, concurrent callers share one promise.
//
// localStorage alone cannot carry the new tokens from the refreshing tab to the next one: Chromium
// propagates a write to other tabs' renderers asynchronously, so a tab taking the lock right after
// can still read the spent tokens (seen in the browser test: two refreshes, about one run in ten).
// So the refreshing tab also hands the tokens over through IndexedDB, whose transactions every tab
// sees in order, before it lets go of the lock; the next holder takes the fresher of the two.
//
// Storage, hand-over, lock, clock and the refresh call are passed in, so the rule is tested
// without a browser (session.test.ts runs "tabs" on one storage, one hand-over and one lock).

export interface Tokens {
  access: string;
  refresh: string;
  /** Milliseconds since the epoch. */
  expiresAt: number;
  sessionId: string;
}

export interface TokenStore {
  read(): Tokens | null;
  write(t: Tokens | null): void;
}

export type Lock = <T>(name: string, fn: () => Promise<T>) => Promise<T>;

/** The server's answer to a refresh: new tokens, or null when it refused (the session is over). */
export type RefreshCall = (refreshToken: string) => Promise<Tokens | null>;

/** Tokens handed from one lock holder to the next, read consistently by every tab. */
export interface Handoff {
  take(): Promise<Tokens | null>;
  give(t: Tokens | null): Promise<void>;
}

const noHandoff: Handoff = { take: async () => null, give: async () => {} };

/** A token this close to its expiry is refreshed before use rather than sent and refused. */
export const refreshAhead = 30_000;

export class Session {
  private inflight: Promise<Tokens | null> | null = null;

  constructor(
    private store: TokenStore,
    private lock: Lock,
    private call: RefreshCall,
    private now: () => number = Date.now,
    private handoff: Handoff = noHandoff,
  ) {}

  current(): Tokens | null {
    return this.store.read();
  }

  signIn(t: Tokens): void {
    this.store.write(t);
    void this.handoff.give(t);
  }

  signOut(): void {
    this.store.write(null);
    void this.handoff.give(null);
  }

  /** The access token to send now: refreshed first when it is about to expire. */
  async accessToken(): Promise<string | undefined> {
    const t = this.store.read();
    if (!t) return undefined;
    if (t.expiresAt - this.now() > refreshAhead) return t.access;
    return (await this.refresh(t.access))?.access;
  }

  /**
   * Replaces the access token `seen` (expired, or refused by the server). Resolves to the tokens
   * to use, or null when the session has ended. A network failure rejects and keeps the tokens.
   */
  refresh(seen: string): Promise<Tokens | null> {
    if (!this.inflight) {
      this.inflight = this.lock("jb-refresh", async () => {
        let cur = this.store.read();
        const handed = await this.handoff.take();
        if (cur && handed && handed.expiresAt > cur.expiresAt) {
          cur = handed; // this tab's storage has not caught up with the last refresh yet
          this.store.write(cur);
        }
        if (!cur) return null;
        if (cur.access !== seen && cur.expiresAt - this.now() > refreshAhead) return cur; // another tab did it
        const next = await this.call(cur.refresh);
        this.store.write(next);
        await this.handoff.give(next);
        return next;
      }).finally(() => {
        this.inflight = null;
      });
    }
    return this.inflight;
  }
}

/** localStorage, shared by the tabs of one origin. */
export function browserStore(key = "jb.session"): TokenStore {
  return {
    read() {
      const raw = localStorage.getItem(key);
      if (!raw) return null;
      try {
        return JSON.parse(raw) as Tokens;
      } catch {
        return null;
      }
    },
    write(t) {
      if (t) localStorage.setItem(key, JSON.stringify(t));
      else localStorage.removeItem(key);
    },
  };
}

/** The Web Locks API where the browser has it (every current one); otherwise only this tab's promise. */
export const browserLock: Lock = <T>(name: string, fn: () => Promise<T>): Promise<T> =>
  typeof navigator !== "undefined" && navigator.locks ? (navigator.locks.request(name, fn) as Promise<T>) : fn();

/**
 * IndexedDB as the hand-over, opened on first use. Where it cannot be opened (some private
 * windows), the hand-over is empty and the server's reuse grace covers the rare second refresh.
 */
export function indexedDBHandoff(name = "jb-session"): Handoff {
  let db: Promise<IDBDatabase> | undefined;
  const open = () =>
    (db ??= new Promise<IDBDatabase>((resolve, reject) => {
      const r = indexedDB.open(name, 1);
      r.onupgradeneeded = () => r.result.createObjectStore("tokens");
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    }));
  const run = (mode: IDBTransactionMode, f: (s: IDBObjectStore) => IDBRequest) =>
    open().then(
      (d) =>
        new Promise<unknown>((resolve, reject) => {
          const tx = d.transaction("tokens", mode);
          const req = f(tx.objectStore("tokens"));
          tx.oncomplete = () => resolve(req.result);
          tx.onerror = () => reject(tx.error);
        }),
    );
  return {
    take: () => run("readonly", (s) => s.get("current")).then((t) => (t as Tokens | undefined) ?? null, () => null),
    give: (t) => run("readwrite", (s) => (t ? s.put(t, "current") : s.delete("current"))).then(() => undefined, () => undefined),
  };
}
