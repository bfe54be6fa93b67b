// The API client every page uses: openapi-fetch over the types generated from the server's own
// OpenAPI document (src/api/schema.d.ts, `npm run api:types`). No request or response type is
// written by hand; a change in the API that breaks a page breaks `npm run typecheck`.
import createClient from "openapi-fetch";
import type { components, paths } from "./schema";

export type Schemas = components["schemas"];
export type Order = Schemas["OrderView"];
export type OrderDetail = Schemas["OrderDetailView"];
export type OrderStatus = Order["status"];
export type Problem = Schemas["Problem"];

export function apiClient(baseUrl: string, token: () => string | undefined) {
  const client = createClient<paths>({ baseUrl });
  client.use({
    onRequest({ request }) {
      const t = token();
      if (t) request.headers.set("Authorization", `Bearer ${t}`);
      return request;
    },
  });
  return client;
}

export type Labels = Schemas["LabelsOutputBody"];

// The words for statuses, roles, permissions and codes come from the API (GET /api/v1/labels), so
// every client shows the same ones; a missing status reads as its code.
export function statusLabel(labels: Labels, status: OrderStatus): string {
  return labels.statuses[status]?.zh ?? status;
}

// One call of each kind, type-checked against the spec: login, a filtered list, a versioned
// change with If-Match, and the error shape.
export async function example(api: ReturnType<typeof apiClient>): Promise<string[]> {
  const login = await api.POST("/api/v1/auth/login", { body: { username: "admin", password: "secret-password" } });
  if (login.error) return [login.error.code ?? "unknown"];
  const labels = await api.GET("/api/v1/labels");
  if (!labels.data) return [];
  const words = labels.data;
  const list = await api.GET("/api/v1/orders", { params: { query: { status: "TRIAGE", page_size: 20 } } });
  const ids = (list.data?.items ?? []).map((o) => `${o.order_no} ${statusLabel(words, o.status)}`);
  const first = list.data?.items[0];
  if (first) {
    const r = await api.POST("/api/v1/orders/{id}/triage", {
      params: { path: { id: first.id }, header: { "If-Match": `"${first.version}"` } },
    });
    if (r.error) ids.push(r.error.code ?? "");
  }
  return ids;
}
