// Routes, each page its own chunk (the login page loads only what it needs). Hash history: the
// console is static files on COS behind CDN in the cloud, where no server rewrites deep links.
import { createRouter, createWebHashHistory, type RouteRecordRaw } from "vue-router";
import { ElMessage } from "element-plus";
import { session } from "./lib/api";
import { clientWords } from "./lib/errors";
import { t, w } from "./i18n";
import { useApp } from "./stores/app";

declare module "vue-router" {
  interface RouteMeta {
    /** The operation the page needs (GET by its operationId); the menu hides what the role lacks. */
    op?: string;
    title?: string;
    public?: boolean;
    /** Where the page is in the menu, which is made from these routes in their order. */
    menu?: "main" | "admin";
  }
}

const routes: RouteRecordRaw[] = [
  { path: "/login", component: () => import("./views/LoginView.vue"), meta: { public: true, title: w("登录") } },
  {
    path: "/",
    component: () => import("./views/LayoutView.vue"),
    children: [
      { path: "", component: () => import("./views/WorkbenchView.vue"), meta: { menu: "main", title: w("工作台") } },
      { path: "orders", component: () => import("./views/OrdersView.vue"), meta: { menu: "main", op: "orders.list", title: w("订单") } },
      { path: "orders/:id", component: () => import("./views/OrderDetailView.vue"), meta: { op: "orders.get", title: w("订单详情") } },
      { path: "customers", component: () => import("./views/CustomersView.vue"), meta: { menu: "main", op: "customers.list", title: w("客户") } },
      { path: "customers/:id", component: () => import("./views/CustomerDetailView.vue"), meta: { op: "customers.get", title: w("客户详情") } },
      { path: "items/:id", component: () => import("./views/ItemDetailView.vue"), meta: { op: "items.get", title: w("藏品详情") } },
      { path: "certificates", component: () => import("./views/CertificatesView.vue"), meta: { menu: "main", op: "certificates.list", title: w("证书") } },
      { path: "dashboard", component: () => import("./views/DashboardView.vue"), meta: { menu: "main", op: "dashboard.get", title: w("数据看板") } },
      { path: "profile", component: () => import("./views/ProfileView.vue"), meta: { title: w("账号与会话") } },
      { path: "admin/users", component: () => import("./views/admin/UsersView.vue"), meta: { menu: "admin", op: "admin.users.list", title: w("用户") } },
      { path: "admin/roles", component: () => import("./views/admin/RolesView.vue"), meta: { menu: "admin", op: "admin.roles.list", title: w("角色权限") } },
      { path: "admin/experts", component: () => import("./views/admin/ExpertsView.vue"), meta: { menu: "admin", op: "experts.create", title: w("鉴定师") } },
      { path: "admin/catalog", component: () => import("./views/admin/CatalogView.vue"), meta: { menu: "admin", op: "categories.create", title: w("类目与服务") } },
      { path: "admin/settings", component: () => import("./views/admin/SettingsView.vue"), meta: { menu: "admin", op: "admin.settings.get", title: w("系统设置") } },
      { path: "admin/audit", component: () => import("./views/admin/AuditView.vue"), meta: { menu: "admin", op: "audit.list", title: w("审计日志") } },
      { path: "admin/login-logs", component: () => import("./views/admin/LoginLogsView.vue"), meta: { menu: "admin", op: "admin.login_logs.list", title: w("登录日志") } },
      { path: "forbidden", name: "forbidden", component: () => import("./views/StatusView.vue"), props: { code: 403 }, meta: { title: w("无权访问") } },
      { path: ":rest(.*)*", component: () => import("./views/StatusView.vue"), props: { code: 404 }, meta: { title: w("页面不存在") } },
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

// The browser tab says where one is: the page's title, then the console's name.
router.afterEach((to) => {
  document.title = to.meta.title ? `${t(to.meta.title)} · ${t("鉴宝管理后台")}` : t("鉴宝管理后台");
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
