/**
 * The Engine: one object that grows an organism on real parts and that every face drives — the
 * CLI, the headless server, Electron and the tests. It owns the clock, the supervised nats-server,
 * the SQLite store, the event pipeline, signals, cells, the gateway and the metrics collector.
 */
import { join } from 'node:path';
import type { CellView, Health, OrganismView, PathwayView } from './api/schema.ts';
import type { PetriEvent } from './api/events.ts';
import { Bus, EventPublisher, NatsSupervisor } from './bus/index.ts';
import { CellHost, type Cell, type CellsSnapshot } from './cells/index.ts';
import { Rng, WallClock, type Clock } from './clock.ts';
import { setDropLogger } from './errors.ts';
import { Gateway } from './gateway/index.ts';
import { createLogger, type Logger } from './log.ts';
import { MetricsCollector, watchLoopDelay } from './metrics/index.ts';
import { checkNewCell, type CellSpec, type LoadedOrganism } from './organism/index.ts';
import { Recycling } from './recycling/index.ts';
import { allSignals, builtinSignals, maskSecretSpecs, SecretRedactor, SignalStore } from './signals/index.ts';
import { EventPersister, EventsRepo, lockDataDir, MetricsRepo, openDb, RunsRepo, type Db } from './store/index.ts';
import { AttackRunner, FaultRunner } from './faults/index.ts';
import { TrafficControl, TrafficGenerator } from './traffic/index.ts';
import { ImmuneSystem } from './immune/index.ts';
import { OnnxForecaster, ScalingController } from './scaling/index.ts';

/** Options of {@link Engine.start}. */
export interface EngineOptions {
  organism: LoadedOrganism;
  dataDir: string;
  /** Use this NATS server or cluster (comma-separated) instead of spawning one. */
  natsUrl?: string;
  gatewayPort?: number;
  speed?: number;
  seed?: number;
  logger?: Logger;
  clock?: Clock;
  run?: { kind: 'session' | 'scenario'; name?: string };
}

/** A running organism. */
export class Engine {
  readonly options: EngineOptions;
  readonly clock: Clock;
  readonly rng: Rng;
  readonly logger: Logger;
  readonly db: Db;
  readonly events: EventPublisher;
  readonly eventsRepo: EventsRepo;
  readonly metricsRepo: MetricsRepo;
  readonly runs: RunsRepo;
  readonly bus: Bus;
  readonly supervisor: NatsSupervisor | undefined;
  readonly persister: EventPersister;
  readonly signals: SignalStore;
  readonly cells: CellHost;
  readonly gateway: Gateway;
  readonly collector: MetricsCollector;
  readonly faults: FaultRunner;
  /** Set once the gateway listens (traffic needs its address). */
  readonly generator!: TrafficGenerator;
  readonly traffic!: TrafficControl;
  readonly attacks!: AttackRunner;
  /** The defence chain in front of the gateway's pathways (set once the gateway listens). */
  readonly immune!: ImmuneSystem;
  /** Controllers that change replica counts (HPA, queue-lag, predictive). */
  readonly scaling!: ScalingController;
  /** Set once the organism has grown. */
  readonly recycling!: Recycling;
  readonly organism: LoadedOrganism;
  readonly startedAt: number;
  runId: number;
  /**
   * Latency buckets (`[ms, count]`) of each replica in the latest metrics interval. Kept beside
   * the frame, not in it: frames go to every stream client each second and histograms would
   * multiply their size; the UI asks for one cell's buckets when it shows them.
   */
  replicaHistograms: ReadonlyMap<string, Array<[number, number]>> = new Map();
  #stopping: Promise<void> | undefined;
  #unlock: () => void = () => {};
  readonly #stopHooks: Array<() => Promise<void> | void> = [];

  private constructor(parts: {
    options: EngineOptions;
    clock: Clock;
    rng: Rng;
    logger: Logger;
    db: Db;
    bus: Bus;
    supervisor: NatsSupervisor | undefined;
    events: EventPublisher;
    runId: number;
    secrets: SecretRedactor;
  }) {
    this.options = parts.options;
    this.organism = parts.options.organism;
    this.clock = parts.clock;
    this.rng = parts.rng;
    this.logger = parts.logger;
    this.db = parts.db;
    this.bus = parts.bus;
    this.supervisor = parts.supervisor;
    this.events = parts.events;
    this.runId = parts.runId;
    this.startedAt = parts.clock.now();
    this.eventsRepo = new EventsRepo(this.db);
    this.metricsRepo = new MetricsRepo(this.db);
    this.runs = new RunsRepo(this.db);
    this.persister = new EventPersister(this.bus, this.eventsRepo, this.logger);
    this.signals = new SignalStore(this.bus.signalsKv, this.clock, this.events, {
      nc: this.bus.nc,
      db: this.db,
      logger: this.logger,
      runId: () => this.runId,
      redactor: parts.secrets,
    });
    this.events.redact = this.signals.redactEvent;
    this.cells = new CellHost(this.bus, {
      clock: this.clock,
      rng: this.rng,
      events: this.events,
      logger: this.logger,
      ...this.signals.cellHooks,
    });
    this.gateway = undefined as unknown as Gateway; // set in #grow, before anyone reads it
    this.collector = new MetricsCollector({
      clock: this.clock,
      logger: this.logger,
      repo: this.metricsRepo,
      runId: () => this.runId,
      sources: {
        routes: (ms) => this.gateway.collect(ms),
        cells: (now, ms) => this.#collectCells(now, ms),
        streams: () => this.generator?.take() ?? [],
      },
    });
    this.faults = new FaultRunner(
      { cells: this.cells, clock: this.clock, rng: this.rng.fork('faults'), supervisor: this.supervisor },
      this.events,
      this.db,
      () => this.runId,
    );
  }

  /** Starts every part and grows the organism. Rejects (and cleans up) if any part fails. */
  static async start(options: EngineOptions): Promise<Engine> {
    watchLoopDelay();
    const clock = options.clock ?? new WallClock(options.speed ?? 1);
    const rng = new Rng(options.seed ?? Math.floor(Math.random() * 2 ** 32));
    // Secret signal values are masked in every log line and event (filled by the signals store).
    const secrets = new SecretRedactor();
    const logger = options.logger ?? createLogger({ file: join(options.dataDir, 'logs', 'engine.log'), redact: secrets.text });
    setDropLogger((err) => logger.error('background task failed', { err }));
    const unlock = lockDataDir(options.dataDir);
    const supervisor = options.natsUrl ? undefined : new NatsSupervisor({ dir: join(options.dataDir, 'nats'), logger });
    // SQLite and nats-server start side by side: cold start is the slower of the two.
    const natsReady = supervisor?.start();
    let db: Db | undefined;
    let bus: Bus | undefined;
    try {
      db = openDb(join(options.dataDir, 'petri.db'));
      await natsReady;
      const servers = options.natsUrl ? options.natsUrl.split(',').map((s) => s.trim()) : [supervisor!.url];
      bus = await Bus.open(servers, logger);
      const events = new EventPublisher(bus.nc, clock, logger);
      const runs = new RunsRepo(db);
      const now = clock.now();
      runs.abandonRunning(now);
      const o = options.organism;
      const stored = { ...o.spec, signals: maskSecretSpecs(o.spec.signals) }; // secrets stay out of SQLite
      const version = runs.organismVersion(o.spec.name, o.hash, o.source, stored, now);
      const run = options.run ?? { kind: 'session' as const };
      const runId = runs.start(run.kind, run.name ?? o.spec.name, version, options.seed ?? null, now);
      events.runId = runId;
      const engine = new Engine({ options, clock, rng, logger, db, bus, supervisor, events, runId, secrets });
      engine.#unlock = unlock;
      await engine.#grow();
      return engine;
    } catch (err) {
      await bus?.close().catch(() => {});
      await supervisor?.stop().catch(() => {});
      db?.close();
      unlock();
      throw err;
    }
  }

  async #grow(): Promise<void> {
    // The load generator's worker thread loads while the organism grows.
    const generator = new TrafficGenerator({
      speed: this.clock.speed,
      seed: this.rng.seed,
      now: () => this.clock.now(),
      logger: this.logger,
    });
    this.#watchBus();
    this.persister.onBatch((batch) => {
      const shape = batch.envelopes.filter((e) => e.type.startsWith('cell.') || e.type.startsWith('replica.'));
      if (shape.length) this.#project(shape.map((e) => JSON.parse(e.text) as PetriEvent));
    });
    await this.persister.start();
    const spec = this.organism.spec;
    await this.signals.declare(allSignals(spec));
    await Promise.all(spec.cells.map((c) => this.cells.spawn(c)));
    const gateway = new Gateway({
      nc: await this.bus.connect('petri-gateway'),
      clock: this.clock,
      pathways: spec.pathways,
      port: this.options.gatewayPort ?? 0,
    });
    (this as { gateway: Gateway }).gateway = gateway;
    await gateway.listen();
    this.faults.clearLeftovers();
    generator.target(gateway.url);
    this.#wireTraffic(generator, gateway);
    await this.#growImmune(gateway);
    await this.#growScaling();
    await generator.ready;
    this.collector.start();
    (this as { recycling: Recycling }).recycling = await Recycling.start(this);
    this.onStop(() => this.recycling.stop());
    this.events.emit('engine.started', { organism: spec.name, cells: spec.cells.length, gateway: gateway.url });
    this.logger.info('engine started', { organism: spec.name, gateway: gateway.url, runId: this.runId });
  }

  /** Installs the immune system in the gateway; its knobs follow their signals live. */
  async #growImmune(gateway: Gateway): Promise<void> {
    const spec = this.organism.spec;
    const immune = await ImmuneSystem.create({
      spec: spec.immune,
      gateway,
      clock: this.clock,
      events: this.events,
      db: this.db,
      logger: this.logger,
      runId: () => this.runId,
    });
    Object.assign(this, { immune });
    this.#unwatch.push(
      this.signals.watch('immune.rateLimit.perClient.rps', 'policy:immune', (c) => {
        if (c.value !== null && typeof c.value !== 'number') return false;
        immune.setPerClientRps(
          c.value,
          c.value === spec.immune.rateLimit.perClient?.rps ? spec.immune.rateLimit.perClient.burst : undefined,
        );
        return true;
      }),
    );
    this.#unwatch.push(
      this.signals.watch('immune.anomaly.threshold', 'policy:immune', (c) => {
        if (typeof c.value !== 'number') return false;
        immune.setAnomalyThreshold(c.value);
        return true;
      }),
    );
    // Load-generator clients of `auth: jwt` pathways carry a valid token with the pathway's scopes.
    const tokens = new Map<string, string>();
    for (const p of spec.pathways.filter((x) => x.auth === 'jwt')) tokens.set(p.route, await immune.issuer.tokenFor(p.scopes));
    this.traffic.tokenFor = (p) => tokens.get(p.route);
  }

  readonly #unwatch: Array<() => void> = [];

  /** Starts the scaling controllers; each cell's target follows `scaling.<cell>.targetUtilization`. */
  async #growScaling(): Promise<void> {
    const predictive = this.organism.spec.cells.some((c) => c.scaling.policy === 'predictive');
    const scaling = new ScalingController({
      clock: this.clock,
      cells: () => this.cells.cells.map((c) => ({ spec: c.spec, replicas: c.desired })),
      scale: (cell, n, reason) => {
        if (this.cells.has(cell)) this.cells.scale(cell, n, reason);
      },
      emit: (type, data, cell) => this.events.emit(type, data, { cell }),
      forecaster: predictive ? await OnnxForecaster.load(undefined) : undefined,
      onError: (err) => this.logger.error('scaling sync failed', { err }),
    });
    Object.assign(this, { scaling });
    this.collector.onFrame((f) => scaling.onFrame(f));
    this.#unwatch.push(
      this.signals.watch('scaling.*.targetUtilization', 'policy:scaling', (c) => {
        const cell = c.key.split('.')[1]!;
        if (c.value !== null && typeof c.value !== 'number') return false;
        scaling.setTarget(cell, c.value);
        return true;
      }),
    );
    scaling.start();
  }

  #wireTraffic(generator: TrafficGenerator, gateway: Gateway): void {
    const pathways = (): typeof gateway.pathways => gateway.pathways;
    const traffic = new TrafficControl(generator, this.events, pathways);
    const attacks = new AttackRunner(generator, traffic, this.events, () => this.organism.spec, pathways);
    Object.assign(this, { generator, traffic, attacks });
  }

  /**
   * Starts a new recorded run (a scenario played in this engine): events and metrics from now on
   * belong to it. Returns its id.
   */
  beginRun(kind: 'session' | 'scenario', name: string, seed: number | null): number {
    const o = this.organism;
    const now = this.clock.now();
    const version = this.runs.organismVersion(o.spec.name, o.hash, o.source, o.spec, now);
    this.runId = this.runs.start(kind, name, version, seed, now);
    this.events.runId = this.runId;
    return this.runId;
  }

  /** Ends a run with its outcome (and report). */
  endRun(id: number, status: string, result?: unknown): void {
    this.runs.finish(id, status, this.clock.now(), result);
  }

  /** Cell metrics of one interval; replica histograms move to {@link replicaHistograms}. */
  #collectCells(now: number, intervalMs: number): CellsSnapshot {
    const snapshot = this.cells.collect(now, intervalMs, true);
    const histograms = new Map<string, Array<[number, number]>>();
    for (const r of snapshot.replicas) {
      if (r.histogram) histograms.set(r.id, r.histogram);
      delete r.histogram;
    }
    this.replicaHistograms = histograms;
    return snapshot;
  }

  /** Registers cleanup for parts added by other domains (traffic, faults…); run first on stop. */
  onStop(fn: () => Promise<void> | void): void {
    this.#stopHooks.push(fn);
  }

  /** Spawns a cell from a manifest-shaped body (validated first; nothing changes on error). */
  async spawnCell(body: unknown): Promise<Cell> {
    const spec: CellSpec = checkNewCell(
      body,
      this.cells.cells.map((c) => c.spec),
    );
    const cell = await this.cells.spawn(spec);
    await this.signals.declare(
      builtinSignals({ cells: [spec], immune: this.organism.spec.immune }).filter((s) => !this.signals.has(s.key)),
    );
    return cell;
  }

  scaleCell(name: string, replicas: number, reason = 'api'): void {
    this.cells.scale(name, replicas, reason);
  }

  async removeCell(name: string): Promise<void> {
    await this.cells.remove(name);
  }

  /** The organism as the API shows it, with the latest metrics. */
  view(): OrganismView {
    const frame = this.collector.latest;
    const stats = new Map(frame?.cells.map((c) => [c.cell, c]) ?? []);
    const cells: CellView[] = this.cells.cells.map((c) => ({
      name: c.name,
      description: c.spec.description,
      desired: c.desired,
      concurrency: c.spec.concurrency,
      queue: c.spec.queue,
      startupMs: c.spec.startupMs,
      operations: c.spec.operations.map((o) => ({
        name: o.name,
        p50Ms: o.p50Ms,
        p99Ms: o.p99Ms,
        errorRate: o.errorRate,
        calls: o.calls,
      })),
      scaling: {
        policy: c.spec.scaling.policy,
        min: c.spec.scaling.min,
        max: c.spec.scaling.max,
        targetUtilization: c.spec.scaling.targetUtilization,
      },
      replicas: c.replicas.map((r) => ({
        id: r.id,
        state: r.state,
        startedAt: r.startedAt,
        ...(r.readyAt ? { readyAt: r.readyAt } : {}),
      })),
      ...(stats.get(c.name) ? { stats: stats.get(c.name)! } : {}),
    }));
    const pathways: PathwayView[] = this.gateway.pathways.map((p) => ({
      route: p.route,
      method: p.method,
      path: p.path,
      cell: p.cell,
      op: p.op,
      auth: p.auth,
      scopes: p.scopes,
      timeoutMs: p.timeoutMs,
    }));
    const spec = this.organism.spec;
    return {
      name: spec.name,
      ...(spec.description ? { description: spec.description } : {}),
      source: this.organism.source,
      runId: this.runId,
      startedAt: this.startedAt,
      gateway: this.gateway.url,
      pathways,
      cells,
    };
  }

  health(): Health {
    const connected = !this.bus.nc.isClosed() && this.supervisor?.running !== false;
    return {
      status: connected ? 'ok' : 'degraded',
      version: '0.1.0',
      uptimeMs: Math.round(this.clock.now() - this.startedAt),
      bus: { connected, url: this.bus.servers.join(','), restarts: this.supervisor?.restarts ?? 0 },
      events: { pending: this.events.pending, persisted: this.persister.persisted },
    };
  }

  /** Stops everything in reverse order; idempotent. Events emitted before stop are persisted. */
  stop(): Promise<void> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  async #stop(): Promise<void> {
    const step = async (name: string, fn: () => Promise<unknown> | unknown): Promise<void> => {
      const t0 = performance.now();
      try {
        await fn();
      } catch (err) {
        this.logger.error(`stop: ${name} failed`, { err });
      }
      this.logger.debug(`stop: ${name}`, { ms: Math.round(performance.now() - t0) });
    };
    this.events.emit('engine.stopping', {});
    for (const fn of this.#stopHooks.reverse()) await step('hook', fn);
    await step('traffic', () => this.generator?.close());
    await step('scaling', () => this.scaling?.stop());
    await step('immune', () => {
      for (const u of this.#unwatch) u();
      return this.immune?.stop();
    });
    await step('faults', () => this.faults.clearAll('engine-stopped'));
    await step('collector', () => this.collector.stop());
    await step('gateway', () => this.gateway?.close());
    await step('cells', () => this.cells.stop());
    await step('signals', () => this.signals.stop());
    await step('publisher', async () => {
      await this.events.flush(2000);
      const lost = this.events.close();
      if (lost) this.logger.warn('events not acknowledged by JetStream at shutdown', { lost });
    });
    await step('persister drain', () => this.#drainPersister());
    await step('persister', () => this.persister.stop());
    await step('runs', () => this.runs.finishIfRunning(this.runId, 'finished', this.clock.now()));
    await step('bus', () => this.bus.close());
    await step('nats-server', () => this.supervisor?.stop());
    this.db.close();
    this.#unlock();
  }

  async #drainPersister(): Promise<void> {
    try {
      const info = await this.bus.jsm.streams.info('PETRI_EVENTS');
      await this.persister.waitFor(info.state.last_seq, 2000);
    } catch {
      // the bus is down: whatever JetStream acknowledged stays in the stream for the next start
    }
  }

  #watchBus(): void {
    this.supervisor?.on('down', (info: Record<string, unknown>) => this.events.emit('bus.down', info));
    this.supervisor?.on('up', (info: Record<string, unknown>) => this.events.emit('bus.up', info));
  }

  /** Keeps the cells and replicas tables in step with the event log. */
  #project(events: PetriEvent[]): void {
    for (const e of events) {
      if (e.runId === undefined || !e.cell) continue;
      const replica = typeof e.data.replica === 'string' ? e.data.replica : undefined;
      switch (e.type) {
        case 'cell.spawned':
          this.runs.cellSpawned(e.runId, e.cell, this.cells.has(e.cell) ? this.cells.get(e.cell).spec : {}, e.time);
          break;
        case 'cell.removed':
          this.runs.cellRemoved(e.runId, e.cell, e.time);
          break;
        case 'replica.started':
          if (replica) this.runs.replicaStarted(e.runId, replica, e.cell, e.time);
          break;
        case 'replica.ready':
          if (replica) this.runs.replicaReady(e.runId, replica, e.time);
          break;
        case 'replica.stopped':
        case 'replica.crashed':
          if (replica) this.runs.replicaEnded(e.runId, replica, e.type.slice(8), e.time);
          break;
        default:
          break;
      }
    }
  }
}
