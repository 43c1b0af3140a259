/** Matching requests to pathways: `METHOD /path` with `:params` and a trailing `*`. Pure. */
import type { PathwaySpec } from '../organism/index.ts';

/** A successful match. */
export interface RouteMatch {
  pathway: PathwaySpec;
  params: Record<string, string>;
}

interface Compiled {
  pathway: PathwaySpec;
  segments: string[];
  wildcard: boolean;
}

function split(path: string): string[] {
  return path.split('/').filter((s) => s.length > 0);
}

/** Routes requests to pathways. Static routes win over parameterised ones, longer over shorter. */
export class Router {
  readonly #static = new Map<string, PathwaySpec>();
  readonly #dynamic: Compiled[] = [];

  constructor(pathways: readonly PathwaySpec[]) {
    for (const p of pathways) {
      const segments = split(p.path);
      const wildcard = segments[segments.length - 1] === '*';
      if (wildcard) segments.pop();
      if (!wildcard && !segments.some((s) => s.startsWith(':'))) this.#static.set(`${p.method} /${segments.join('/')}`, p);
      else this.#dynamic.push({ pathway: p, segments, wildcard });
    }
    // More literal segments first, then longer patterns, wildcards last.
    this.#dynamic.sort(
      (a, b) =>
        Number(a.wildcard) - Number(b.wildcard) ||
        b.segments.filter((s) => !s.startsWith(':')).length - a.segments.filter((s) => !s.startsWith(':')).length ||
        b.segments.length - a.segments.length,
    );
  }

  /** The pathway for a request, or why there is none (404 unknown path, 405 wrong method). */
  match(method: string, rawPath: string): RouteMatch | { status: 404 | 405; allow?: string[] } {
    const segments = split(rawPath);
    const key = `/${segments.join('/')}`;
    const hit = this.#static.get(`${method} ${key}`);
    if (hit) return { pathway: hit, params: {} };
    const allowed = new Set<string>();
    for (const [k, p] of this.#static) if (k.endsWith(` ${key}`)) allowed.add(p.method);
    for (const c of this.#dynamic) {
      const params = matchSegments(c, segments);
      if (!params) continue;
      if (c.pathway.method === method) return { pathway: c.pathway, params };
      allowed.add(c.pathway.method);
    }
    return allowed.size ? { status: 405, allow: [...allowed] } : { status: 404 };
  }
}

function matchSegments(c: Compiled, segments: string[]): Record<string, string> | undefined {
  if (c.wildcard ? segments.length < c.segments.length : segments.length !== c.segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < c.segments.length; i++) {
    const want = c.segments[i]!;
    const got = segments[i]!;
    if (want.startsWith(':')) params[want.slice(1)] = safeDecode(got);
    else if (want !== got) return undefined;
  }
  if (c.wildcard) params['*'] = segments.slice(c.segments.length).map(safeDecode).join('/');
  return params;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
