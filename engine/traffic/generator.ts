/**
 * The engine side of the load generator: owns the worker thread, hands out client address blocks,
 * keeps the last second of per-stream measurements for the metrics collector, and tells listeners
 * when a stream ends.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { StreamStats } from '../api/schema.ts';
import { hash32 } from '../clock.ts';
import { ConflictError, NotFoundError, ValidationError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { Histogram, type HistogramData } from '../metrics/index.ts';
import { rootPath } from '../util/paths.ts';
import type { ArrivalLaw, RateShape } from './arrivals.ts';
import { AddressBlocks, clientAddress } from './clients.ts';
import type { FromWorker, StreamSample, ToWorker, WorkerStream } from './protocol.ts';

/** A stream to start (validated by the caller). */
export interface StreamInput {
  name: string;
  /** `traffic` for ordinary load, or the attack kind. */
  kind: string;
  route: string;
  rate: number;
  clients: number;
  law?: ArrivalLaw;
  shape?: RateShape;
  durationMs?: number;
  timeoutMs?: number;
  data?: Record<string, unknown>;
  /** Attack streams carry their attack's name for events and incidents. */
  attack?: string;
  /** Seed of the run this stream belongs to (a scenario's); defaults to the engine's. */
  seed?: number;
  /** Reuse the client addresses of this earlier stream (a returning population). */
  sameClientsAs?: string;
}

/** A running stream as the API lists it. */
export interface StreamInfo {
  name: string;
  kind: string;
  route: string;
  rate: number;
  clients: number;
  startedAt: number;
  durationMs?: number;
  addresses: { first: string; last: string };
}

/** Where the worker's code is: the bundle ships its own entry; from source it runs through tsx. */
function workerEntry(): URL {
  const here = fileURLToPath(import.meta.url);
  const bundled = rootPath('dist', 'traffic-worker.mjs');
  if (here.endsWith('petri.mjs') && existsSync(bundled)) return pathToFileURL(bundled);
  return new URL('./worker-entry.mjs', import.meta.url);
}

/** The load generator. */
export class TrafficGenerator {
  readonly #worker: Worker;
  readonly #logger: Logger;
  readonly #seed: number;
  readonly #now: () => number;
  readonly #blocks = new AddressBlocks();
  readonly #streams = new Map<string, StreamInfo & { spec: WorkerStream }>();
  readonly #pending = new Map<string, StreamSample>();
  readonly #endListeners = new Set<(name: string, sent: number) => void>();
  readonly #sampleListeners = new Set<(samples: StreamSample[]) => void>();

  /** Resolves once the worker thread has loaded and can send (start it early: it takes a moment). */
  readonly ready: Promise<void>;

  constructor(options: { speed: number; seed: number; now: () => number; logger: Logger; target?: string }) {
    this.#worker = new Worker(workerEntry());
    this.#worker.unref();
    this.#logger = options.logger;
    this.#seed = options.seed;
    this.#now = options.now;
    this.#speed = options.speed;
    this.ready = new Promise((resolve, reject) => {
      this.#onReady = resolve;
      this.#worker.once('error', reject);
    });
    this.#worker.on('message', (msg: FromWorker) => this.#onMessage(msg));
    this.#worker.on('error', (err) => this.#logger.error('load generator worker failed', { err }));
    if (options.target) this.target(options.target);
  }

  readonly #speed: number;
  #onReady: () => void = () => {};

  /** Where requests go (the gateway's URL, known once it listens). */
  target(url: string): void {
    this.#post({ op: 'config', target: url, speed: this.#speed });
  }

  /** Starts a stream; names are unique among running streams. */
  start(input: StreamInput): StreamInfo {
    if (this.#streams.has(input.name)) throw new ConflictError(`a stream named '${input.name}' is already running`);
    let block: number;
    try {
      block = this.#blocks.take(input.name, input.sameClientsAs);
    } catch (err) {
      throw new ValidationError([{ path: 'sameClientsAs', message: (err as Error).message }]);
    }
    const spec: WorkerStream = {
      name: input.name,
      builder: input.kind === 'traffic' ? 'normal' : input.kind,
      route: input.route,
      rate: input.rate,
      clients: Math.max(1, input.clients),
      law: input.law ?? 'poisson',
      shape: input.shape ?? { kind: 'steady' },
      durationMs: input.durationMs,
      timeoutMs: input.timeoutMs ?? 10_000,
      seed: hash32(`${input.seed ?? this.#seed}:${input.name}`),
      block,
      data: input.data ?? {},
    };
    const info = {
      name: input.name,
      kind: input.kind,
      route: input.route,
      rate: input.rate,
      clients: spec.clients,
      startedAt: this.#now(),
      ...(input.durationMs !== undefined ? { durationMs: input.durationMs } : {}),
      addresses: { first: clientAddress(block, 0), last: clientAddress(block, spec.clients - 1) },
    };
    this.#streams.set(input.name, { ...info, spec });
    this.#post({ op: 'start', stream: spec });
    return info;
  }

  /** Changes a stream's base rate (0 pauses it). */
  setRate(name: string, rate: number): StreamInfo {
    const s = this.#get(name);
    s.rate = rate;
    this.#post({ op: 'rate', name, rate });
    return this.#info(s);
  }

  stop(name: string): void {
    this.#get(name);
    this.#post({ op: 'stop', name });
  }

  list(): StreamInfo[] {
    return [...this.#streams.values()].map((s) => this.#info(s));
  }

  has(name: string): boolean {
    return this.#streams.has(name);
  }

  /** Every client address of a running stream (ground truth for incidents). */
  addresses(name: string): string[] {
    const s = this.#get(name);
    return Array.from({ length: s.spec.clients }, (_, i) => clientAddress(s.spec.block, i));
  }

  /** Called when a stream ends (its duration passed, or it was stopped). */
  onEnded(fn: (name: string, sent: number) => void): () => void {
    this.#endListeners.add(fn);
    return () => this.#endListeners.delete(fn);
  }

  /** Called with each second of samples. */
  onSamples(fn: (samples: StreamSample[]) => void): () => void {
    this.#sampleListeners.add(fn);
    return () => this.#sampleListeners.delete(fn);
  }

  /**
   * Everything measured since the last call, merged per stream (worker reports and collector
   * ticks are not aligned: nothing is lost or counted twice). Called once per metrics frame.
   */
  take(): Array<{ stats: StreamStats; hist: HistogramData }> {
    const out = [...this.#pending.values()].map((s) => ({ stats: toStats(s), hist: s.hist }));
    this.#pending.clear();
    return out;
  }

  async close(): Promise<void> {
    await this.#worker.terminate();
  }

  #get(name: string): StreamInfo & { spec: WorkerStream } {
    const s = this.#streams.get(name);
    if (!s) throw new NotFoundError(`traffic stream '${name}'`);
    return s;
  }

  #info(s: StreamInfo & { spec: WorkerStream }): StreamInfo {
    const { spec: _spec, ...info } = s;
    return info;
  }

  #post(msg: ToWorker): void {
    this.#worker.postMessage(msg);
  }

  #onMessage(msg: FromWorker): void {
    switch (msg.op) {
      case 'ready':
        this.#onReady();
        break;
      case 'stats':
        for (const s of msg.samples) this.#pending.set(s.name, merge(this.#pending.get(s.name), s));
        for (const fn of this.#sampleListeners) fn(msg.samples);
        break;
      case 'ended':
        if (!this.#streams.delete(msg.name)) break;
        this.#blocks.release(msg.name);
        for (const fn of this.#endListeners) fn(msg.name, msg.sent);
        break;
      case 'error':
        this.#logger.error('load generator stream failed', { stream: msg.name, message: msg.message });
        break;
    }
  }
}

function merge(a: StreamSample | undefined, b: StreamSample): StreamSample {
  if (!a) return b;
  const h = new Histogram().mergeData(a.hist, a.histMax, a.histSum).mergeData(b.hist, b.histMax, b.histSum);
  const sum = (k: 'sent' | 'done' | 'ok' | 'c4xx' | 'c5xx' | 'blocked' | 'timeouts' | 'errors'): number => a[k] + b[k];
  return {
    name: b.name,
    sent: sum('sent'),
    done: sum('done'),
    ok: sum('ok'),
    c4xx: sum('c4xx'),
    c5xx: sum('c5xx'),
    blocked: sum('blocked'),
    timeouts: sum('timeouts'),
    errors: sum('errors'),
    inflight: b.inflight,
    hist: h.toData(),
    histMax: h.max,
    histSum: h.sum,
    lagMs: Math.max(a.lagMs, b.lagMs),
    ...(a.clients || b.clients ? { clients: [...new Set([...(a.clients ?? []), ...(b.clients ?? [])])] } : {}),
  };
}

function toStats(s: StreamSample): StreamStats {
  const h = new Histogram().mergeData(s.hist, s.histMax, s.histSum);
  const count = s.done;
  return {
    name: s.name,
    sent: s.sent,
    count,
    rps: s.sent,
    ok: s.ok,
    c4xx: s.c4xx,
    c5xx: s.c5xx,
    blocked: s.blocked,
    timeouts: s.timeouts,
    errors: s.errors,
    inflight: s.inflight,
    errorRate: count ? (count - s.ok) / count : 0,
    p50: h.quantile(0.5),
    p95: h.quantile(0.95),
    p99: h.quantile(0.99),
    max: h.max,
    lagMs: s.lagMs,
  };
}
