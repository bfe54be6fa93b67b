import { createPinia } from "pinia";
import { createApp } from "vue";
import "element-plus/dist/index.css";
import "./theme.css";
import App from "./App.vue";
import { configure } from "./lib/api";
import { router, toLogin, watchSignOut } from "./router";
import { locale, setLocale } from "./i18n";

await configure(toLogin);
setLocale(locale.value);
watchSignOut();
createApp(App).use(createPinia()).use(router).mount("#app");

// A table wider than a phone scrolls sideways: its scroll area takes the keyboard's focus too, so
// it can be scrolled without a pointer (WCAG 2.1.1).
// Looked for once per frame at most, however many nodes a render adds.
let looking = false;
new MutationObserver(() => {
  if (looking) return;
  looking = true;
  requestAnimationFrame(() => {
    looking = false;
    document.querySelectorAll<HTMLElement>(".el-table .el-scrollbar__wrap:not([tabindex])").forEach((e) => {
      e.tabIndex = 0;
    });
  });
}).observe(document.body, { childList: true, subtree: true });
