/** Small collection helpers that build read-only lookups (views derive them from each frame). */

/** A lookup of items by a key. */
export function indexBy<T>(items: readonly T[], key: (item: T) => string): ReadonlyMap<string, T> {
  return new Map(items.map((item) => [key(item), item]));
}

/** Items grouped by a key, in their original order. */
export function groupBy<T>(items: readonly T[], key: (item: T) => string): ReadonlyMap<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

/** The distinct values of `first`, then those of `more`, in order of appearance. */
export function distinct(first: readonly string[], more: readonly string[]): string[] {
  return [...new Set([...first, ...more])];
}
