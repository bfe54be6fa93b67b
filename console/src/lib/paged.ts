// The paged lists' one behaviour: a page of rows and the total from a list endpoint, reloaded on
// a page change and from page 1 on a new search. Each page passes only its query.
import { onMounted, ref, type Ref } from "vue";
import { failed } from "./errors";

type Page<T> = { data?: { items: T[]; total: number; total_exact?: boolean }; error?: unknown };

export function usePaged<T>(fetch: (page: number, size: number) => Promise<Page<T>>, size = 20) {
  const rows = ref([]) as Ref<T[]>;
  const total = ref(0);
  const exact = ref(true);
  const page = ref(1);
  const loading = ref(false);

  async function load() {
    loading.value = true;
    try {
      const r = await fetch(page.value, size);
      if (failed(r) || !r.data) return;
      rows.value = r.data.items;
      total.value = r.data.total;
      exact.value = r.data.total_exact ?? true;
    } finally {
      loading.value = false;
    }
  }

  function search() {
    page.value = 1;
    return load();
  }

  onMounted(load);
  return { rows, total, exact, page, size, loading, load, search };
}
