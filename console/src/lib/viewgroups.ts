// Galleries shown together — an order's photos and its item's — page through one list in the
// viewer: each registers its viewable files under the group's name, in the order it was mounted.
import { shallowReactive, type Ref } from "vue";

type Member = { key: string; items: Ref<readonly unknown[]> };
const groups = shallowReactive(new Map<string, Member[]>());

export function joinGroup<T>(group: string, key: string, items: Ref<readonly T[]>): void {
  const members = groups.get(group) ?? [];
  groups.set(group, [...members.filter((m) => m.key !== key), { key, items }]);
}

export function leaveGroup(group: string, key: string): void {
  const rest = (groups.get(group) ?? []).filter((m) => m.key !== key);
  if (rest.length) groups.set(group, rest);
  else groups.delete(group);
}

/** The group's files, gallery after gallery. */
export function groupItems<T>(group: string): T[] {
  return (groups.get(group) ?? []).flatMap((m) => m.items.value as T[]);
}
