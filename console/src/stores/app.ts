// Who is signed in, what they may do, and the API's words: read once after sign-in and kept here.
import { defineStore } from "pinia";
import { api, session, tokensOf, type Schemas } from "../lib/api";
import { locale } from "../i18n";

type Labels = Schemas["LabelsOutputBody"];

export const useApp = defineStore("app", {
  state: () => ({
    me: null as Schemas["MeOutputBody"] | null,
    labels: null as Labels | null,
  }),
  getters: {
    can: (s) => (op: string) => !!s.me?.operations.includes(op),
    role: (s) => s.me?.user.role_code ?? "",
  },
  actions: {
    async login(username: string, password: string): Promise<Schemas["Problem"] | null> {
      const r = await api.POST("/api/v1/auth/login", { body: { username, password } });
      if (r.error) return r.error;
      session.signIn(tokensOf(r.data));
      await this.load();
      return null;
    },
    async load(): Promise<boolean> {
      if (!session.current()) return false;
      const [me, labels] = await Promise.all([api.GET("/api/v1/auth/me"), this.labels ? null : api.GET("/api/v1/labels")]);
      if (!me.data) return false;
      this.me = me.data;
      if (labels?.data) this.labels = labels.data;
      return true;
    },
    async logout(): Promise<void> {
      await api.POST("/api/v1/auth/logout").catch(() => undefined);
      session.signOut();
      this.me = null;
    },
    /** The API's word for a code (status, role, verdict, error code…), in the console's language. */
    label(kind: keyof Labels, code: string | number | undefined): string {
      if (code === undefined || code === "") return "";
      const set = this.labels?.[kind] as Record<string, { zh: string; en: string }> | undefined;
      const l = set?.[String(code)];
      return l ? l[locale.value] : String(code);
    },
  },
});
