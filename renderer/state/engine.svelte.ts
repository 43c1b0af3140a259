/**
 * Live state of the engine this page watches: connection phase, the organism, the latest metrics
 * frame with a few minutes of history, and the recent events. One instance per page; views read
 * it and call its actions. Large collections live outside Svelte's deep reactivity (a version
 * counter says when they changed) so thousands of events a second cost no proxy overhead.
 */
import {
  EngineConnection,
  describeError,
  type CellDetail,
  type CellStats,
  type CellView,
  type EdgeStats,
  type EngineStream,
  type MetricsFrame,
  type OrganismView,
  type PetriEvent,
  type ReplicaStats,
  type RouteStats,
  type SpawnCellBody,
  type StatusInfo,
  type StreamMessage,
  type StreamStatus,
} from '../lib/api/index.ts';
import { afterNextPaint } from '../lib/tasks.ts';
import { groupBy, indexBy } from '../lib/collections.ts';
import { EventLog } from '../lib/event-log.ts';
import { MetricsHistory } from '../lib/metrics-history.ts';

/** What the page can say about its engine. */
export type Phase = 'no-token' | 'loading' | 'live' | 'reconnecting' | 'unauthorized';

/** Events fetched over HTTP when the stream (re)connects, so the timeline is never empty. */
const BACKFILL_EVENTS = 1000;
/**
 * Metrics history fetched on first connect. A minute keeps the answer small (with 100 cells a
 * frame of routes and cells is ~25 kB, and parsing megabytes would stall the page); the charts'
 * five minutes then fill from the stream.
 */
const BACKFILL_METRICS_MS = 60_000;
/**
 * How often views hear about new events: on the next frame while the engine is quiet, then at
 * most every 100 ms, and less often as the rate grows (250 ms at 1,000 events/s) — nobody reads
 * a thousand rows a second, and each redraw costs the same.
 */
export function redrawInterval(eventsPerSecond: number): number {
  if (eventsPerSecond < 50) return 0;
  return Math.min(500, Math.max(100, eventsPerSecond / 4));
}

/** The engine as this page knows it. */
export class EngineState {
  phase = $state<Phase>('loading');
  /** Failed attempts since the connection was lost, and the wait before the next. */
  attempt = $state(0);
  retryInMs = $state(0);
  /** When the connection was lost (ms), while it is. */
  lostAt = $state<number | undefined>(undefined);
  /** Last error of a background load, shown in the status banner. */
  loadError = $state<string | undefined>(undefined);
  organism = $state.raw<OrganismView | undefined>(undefined);
  frame = $state.raw<MetricsFrame | undefined>(undefined);
  /** Bumped when {@link history} changed. */
  metricsVersion = $state(0);
  /** Bumped (at most once per animation frame) when {@link events} changed. */
  eventsVersion = $state(0);
  /** Events received per second, over the last few seconds. */
  eventsPerSecond = $state(0);

  readonly history = new MetricsHistory(300);
  readonly events = new EventLog(20_000);

  cellStats = $derived(indexBy<CellStats>(this.frame?.cells ?? [], (c) => c.cell));
  routeStats = $derived(indexBy<RouteStats>(this.frame?.routes ?? [], (r) => r.route));
  edgeStats = $derived(indexBy<EdgeStats>(this.frame?.edges ?? [], (e) => `${e.from}>${e.to}`));
  replicaStats = $derived(groupBy<ReplicaStats>(this.frame?.replicas ?? [], (r) => r.cell));

  readonly #connection: EngineConnection | undefined;
  #stream: EngineStream | undefined;
  #bumpScheduled = false;
  #lastBump = 0;
  #arrivals: Array<[number, number]> = [];
  /** Events that arrived between a hello and the next paint, added after it. */
  #held: PetriEvent[][] | undefined;

  constructor(origin: string, token: string | undefined) {
    if (!token) {
      this.phase = 'no-token';
      return;
    }
    this.#connection = new EngineConnection(origin, token);
  }

  /** The HTTP client (undefined without a token). */
  get client() {
    return this.#connection?.client;
  }

  /** Opens the stream. */
  start(): void {
    if (!this.#connection) return;
    this.#stream = this.#connection.stream({
      onMessage: (msg) => this.#onMessage(msg),
      onStatus: (status, info) => this.#onStatus(status, info),
    });
    this.#stream.start();
  }

  stop(): void {
    this.#stream?.stop();
  }

  /** Reconnects now instead of waiting for the backoff. */
  retryNow(): void {
    this.#stream?.retryNow();
  }

  /** A cell by name in the current organism. */
  cell(name: string): CellView | undefined {
    return this.organism?.cells.find((c) => c.name === name);
  }

  async scale(name: string, replicas: number): Promise<CellView> {
    const cell = await this.#api().scaleCell(name, replicas);
    this.#patchCell(cell);
    return cell;
  }

  async spawn(body: SpawnCellBody): Promise<CellView> {
    const cell = await this.#api().spawnCell(body);
    this.#patchCell(cell);
    return cell;
  }

  async remove(name: string): Promise<void> {
    await this.#api().removeCell(name);
    if (this.organism) this.organism = { ...this.organism, cells: this.organism.cells.filter((c) => c.name !== name) };
  }

  /** One cell with its replicas' latest stats and latency buckets. */
  cellDetail(name: string): Promise<CellDetail> {
    return this.#api().cell(name, { histograms: true });
  }

  #api() {
    if (!this.#connection) throw new Error('no API token: open the URL printed by petri serve');
    return this.#connection.client;
  }

  /** Applies an action's answer at once; the stream confirms it a moment later. */
  #patchCell(cell: CellView): void {
    const o = this.organism;
    if (!o) return;
    const exists = o.cells.some((c) => c.name === cell.name);
    const cells = exists ? o.cells.map((c) => (c.name === cell.name ? cell : c)) : [...o.cells, cell];
    this.organism = { ...o, cells };
  }

  #onStatus(status: StreamStatus, info: StatusInfo): void {
    this.attempt = info.attempt;
    switch (status) {
      case 'open':
        this.phase = 'live';
        this.lostAt = undefined;
        break;
      case 'retrying':
        this.retryInMs = info.retryInMs ?? 0;
        if (this.phase === 'live' || this.phase === 'loading') this.lostAt ??= Date.now();
        this.phase = this.organism ? 'reconnecting' : this.phase === 'loading' && info.attempt < 3 ? 'loading' : 'reconnecting';
        break;
      case 'unauthorized':
        this.phase = 'unauthorized';
        break;
      case 'connecting':
      case 'closed':
        break;
    }
  }

  #onMessage(msg: StreamMessage): void {
    switch (msg.kind) {
      case 'hello':
        if (this.organism && this.organism.runId !== msg.organism.runId) {
          this.events.clear();
          this.history.clear();
        }
        this.organism = msg.organism;
        // After the first picture: the events that arrive meanwhile and the history are for the
        // timeline and charts, not for it (at 1,000 events/s, handling them delayed its paint).
        this.#held ??= [];
        afterNextPaint(() => {
          const held = this.#held ?? [];
          this.#held = undefined;
          for (const events of held) this.events.add(events);
          if (held.length) this.#scheduleBump();
          if (this.organism?.runId === msg.organism.runId) void this.#backfill(msg.organism.runId, msg.lastSeq);
        });
        break;
      case 'organism':
        this.organism = msg.organism;
        break;
      case 'metrics':
        if (this.history.push(msg.frame)) {
          this.frame = msg.frame;
          this.metricsVersion += 1;
        }
        this.#measureEventRate();
        break;
      case 'events':
        this.#arrivals.push([Date.now(), msg.events.length]);
        if (this.#held) {
          this.#held.push(msg.events);
          break;
        }
        this.events.add(msg.events);
        this.#scheduleBump();
        break;
    }
  }

  /** Loads what happened while this page was not listening: recent events and metrics. */
  async #backfill(runId: number, lastSeq: number): Promise<void> {
    const api = this.#api();
    try {
      const after = this.events.maxSeq;
      const [page, metrics] = await Promise.all([
        api.events({ run: runId, before: lastSeq + 1, order: 'desc', limit: BACKFILL_EVENTS, ...(after ? { after } : {}) }),
        api.metrics(this.history.latest?.t ?? Date.now() - BACKFILL_METRICS_MS, ['routes', 'cells']),
      ]);
      this.events.add(page.events);
      this.#scheduleBump();
      this.history.load(metrics.frames);
      if (this.history.latest && this.history.latest !== this.frame) this.frame = this.history.latest;
      this.metricsVersion += 1;
      this.loadError = undefined;
    } catch (err) {
      this.loadError = `could not load recent history: ${describeError(err)}`;
    }
  }

  /** Tells views about new events at most every {@link redrawInterval}, on an animation frame. */
  #scheduleBump(): void {
    if (this.#bumpScheduled) return;
    this.#bumpScheduled = true;
    const bump = (): void => {
      this.#bumpScheduled = false;
      this.#lastBump = performance.now();
      this.eventsVersion += 1;
    };
    const wait = Math.max(0, this.#lastBump + redrawInterval(this.eventsPerSecond) - performance.now());
    setTimeout(() => (document.visibilityState === 'visible' ? requestAnimationFrame(bump) : bump()), wait);
  }

  #measureEventRate(): void {
    const now = Date.now();
    this.#arrivals = this.#arrivals.filter(([t]) => now - t <= 5000);
    const n = this.#arrivals.reduce((s, [, c]) => s + c, 0);
    this.eventsPerSecond = n / 5;
  }
}
