/**
 * Labelled behaviour windows for the anomaly model, from the project's own load generator and
 * attack kinds against a real engine (real nats-server, cells, gateway, HTTP over loopback).
 *
 * A session grows the lab organism, starts a few benign populations (varied routes, client
 * counts and per-client rates), later a benign flash crowd or two, and two attacks one after the
 * other. A recording layer in the gateway feeds every finished request into a
 * {@link FeatureExtractor} — exactly what the detector does — and once a second snapshots the
 * vector of every client seen in that second. The label is the kind of the client's stream, read
 * from the generator's `x-petri-stream` tag: the tag is the label and nothing else, the
 * extractor never sees it.
 *
 * Plans are seeded (same seed, same plan); what arrives is real traffic on a shared machine, so
 * rows differ run to run in timing details. The committed dataset is what the model card is from.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../../engine/clock.ts';
import { Engine } from '../../engine/engine.ts';
import type { GatewayLayer } from '../../engine/gateway/index.ts';
import { FEATURE_COUNT, FeatureExtractor } from '../../engine/immune/anomaly/index.ts';
import { silentLogger } from '../../engine/log.ts';
import { parseOrganism } from '../../engine/organism/index.ts';

/** The behavioural attack kinds the model learns (slowloris never completes a request: nothing to see). */
export const ATTACKS = ['flood', 'distributed-flood', 'credential-stuffing', 'injection', 'scraping', 'forged-token'] as const;
export type AttackKind = (typeof ATTACKS)[number];
/** A row's label. */
export type Label = 'benign' | AttackKind;
export const LABELS: readonly Label[] = ['benign', ...ATTACKS];

/** The organism sessions run against: a shop with reads, writes, a login and an id-addressed resource. */
export const LAB_ORGANISM = `apiVersion: petri/v1
kind: Organism
metadata: { name: anomaly-lab }
cells:
  - name: catalog
    replicas: 2
    concurrency: 128
    queue: 512
    operations:
      - { name: list, latency: { p50: 2ms, p99: 8ms }, errorRate: 0.002 }
      - { name: get, latency: { p50: 1ms, p99: 5ms } }
  - name: orders
    replicas: 1
    concurrency: 128
    queue: 512
    operations:
      - { name: get, latency: { p50: 2ms, p99: 6ms }, errorRate: 0.05, errorStatus: 404 }
      - { name: create, latency: { p50: 3ms, p99: 10ms }, errorRate: 0.02, errorStatus: 409 }
  - name: account
    replicas: 1
    concurrency: 128
    queue: 512
    operations:
      - { name: login, latency: { p50: 3ms, p99: 10ms }, errorRate: 0.3, errorStatus: 401 }
      - { name: profile, latency: { p50: 1ms, p99: 4ms } }
pathways:
  - { route: GET /products, to: catalog.list }
  - { route: GET /products/:id, to: catalog.get }
  - { route: GET /orders/:id, to: orders.get }
  - { route: POST /orders, to: orders.create }
  - { route: POST /login, to: account.login, login: true }
  - { route: GET /account, to: account.profile }
`;

const GET_ROUTES = ['GET /products', 'GET /products/:id', 'GET /orders/:id', 'GET /account'];
const ALL_ROUTES = [...GET_ROUTES, 'POST /orders', 'POST /login'];

/** One stream of a session: benign traffic or an attack, started `at` ms into the session. */
export interface PlannedStream {
  name: string;
  kind: 'benign' | AttackKind;
  route: string;
  rate: number;
  clients: number;
  at: number;
  for: number;
}

/** A session: its seed, split and streams. */
export interface SessionPlan {
  seed: number;
  split: 'train' | 'test';
  durationMs: number;
  streams: PlannedStream[];
}

const logUniform = (rng: Rng, lo: number, hi: number): number => Math.exp(Math.log(lo) + rng.next() * Math.log(hi / lo));
const between = (rng: Rng, lo: number, hi: number): number => Math.round(lo + rng.next() * (hi - lo));
const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[rng.int(xs.length)]!;
const round2 = (x: number): number => Math.round(x * 100) / 100;

/** A benign population: per-client rates from one request a minute to a few a second. */
function benign(rng: Rng, name: string, at: number, durationMs: number, crowd: boolean): PlannedStream {
  const clients = crowd ? between(rng, 20, 80) : pick(rng, [1, 2, 3, between(rng, 4, 15), between(rng, 15, 60)]);
  // Regulars range from a request a minute to API-client rates; a crowd is people arriving at once.
  const perClient = crowd ? logUniform(rng, 0.1, 1) : logUniform(rng, 1 / 60, 3);
  const rate = round2(Math.max(0.05, Math.min(150, clients * perClient)));
  return { name, kind: 'benign', route: pick(rng, ALL_ROUTES), rate, clients, at, for: durationMs - at };
}

/** An attack of `kind` with a client count and per-client rate drawn from its kind's range. */
function attack(rng: Rng, kind: AttackKind, name: string, at: number, forMs: number): PlannedStream {
  const base = { name, kind, at, for: forMs };
  switch (kind) {
    case 'flood': {
      const clients = between(rng, 1, 3);
      return { ...base, route: pick(rng, GET_ROUTES), clients, rate: round2(Math.min(500, clients * logUniform(rng, 30, 300))) };
    }
    case 'distributed-flood': {
      // At most 400 req/s in all (what this machine's generator sustains beside everything else),
      // so fewer clients when each is faster: the per-client rate is what the plan says.
      const perClient = logUniform(rng, 2.5, 8);
      const clients = Math.min(between(rng, 40, 200), Math.floor(400 / perClient));
      return { ...base, route: pick(rng, GET_ROUTES), clients, rate: round2(clients * perClient) };
    }
    case 'credential-stuffing': {
      const clients = between(rng, 2, 30);
      return { ...base, route: 'POST /login', clients, rate: round2(Math.min(300, clients * logUniform(rng, 1, 20))) };
    }
    case 'injection': {
      const clients = between(rng, 1, 6);
      return { ...base, route: pick(rng, ALL_ROUTES), clients, rate: round2(clients * logUniform(rng, 1, 30)) };
    }
    case 'scraping': {
      const clients = between(rng, 1, 2);
      const route = pick(rng, ['GET /products/:id', 'GET /orders/:id', 'GET /products']);
      return { ...base, route, clients, rate: round2(logUniform(rng, 2, 30)) };
    }
    case 'forged-token': {
      const clients = between(rng, 1, 6);
      return { ...base, route: pick(rng, GET_ROUTES), clients, rate: round2(clients * logUniform(rng, 1, 20)) };
    }
  }
}

/** Benign-only warm-up before the first attack: routes and clients get a past to be compared with. */
export const WARM_UP_MS = 30_000;

/**
 * The plan of session `seed`: 3–6 benign populations from the start, 0–2 flash crowds joining
 * later, and the three given attack kinds one after another from {@link WARM_UP_MS} on, 12–14 s
 * each with a few seconds between them.
 */
export function planSession(seed: number, split: SessionPlan['split'], kinds: readonly AttackKind[]): SessionPlan {
  const rng = new Rng(seed).fork('anomaly-session');
  const durationMs = WARM_UP_MS + kinds.length * 16_000 + 2_000;
  const streams: PlannedStream[] = [];
  const background = between(rng, 3, 6);
  for (let i = 0; i < background; i++) streams.push(benign(rng, `benign-${i}`, 0, durationMs, false));
  const crowds = rng.int(3);
  for (let i = 0; i < crowds; i++)
    streams.push(benign(rng, `crowd-${i}`, between(rng, 10_000, durationMs - 15_000), durationMs, true));
  kinds.forEach((kind, i) => {
    const at = WARM_UP_MS + i * 16_000 + between(rng, 0, 1_000);
    streams.push(attack(rng, kind, `a${i}-${kind}`, at, between(rng, 12_000, 14_000)));
  });
  return { seed, split, durationMs, streams };
}

/** Attacks per session. */
export const ATTACKS_PER_SESSION = 3;

/**
 * Every session of a data set: the attack kinds in seeded shuffled rounds, three per session, so
 * each kind comes up equally often and meets different neighbours.
 */
export function planSessions(firstSeed: number, sessions: number, split: SessionPlan['split']): SessionPlan[] {
  const rng = new Rng(firstSeed).fork('anomaly-kinds');
  const queue: AttackKind[] = [];
  while (queue.length < sessions * ATTACKS_PER_SESSION) {
    const round = [...ATTACKS];
    for (let i = round.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [round[i], round[j]] = [round[j]!, round[i]!];
    }
    queue.push(...round);
  }
  return Array.from({ length: sessions }, (_, i) =>
    planSession(firstSeed + i, split, queue.slice(ATTACKS_PER_SESSION * i, ATTACKS_PER_SESSION * (i + 1))),
  );
}

/** Clients recorded per stream. */
export const CLIENTS_PER_STREAM = 40;

/** One labelled window: a client's vector at one snapshot. */
export interface Row {
  session: number;
  /** Seconds since the session started. */
  t: number;
  client: string;
  label: Label;
  stream: string;
  /** The client's dominant route (the allowlist baseline profiles per route). */
  route: string;
  features: Float64Array;
}

/** Ground truth for a client: its stream's name from the generator's tag. Never a feature. */
function labelLayer(extractor: FeatureExtractor, streamOf: Map<string, string>, seen: Map<string, number>): GatewayLayer {
  return {
    name: 'anomaly-recorder',
    inspect: () => undefined,
    observe(req, status) {
      const tag = req.headers['x-petri-stream'];
      if (typeof tag === 'string') {
        if (!streamOf.has(req.client)) streamOf.set(req.client, tag);
        seen.set(tag, (seen.get(tag) ?? 0) + 1);
      }
      extractor.observe(req, status);
    },
  };
}

function startStream(engine: Engine, s: PlannedStream, seed: number): void {
  const spec = { name: s.name, route: s.route, rate: s.rate, clients: s.clients, for: `${s.for}ms` };
  if (s.kind === 'benign') engine.traffic.start(spec, undefined, seed);
  else engine.attacks.start({ ...spec, kind: s.kind }, seed);
}

/** What a session produced: its rows and how many requests of each stream reached the gateway. */
export interface SessionResult {
  rows: Row[];
  observed: Record<string, number>;
}

/** Runs one session against a fresh engine. */
export async function runSession(plan: SessionPlan, log: (line: string) => void = () => {}): Promise<SessionResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'petri-anomaly-'));
  const organism = parseOrganism(LAB_ORGANISM, 'anomaly-lab.yaml');
  const engine = await Engine.start({ organism, dataDir, seed: plan.seed, logger: silentLogger });
  const extractor = new FeatureExtractor();
  const streamOf = new Map<string, string>();
  const kindOf = new Map(plan.streams.map((s) => [s.name, s.kind]));
  const rows: Row[] = [];
  const seen = new Map<string, number>();
  const timers: NodeJS.Timeout[] = [];
  // The first CLIENTS_PER_STREAM clients of each stream are recorded: a 200-client flood's clients
  // are near-copies of each other, and without a cap they would outweigh every other stream.
  const recorded = new Map<string, Set<string>>();
  const kept = (stream: string, client: string): boolean => {
    let set = recorded.get(stream);
    if (!set) recorded.set(stream, (set = new Set()));
    if (set.has(client)) return true;
    if (set.size >= CLIENTS_PER_STREAM) return false;
    set.add(client);
    return true;
  };
  try {
    engine.gateway.layers.push(labelLayer(extractor, streamOf, seen));
    const t0 = engine.clock.now();
    for (const s of plan.streams) timers.push(setTimeout(() => startStream(engine, s, plan.seed), s.at));
    const snapshot = (): void => {
      const at = engine.clock.now();
      for (const client of extractor.takeActive()) {
        const stream = streamOf.get(client);
        const label = stream ? kindOf.get(stream) : undefined;
        if (!stream || !label || !kept(stream, client)) continue;
        const features = new Float64Array(FEATURE_COUNT);
        extractor.vector(client, at, features);
        rows.push({
          session: plan.seed,
          t: (at - t0) / 1000,
          client,
          label,
          stream,
          route: extractor.routeOf(client) ?? '',
          features,
        });
      }
      extractor.evict(at);
    };
    const ticker = setInterval(snapshot, 1000);
    timers.push(ticker as unknown as NodeJS.Timeout);
    await new Promise((r) => setTimeout(r, plan.durationMs + 500));
    clearInterval(ticker);
    log(`session ${plan.seed} (${plan.split}): ${rows.length} rows, ${streamOf.size} clients`);
  } finally {
    for (const t of timers) clearTimeout(t);
    await engine.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  return { rows, observed: Object.fromEntries([...seen].sort((a, b) => a[0].localeCompare(b[0]))) };
}

/** The committed data set: sessions, and rows with features rounded to 4 decimals. */
export interface Dataset {
  format: 'petri-anomaly-dataset/1';
  features: string[];
  /** How it was made (command, wall seconds, machine load at the start). */
  generated: Record<string, unknown>;
  sessions: Array<SessionPlan & { observed: Record<string, number> }>;
  rows: Row[];
}

const SCALE = 10_000;

/** Serialises a data set: gzipped JSON, one row per line, columns interned. */
export function encodeDataset(d: Dataset): Buffer {
  const clients = new Map<string, number>();
  const streams = new Map<string, number>();
  const routes = new Map<string, number>();
  const id = (m: Map<string, number>, k: string): number => {
    let v = m.get(k);
    if (v === undefined) m.set(k, (v = m.size));
    return v;
  };
  const lines = d.rows.map((r) =>
    JSON.stringify([
      r.session,
      Math.round(r.t * 10),
      id(clients, r.client),
      LABELS.indexOf(r.label),
      id(streams, r.stream),
      id(routes, r.route),
      ...Array.from(r.features, (v) => Math.round(v * SCALE)),
    ]),
  );
  const head = {
    format: d.format,
    features: d.features,
    labels: LABELS,
    generated: d.generated,
    sessions: d.sessions,
    clients: [...clients.keys()],
    streams: [...streams.keys()],
    routes: [...routes.keys()],
  };
  const text = `${JSON.stringify(head).slice(0, -1)},"rows":[\n${lines.join(',\n')}\n]}\n`;
  return gzipSync(text, { level: 9 });
}

/** Reads a data set written by {@link encodeDataset}. */
export function decodeDataset(bytes: Buffer): Dataset {
  const raw = JSON.parse(gunzipSync(bytes).toString('utf8')) as {
    format: Dataset['format'];
    features: string[];
    labels: Label[];
    generated: Record<string, unknown>;
    sessions: Dataset['sessions'];
    clients: string[];
    streams: string[];
    routes: string[];
    rows: number[][];
  };
  const rows = raw.rows.map((r): Row => ({
    session: r[0]!,
    t: r[1]! / 10,
    client: raw.clients[r[2]!]!,
    label: raw.labels[r[3]!]!,
    stream: raw.streams[r[4]!]!,
    route: raw.routes[r[5]!]!,
    features: Float64Array.from(r.slice(6), (v) => v / SCALE),
  }));
  return { format: raw.format, features: raw.features, generated: raw.generated, sessions: raw.sessions, rows };
}
