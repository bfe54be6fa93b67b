// Tokens shared by every tab of the console, and the one refresh they share.
//
// The API rotates refresh tokens: each may be spent once (a short grace forgives a near-simultaneous
// replay, a later one revokes the session). Two tabs that each notice an expired access token and
// each spend the refresh token would, outside that grace, log the user out. So a refresh runs under
// a lock that spans tabs (the Web Locks API in the browser), and inside it the tab first looks at
// the stored tokens: when another tab has already refreshed, it takes those instead of spending the
// spent token again. Within a tab, concurrent callers share one promise.
//
// Storage, lock, clock and the refresh call are passed in, so the rule is tested without a browser
// (session.test.ts runs two "tabs" on one storage and one lock).

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

/** A token this close to its expiry is refreshed before use rather than sent and refused. */
export const refreshAhead = 30_000;

export class Session {
  private inflight: Promise<Tokens | null> | null = null;

  constructor(
    private store: TokenStore,
    private lock: Lock,
    private call: RefreshCall,
    private now: () => number = Date.now,
  ) {}

  current(): Tokens | null {
    return this.store.read();
  }

  signIn(t: Tokens): void {
    this.store.write(t);
  }

  signOut(): void {
    this.store.write(null);
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
        const cur = this.store.read();
        if (!cur) return null;
        if (cur.access !== seen && cur.expiresAt - this.now() > refreshAhead) return cur; // another tab did it
        const next = await this.call(cur.refresh);
        this.store.write(next);
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
