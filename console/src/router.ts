// Routes, each page its own chunk (the login page loads only what it needs). Hash history: the
// console is static files on COS behind CDN in the cloud, where no server rewrites deep links.
import { createRouter, createWebHashHistory, type RouteRecordRaw } from "vue-router";
import { ElMessage } from "element-plus";
import { session } from "./lib/api";
import { clientWords } from "./lib/errors";
import { t } from "./i18n";
import { useApp } from "./stores/app";

declare module "vue-router" {
  interface RouteMeta {
    /** The operation the page needs (GET by its operationId); the menu hides what the role lacks. */
    op?: string;
    title?: string;
    public?: boolean;
  }
}

const routes: RouteRecordRaw[] = [
  { path: "/login", component: () => import("./views/LoginView.vue"), meta: { public: true, title: "登录" } },
  {
    path: "/",
    component: () => import("./views/LayoutView.vue"),
    children: [
      { path: "", component: () => import("./views/WorkbenchView.vue"), meta: { title: "工作台" } },
      { path: "orders", component: () => import("./views/OrdersView.vue"), meta: { op: "orders.list", title: "订单" } },
      { path: "orders/:id", component: () => import("./views/OrderDetailView.vue"), meta: { op: "orders.get", title: "订单" } },
      { path: "customers", component: () => import("./views/CustomersView.vue"), meta: { op: "customers.list", title: "客户" } },
      { path: "customers/:id", component: () => import("./views/CustomerDetailView.vue"), meta: { op: "customers.get", title: "客户" } },
      { path: "items/:id", component: () => import("./views/ItemDetailView.vue"), meta: { op: "items.get", title: "藏品" } },
      { path: "certificates", component: () => import("./views/CertificatesView.vue"), meta: { op: "certificates.list", title: "证书" } },
      { path: "dashboard", component: () => import("./views/DashboardView.vue"), meta: { op: "dashboard.get", title: "数据看板" } },
      { path: "profile", component: () => import("./views/ProfileView.vue"), meta: { title: "账号与会话" } },
      { path: "admin/users", component: () => import("./views/admin/UsersView.vue"), meta: { op: "admin.users.list", title: "用户" } },
      { path: "admin/roles", component: () => import("./views/admin/RolesView.vue"), meta: { op: "admin.roles.list", title: "角色权限" } },
      { path: "admin/experts", component: () => import("./views/admin/ExpertsView.vue"), meta: { op: "experts.create", title: "鉴定师" } },
      { path: "admin/catalog", component: () => import("./views/admin/CatalogView.vue"), meta: { op: "categories.create", title: "类目与服务" } },
      { path: "admin/settings", component: () => import("./views/admin/SettingsView.vue"), meta: { op: "admin.settings.get", title: "系统设置" } },
      { path: "admin/audit", component: () => import("./views/admin/AuditView.vue"), meta: { op: "audit.list", title: "审计日志" } },
      { path: "admin/login-logs", component: () => import("./views/admin/LoginLogsView.vue"), meta: { op: "admin.login_logs.list", title: "登录日志" } },
      { path: "forbidden", name: "forbidden", component: () => import("./views/StatusView.vue"), props: { code: 403 }, meta: { title: "无权访问" } },
      { path: ":rest(.*)*", component: () => import("./views/StatusView.vue"), props: { code: 404 }, meta: { title: "页面不存在" } },
    ],
  },
];

export const router = createRouter({ history: createWebHashHistory(), routes });

router.beforeEach(async (to) => {
  if (to.meta.public) return true;
  const app = useApp();
  if (!app.me && !(await app.load().catch(() => false))) return { path: "/login", query: { next: to.fullPath } };
  if (app.me?.user.must_change_password && to.path !== "/profile") return { path: "/profile", query: { must: "1" } };
  if (to.meta.op && !app.can(to.meta.op)) return { name: "forbidden" };
  return true;
});

/** Another tab signed out, or the session ended: back to the login page. */
export function watchSignOut(): void {
  window.addEventListener("storage", (e) => {
    if (e.key === "jb.session" && e.newValue === null) void router.push("/login");
  });
}

/** The session could not be renewed: say so, then the login page (back here after it). */
export function toLogin(): void {
  if (useApp().me) ElMessage.warning({ message: t(clientWords["client.session_expired"]!), duration: 8000 });
  useApp().me = null;
  session.signOut();
  void router.push({ path: "/login", query: { next: router.currentRoute.value.fullPath } });
}
