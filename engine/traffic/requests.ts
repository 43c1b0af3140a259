/**
 * What each request of a stream looks like: method, path with `:params` and `*` filled from the
 * seeded generator, headers, body. Attack kinds plug in their own builders. Pure.
 */
import type { Rng } from '../clock.ts';

/** A request to send. */
export interface RequestPlan {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

/** Everything a builder may use for request number `seq` of a stream. */
export interface BuildContext {
  route: { method: string; path: string };
  seq: number;
  client: number;
  rng: Rng;
  /** Kind-specific data passed from the engine (e.g. injection payloads, a login route). */
  data: Record<string, unknown>;
}

/** Builds one request. */
export type RequestBuilder = (ctx: BuildContext) => RequestPlan;

/** Splits `GET /products/:id` (scenario routes are written like pathways). */
export function parseRoute(route: string): { method: string; path: string } {
  const m = /^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\s+(\/\S*)$/.exec(route.trim());
  if (!m) throw new Error(`not a route: ${JSON.stringify(route)} (expected e.g. "GET /products/:id")`);
  return { method: m[1]!, path: m[2]! };
}

const WORDS = ['alpha', 'delta', 'kepler', 'nova', 'orbit', 'pixel', 'quartz', 'rover', 'sigma', 'vega'];

/** Fills `:param` segments with ids 1..1000 (names containing "name"/"slug" get words) and `*` with a path. */
export function fillPath(path: string, rng: Rng): string {
  return path
    .split('/')
    .map((seg) => {
      if (seg.startsWith(':')) return /name|slug/i.test(seg) ? WORDS[rng.int(WORDS.length)]! : String(1 + rng.int(1000));
      if (seg === '*') return `${WORDS[rng.int(WORDS.length)]}/${1 + rng.int(100)}`;
      return seg;
    })
    .join('/');
}

/** The builder of ordinary traffic: the route's method, a filled path, a small JSON body for writes. */
export const normalRequest: RequestBuilder = ({ route, rng, client, data }) => {
  const plan: RequestPlan = { method: route.method, path: fillPath(route.path, rng), headers: {} };
  if (typeof data.token === 'string') plan.headers.authorization = `Bearer ${data.token}`;
  if (route.method !== 'GET' && route.method !== 'HEAD' && route.method !== 'DELETE') {
    plan.headers['content-type'] = 'application/json';
    // Ordinary users of a login route know their password (the sandbox's rule: pw-<username>).
    const username = `user${client}@example.com`;
    plan.body = JSON.stringify(
      data.login ? { username, password: `pw-${username}` } : { item: 1 + rng.int(1000), quantity: 1 + rng.int(3) },
    );
  }
  return plan;
};
