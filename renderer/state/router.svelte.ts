/**
 * Hash routes: `#/organism`, `#/organism/catalog` (a selected cell), `#/timeline`, `#/metrics`.
 * The hash keeps views linkable and survives reloads without any server-side routes.
 */

/** Where the page is. */
export interface Route {
  view: string;
  /** The rest of the path, e.g. the selected cell. */
  param: string | undefined;
}

/** Parses a location hash. */
export function parseHash(hash: string, fallback: string): Route {
  const [view, ...rest] = hash.replace(/^#\/?/, '').split('&')[0]!.split('/');
  return { view: view || fallback, param: rest.length ? decodeURIComponent(rest.join('/')) || undefined : undefined };
}

/** The current route, kept in step with `location.hash`. */
export class Router {
  route = $state<Route>({ view: '', param: undefined });
  readonly #fallback: string;

  constructor(fallback: string) {
    this.#fallback = fallback;
    this.route = parseHash(location.hash, fallback);
    window.addEventListener('hashchange', () => (this.route = parseHash(location.hash, this.#fallback)));
  }

  /** Goes to a view (and optional parameter), adding a history entry. */
  go(view: string, param?: string): void {
    const hash = `#/${view}${param ? `/${encodeURIComponent(param)}` : ''}`;
    if (location.hash !== hash) location.hash = hash;
    this.route = { view, param };
  }
}
