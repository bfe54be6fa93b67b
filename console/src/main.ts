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
