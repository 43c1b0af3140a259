/**
 * Per-client behaviour windows for the anomaly model, fed from the gateway's `observe()`.
 *
 * Each client (remote address) keeps two bounded structures:
 * - per-second counters over the last {@link WINDOW_SECONDS} seconds (requests, client errors,
 *   authentication failures, writes, unmatched routes), for rates and ratios;
 * - a ring of its last {@link RING} requests (time, route template, path, numeric id, payload
 *   measurements, credential fingerprint), for distinctness, enumeration and regularity.
 * Each route template keeps decayed request counts (a few seconds and two minutes), so a client
 * can be seen against its route: is the route surging, and are its requests coming from new
 * clients? That is the only way to see a distributed flood, whose clients each look ordinary.
 *
 * Time is the request's `now` (engine time); the vector is computed for a given `at`. Nothing
 * here reads the load generator's ground-truth headers. Memory is bounded: idle clients are
 * evicted, and past {@link FeatureOptions.maxClients} the least recently seen go first.
 */
import type { GatewayRequest } from '../../gateway/index.ts';
import { credentialOf, fingerprint, metacharShare, numericId, payloadEntropy } from './payload.ts';

/** Seconds of per-second counters behind the rate and ratio features. */
export const WINDOW_SECONDS = 10;
/** Requests remembered per client for distinctness, enumeration and regularity. */
export const RING = 16;
/**
 * A client younger than this (ms) is "new" for its route's new-client share: long enough to
 * cover the first half minute of a distributed flood, short enough that regulars are not new.
 */
export const YOUNG_MS = 30_000;
/**
 * Rates are counts over at least this many seconds. A client's first requests say little about
 * its rate — a customer at 1 req/s sends 4 in its first 1.2 s one time in ten — and a flood at
 * 200 req/s still shows as 50+ req/s in its first half second.
 */
export const MIN_RATE_SPAN_S = 2;
/** Time constants (ms) of a route's short and long request rates. */
export const ROUTE_SHORT_MS = 5_000;
export const ROUTE_LONG_MS = 120_000;

/**
 * The feature vector, in order. Every value is in [0, 1] by construction (logs of rates are
 * divided by the log of a ceiling and clipped), so the vector is normalised without statistics;
 * the model standardises it further with its training means.
 */
export const FEATURE_NAMES = [
  'rate', // log1p(requests/s over the window, at least 2 s) / log1p(1000)
  'clientErrors', // share of 4xx other than 401/403
  'authFailures', // share of 401/403
  'authFailureRate', // log1p(401+403 per s) / log1p(100)
  'writes', // share of POST/PUT/PATCH/DELETE
  'unmatched', // share of requests matching no pathway
  'distinctPaths', // distinct raw paths / requests (ring)
  'distinctRoutes', // (distinct route templates − 1) / 7, clipped (ring)
  'payloadShare', // share of requests with a query or body (ring)
  'payloadEntropy', // mean Shannon entropy of query+body bytes / 8 (ring, requests with payload)
  'payloadLength', // log1p(mean query+body bytes) / log1p(4096) (ring, requests with payload)
  'metachars', // mean share of code-like characters in decoded path, query and body (ring)
  'idEnumeration', // share of consecutive numeric ids 1–3 apart, in arrival order (ring)
  'arrivalCv', // coefficient of variation of inter-arrival gaps / 3, clipped (ring; 1/3 if < 4 gaps)
  'credentialChurn', // (distinct credentials − 1) / (requests with one − 1) (ring)
  'age', // log1p(seconds since first seen) / log1p(3600)
  'routeSurge', // log2(route's short rate / its long rate) / 6, clipped to [0, 1]
  'routeNewClients', // share of the route's recent requests from clients younger than 30 s
] as const;

/** One feature's name. */
export type FeatureName = (typeof FEATURE_NAMES)[number];

/** Length of the feature vector. */
export const FEATURE_COUNT = FEATURE_NAMES.length;

/** Options of {@link FeatureExtractor}. */
export interface FeatureOptions {
  /** A client unseen for this long (ms) is forgotten (default 60 s). */
  idleMs?: number;
  /** At most this many clients are kept; past it the least recently seen are evicted (default 20,000). */
  maxClients?: number;
}

// Per-second counters, WINDOW_SECONDS buckets of C_COUNT each.
const C_REQ = 0;
const C_ERR = 1;
const C_AUTH = 2;
const C_WRITE = 3;
const C_UNMATCHED = 4;
const C_COUNT = 5;

// Ring fields, RING entries of R_COUNT each (one Float64Array per client).
const R_T = 0;
const R_ROUTE = 1;
const R_PATH = 2;
const R_ID = 3;
const R_ENTROPY = 4;
const R_LENGTH = 5;
const R_META = 6;
const R_CRED = 7;
const R_PAYLOAD = 8;
const R_COUNT = 9;

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

class ClientWindow {
  firstSeen: number;
  lastSeen: number;
  /** Which epoch second each bucket holds (−1: none). */
  readonly seconds = new Float64Array(WINDOW_SECONDS).fill(-1);
  readonly counters = new Uint32Array(WINDOW_SECONDS * C_COUNT);
  readonly ring = new Float64Array(RING * R_COUNT);
  head = 0;
  size = 0;

  constructor(now: number) {
    this.firstSeen = now;
    this.lastSeen = now;
  }
}

class RouteRates {
  firstSeen: number;
  last: number;
  short = 0;
  long = 0;
  young = 0;

  constructor(now: number) {
    this.firstSeen = now;
    this.last = now;
  }

  /** Decays the counts to `t` (never backwards: requests finish out of order). */
  decay(t: number): void {
    if (t <= this.last) return;
    const dt = t - this.last;
    const s = Math.exp(-dt / ROUTE_SHORT_MS);
    this.short *= s;
    this.young *= s;
    this.long *= Math.exp(-dt / ROUTE_LONG_MS);
    this.last = t;
  }

  /**
   * Short rate over long rate, each bias-corrected for the route's age so a route that starts
   * busy is not a surge — only a change against its own past is.
   */
  surge(at: number): number {
    this.decay(at);
    const age = Math.max(1, at - this.firstSeen);
    const short = this.short / (ROUTE_SHORT_MS * (1 - Math.exp(-age / ROUTE_SHORT_MS)));
    const long = this.long / (ROUTE_LONG_MS * (1 - Math.exp(-age / ROUTE_LONG_MS)));
    return long > 0 ? short / long : 1;
  }
}

const LOG_RATE = Math.log1p(1000);
const LOG_AUTH = Math.log1p(100);
const LOG_LENGTH = Math.log1p(4096);
const LOG_AGE = Math.log1p(3600);

/** Keeps every client's window and turns it into a feature vector on demand. */
export class FeatureExtractor {
  readonly #clients = new Map<string, ClientWindow>();
  readonly #routes: RouteRates[] = [];
  readonly #routeIds = new Map<string, number>();
  readonly #routeKeys: string[] = [];
  readonly #active = new Set<string>();
  readonly #idleMs: number;
  readonly #maxClients: number;
  // scratch for ring computations (arrival order)
  readonly #order = new Int32Array(RING);
  readonly #sums = new Float64Array(C_COUNT);

  constructor(options: FeatureOptions = {}) {
    this.#idleMs = options.idleMs ?? 60_000;
    this.#maxClients = options.maxClients ?? 20_000;
  }

  /** Number of clients with a window. */
  get size(): number {
    return this.#clients.size;
  }

  /** Records one finished request of `req.client` with its status. */
  observe(req: GatewayRequest, status: number): void {
    const now = req.now;
    let w = this.#clients.get(req.client);
    if (!w) {
      w = new ClientWindow(now);
      this.#clients.set(req.client, w);
    }
    if (now > w.lastSeen) w.lastSeen = now;
    if (now < w.firstSeen) w.firstSeen = now;
    this.#active.add(req.client);
    this.#count(w, now, req, status);
    const route = this.#routeId(req);
    this.#remember(w, now, route, req);
    const r = this.#routes[route]!;
    r.decay(now);
    r.short++;
    r.long++;
    if (now - w.firstSeen < YOUNG_MS) r.young++;
  }

  /** Clients observed since the last call (each once), and forgets them: the next batch to score. */
  takeActive(): string[] {
    const out = [...this.#active];
    this.#active.clear();
    return out;
  }

  /** Whether a client has a window. */
  has(client: string): boolean {
    return this.#clients.has(client);
  }

  /**
   * Writes the client's feature vector at engine time `at` into `out` (from `offset`), which
   * must hold {@link FEATURE_COUNT} values; returns false (and writes nothing) for an unknown client.
   */
  vector(client: string, at: number, out: Float32Array | Float64Array, offset = 0): boolean {
    const w = this.#clients.get(client);
    if (!w) return false;
    this.#windowFeatures(w, at, out, offset);
    this.#ringFeatures(w, at, out, offset);
    return true;
  }

  /** The route (`GET /products/:id`) most of the client's recent requests took; `''` when none matched a pathway. */
  routeOf(client: string): string | undefined {
    const w = this.#clients.get(client);
    return w ? this.#routeKeys[this.#dominantRoute(w)] : undefined;
  }

  /** Forgets clients idle for longer than the idle time, then the oldest beyond the cap. */
  evict(at: number): number {
    let evicted = 0;
    for (const [client, w] of this.#clients)
      if (at - w.lastSeen > this.#idleMs) {
        this.#clients.delete(client);
        evicted++;
      }
    const excess = this.#clients.size - this.#maxClients;
    if (excess > 0) {
      const oldest = [...this.#clients.entries()].sort((a, b) => a[1].lastSeen - b[1].lastSeen).slice(0, excess);
      for (const [client] of oldest) this.#clients.delete(client);
      evicted += oldest.length;
    }
    return evicted;
  }

  #routeId(req: GatewayRequest): number {
    const key = req.pathway ? req.pathway.route : '';
    let id = this.#routeIds.get(key);
    if (id === undefined) {
      id = this.#routes.length;
      this.#routeIds.set(key, id);
      this.#routeKeys.push(key);
      this.#routes.push(new RouteRates(req.now));
    }
    return id;
  }

  #count(w: ClientWindow, now: number, req: GatewayRequest, status: number): void {
    const sec = Math.floor(now / 1000);
    const b = sec % WINDOW_SECONDS;
    const base = b * C_COUNT;
    if (w.seconds[b] !== sec) {
      // A request finishing late may belong to a second the bucket already moved past: drop it
      // from the counters (it is still in the ring) rather than corrupt a newer second.
      if (w.seconds[b]! > sec) return;
      w.seconds[b] = sec;
      w.counters.fill(0, base, base + C_COUNT);
    }
    w.counters[base + C_REQ]!++;
    if (status === 401 || status === 403) w.counters[base + C_AUTH]!++;
    else if (status >= 400 && status < 500) w.counters[base + C_ERR]!++;
    if (WRITES.has(req.method)) w.counters[base + C_WRITE]!++;
    if (!req.pathway) w.counters[base + C_UNMATCHED]!++;
  }

  #remember(w: ClientWindow, now: number, route: number, req: GatewayRequest): void {
    const o = w.head * R_COUNT;
    const ring = w.ring;
    const hasPayload = req.query.length > 0 || (req.body?.length ?? 0) > 0;
    ring[o + R_T] = now;
    ring[o + R_ROUTE] = route;
    ring[o + R_PATH] = fingerprint(req.path);
    ring[o + R_ID] = numericId(req.params, req.query);
    ring[o + R_ENTROPY] = hasPayload ? payloadEntropy(req.query, req.body) : 0;
    ring[o + R_LENGTH] = req.query.length + (req.body?.length ?? 0);
    ring[o + R_META] = metacharShare(req.path, req.query, req.body);
    ring[o + R_CRED] = credentialOf(req);
    ring[o + R_PAYLOAD] = hasPayload ? 1 : 0;
    w.head = (w.head + 1) % RING;
    if (w.size < RING) w.size++;
  }

  /** Rate, ratio, age and route features from the per-second counters. */
  #windowFeatures(w: ClientWindow, at: number, out: Float32Array | Float64Array, o: number): void {
    const nowSec = Math.floor(at / 1000);
    const sums = this.#sums.fill(0);
    for (let b = 0; b < WINDOW_SECONDS; b++) {
      const sec = w.seconds[b]!;
      if (sec <= nowSec - WINDOW_SECONDS || sec > nowSec) continue;
      for (let c = 0; c < C_COUNT; c++) sums[c]! += w.counters[b * C_COUNT + c]!;
    }
    const [n, err, auth, writes, unmatched] = sums as unknown as [number, number, number, number, number];
    const from = Math.max(w.firstSeen, (nowSec - WINDOW_SECONDS + 1) * 1000);
    const span = Math.min(WINDOW_SECONDS, Math.max(MIN_RATE_SPAN_S, (at - from) / 1000));
    const share = (k: number): number => (n > 0 ? k / n : 0);
    out[o + 0] = Math.min(1, Math.log1p(n / span) / LOG_RATE);
    out[o + 1] = share(err);
    out[o + 2] = share(auth);
    out[o + 3] = Math.min(1, Math.log1p(auth / span) / LOG_AUTH);
    out[o + 4] = share(writes);
    out[o + 5] = share(unmatched);
    out[o + 15] = Math.min(1, Math.log1p(Math.max(0, at - w.firstSeen) / 1000) / LOG_AGE);
    const route = this.#routes[this.#dominantRoute(w)];
    if (route) {
      route.decay(at);
      out[o + 16] = Math.min(1, Math.max(0, Math.log2(route.surge(at)) / 6));
      out[o + 17] = route.short > 0 ? Math.min(1, route.young / route.short) : 0;
    } else {
      out[o + 16] = 0;
      out[o + 17] = 0;
    }
  }

  #dominantRoute(w: ClientWindow): number {
    let best = -1;
    let bestCount = 0;
    for (let i = 0; i < w.size; i++) {
      const r = w.ring[i * R_COUNT + R_ROUTE]!;
      let c = 0;
      for (let j = 0; j < w.size; j++) if (w.ring[j * R_COUNT + R_ROUTE] === r) c++;
      if (c > bestCount) {
        bestCount = c;
        best = r;
      }
    }
    return best;
  }

  /** Distinctness, payload, enumeration, regularity and credential features from the ring. */
  #ringFeatures(w: ClientWindow, _at: number, out: Float32Array | Float64Array, o: number): void {
    const ring = w.ring;
    const n = w.size;
    let paths = 0;
    let routes = 0;
    let payloads = 0;
    let entropy = 0;
    let length = 0;
    let meta = 0;
    let creds = 0;
    let distinctCreds = 0;
    for (let i = 0; i < n; i++) {
      const a = i * R_COUNT;
      if (firstOf(ring, n, i, R_PATH)) paths++;
      if (firstOf(ring, n, i, R_ROUTE)) routes++;
      meta += ring[a + R_META]!;
      if (ring[a + R_PAYLOAD] === 1) {
        payloads++;
        entropy += ring[a + R_ENTROPY]!;
        length += ring[a + R_LENGTH]!;
      }
      if (ring[a + R_CRED] !== 0) {
        creds++;
        if (firstOf(ring, n, i, R_CRED)) distinctCreds++;
      }
    }
    out[o + 6] = n ? paths / n : 0;
    out[o + 7] = Math.min(1, Math.max(0, routes - 1) / 7);
    out[o + 8] = n ? payloads / n : 0;
    out[o + 9] = payloads ? entropy / payloads / 8 : 0;
    out[o + 10] = payloads ? Math.min(1, Math.log1p(length / payloads) / LOG_LENGTH) : 0;
    out[o + 11] = n ? meta / n : 0;
    out[o + 14] = creds > 1 ? (distinctCreds - 1) / (creds - 1) : 0;
    this.#sequenceFeatures(w, out, o);
  }

  /** Enumeration and inter-arrival regularity, which need the ring in arrival order. */
  #sequenceFeatures(w: ClientWindow, out: Float32Array | Float64Array, o: number): void {
    const ring = w.ring;
    const n = w.size;
    const order = this.#order;
    // Insertion sort by arrival time: requests are observed when they finish, not when they came.
    for (let i = 0; i < n; i++) {
      let j = i;
      const t = ring[i * R_COUNT + R_T]!;
      while (j > 0 && ring[order[j - 1]! * R_COUNT + R_T]! > t) {
        order[j] = order[j - 1]!;
        j--;
      }
      order[j] = i;
    }
    let pairs = 0;
    let steps = 0;
    let prevId = NaN;
    let gaps = 0;
    let sum = 0;
    let sumSq = 0;
    for (let k = 0; k < n; k++) {
      const a = order[k]! * R_COUNT;
      const id = ring[a + R_ID]!;
      if (!Number.isNaN(id)) {
        if (!Number.isNaN(prevId)) {
          pairs++;
          const d = Math.abs(id - prevId);
          if (d >= 1 && d <= 3) steps++;
        }
        prevId = id;
      }
      if (k > 0) {
        const gap = ring[a + R_T]! - ring[order[k - 1]! * R_COUNT + R_T]!;
        gaps++;
        sum += gap;
        sumSq += gap * gap;
      }
    }
    out[o + 12] = pairs ? steps / pairs : 0;
    if (gaps >= 4 && sum > 0) {
      const mean = sum / gaps;
      const cv = Math.sqrt(Math.max(0, sumSq / gaps - mean * mean)) / mean;
      out[o + 13] = Math.min(1, cv / 3);
    } else out[o + 13] = 1 / 3;
  }
}

/** Whether ring entry i is the first with its value of `field` (so distinct values are counted once). */
function firstOf(ring: Float64Array, n: number, i: number, field: number): boolean {
  const v = ring[i * R_COUNT + field];
  for (let j = 0; j < i; j++) if (ring[j * R_COUNT + field] === v) return false;
  return n > 0;
}
