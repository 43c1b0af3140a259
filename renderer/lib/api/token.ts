/**
 * The API token reaches the UI in the URL fragment (`#token=…`, never sent to a server). The UI
 * keeps it in sessionStorage and takes it out of the address bar, so a projected screen or a
 * screenshot does not show it, while a reload of the same tab still works.
 */

const KEY = 'petri.token';

/** The token in a location hash such as `#token=abc` or `#/timeline&token=abc`, if any. */
export function tokenFromHash(hash: string): string | undefined {
  for (const part of hash.replace(/^#/, '').split('&')) {
    const m = /^\/?token=(.+)$/.exec(part);
    if (m) return decodeURIComponent(m[1]!);
  }
  return undefined;
}

/** The hash without its token parameter (what stays in the address bar). */
export function hashWithoutToken(hash: string): string {
  const kept = hash
    .replace(/^#/, '')
    .split('&')
    .filter((p) => p && !/^\/?token=/.test(p));
  return kept.length ? `#${kept.join('&')}` : '';
}

/** Where the token is kept between reloads of one tab. */
export interface TokenStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

/**
 * Reads the token from the hash (preferred: it is the newest) or from storage, stores it, and
 * returns it with the hash to show instead.
 */
export function takeToken(hash: string, store: TokenStore | undefined): { token: string | undefined; hash: string } {
  const fromHash = tokenFromHash(hash);
  if (fromHash) {
    try {
      store?.setItem(KEY, fromHash);
    } catch {
      // storage can be disabled (private windows): the token then lives only in this page
    }
    return { token: fromHash, hash: hashWithoutToken(hash) };
  }
  let stored: string | undefined;
  try {
    stored = store?.getItem(KEY) ?? undefined;
  } catch {
    // unreadable storage: no remembered token
  }
  return { token: stored, hash };
}
