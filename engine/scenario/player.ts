/**
 * The scenario player: on the engine clock, starts the scenario's traffic, runs each step at its
 * time, judges expectations as their windows close (stopping early on an `abortOnFail` failure,
 * as k6 does) and once more at the end, and records the run with its report.
 */
import type { Engine } from '../engine.ts';
import { drop, errorMessage } from '../errors.ts';
import { rateValue } from '../traffic/index.ts';
import { decidableAt, judge, type Recorded, type Verdict } from './expect.ts';
import type { PlannedStep, ScenarioPlan } from './model.ts';

/** What happened to one step. */
export interface StepRecord {
  index: number;
  label: string;
  atMs: number;
  executedMs: number;
  lateMs: number;
  ok: boolean;
  error?: string;
}

/** The outcome of a run: what `--json` writes. */
export interface ScenarioReport {
  passed: boolean;
  aborted: boolean;
  scenario: { name: string; file: string; seed: number; durationMs: number; description?: string };
  runId: number;
  startedAt: string;
  finishedAt: string;
  expectations: Verdict[];
  steps: StepRecord[];
}

/** Progress while playing. */
export interface Progress {
  elapsedMs: number;
  durationMs: number;
  step?: StepRecord;
  verdict?: Verdict;
}

/** Options of {@link playScenario}. */
export interface PlayOptions {
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
  /** Start a new recorded run in the engine (UI runs); the CLI's engine already runs one. */
  newRun?: boolean;
}

/** Plays a scenario on a running engine; resolves to its report. */
export async function playScenario(engine: Engine, plan: ScenarioPlan, options: PlayOptions = {}): Promise<ScenarioReport> {
  const runId = options.newRun ? engine.beginRun('scenario', plan.name, plan.seed) : engine.runId;
  // A story starts with nobody in quarantine: one left from an earlier run in the same data dir
  // would keep its attacker out, and no incident would open. Immune memory stays — that is the point of it.
  for (const q of engine.immune.quarantines.list()) engine.immune.quarantines.release(q.id, 'scenario-start');
  const clock = engine.clock;
  const t0 = clock.now();
  const startedAt = new Date().toISOString();
  const clients = new Map<string, Set<string>>();
  const recorded: Recorded = {
    events: engine.eventsRepo,
    metrics: engine.metricsRepo,
    runId,
    t0,
    streamClients: (name) => clients.get(name),
    incidents: ({ kind, from, to, source }) => {
      const allowed = source ? clients.get(source) : undefined;
      return engine.immune.incidents.find(kind, from, to, (c) => !allowed || c.every((x) => allowed.has(x)));
    },
    quarantined: (from, to) => quarantinedBetween(engine, runId, from, to),
  };
  const steps: StepRecord[] = [];
  const early = new Map<string, Verdict>();
  const started = new Set<string>();
  engine.events.emit('scenario.started', {
    name: plan.name,
    file: plan.file,
    seed: plan.seed,
    durationMs: plan.durationMs,
    expectations: plan.expect.map((e) => e.name),
  });
  let abort!: () => void;
  const aborted = new Promise<'aborted'>((resolve) => (abort = () => resolve('aborted')));
  options.signal?.addEventListener('abort', abort, { once: true });

  const timers = schedule(engine, plan, { t0, recorded, steps, early, started, abort, onProgress: options.onProgress, clients });
  const tick = clock.setInterval(() => options.onProgress?.({ elapsedMs: clock.now() - t0, durationMs: plan.durationMs }), 1000);
  const sleeping = new AbortController();
  const outcome = await Promise.race([
    clock.sleep(plan.durationMs, sleeping.signal).then(
      () => 'done' as const,
      () => 'aborted' as const,
    ),
    aborted,
  ]);
  sleeping.abort();
  tick.cancel();
  for (const t of timers) t.cancel();
  await wrapUp(engine, started, plan);
  const expectations = plan.expect.map((e) =>
    outcome === 'aborted' && early.has(e.name) ? early.get(e.name)! : judge(e, recorded),
  );
  for (const v of expectations) engine.events.emit('scenario.expectation', { ...v, final: true });
  const passed = outcome === 'done' && expectations.every((v) => v.passed) && steps.every((s) => s.ok);
  const report: ScenarioReport = {
    passed,
    aborted: outcome === 'aborted',
    scenario: {
      name: plan.name,
      file: plan.file,
      seed: plan.seed,
      durationMs: plan.durationMs,
      ...(plan.description ? { description: plan.description } : {}),
    },
    runId,
    startedAt,
    finishedAt: new Date().toISOString(),
    expectations,
    steps: steps.sort((a, b) => a.index - b.index),
  };
  engine.events.emit('scenario.finished', { name: plan.name, passed, aborted: report.aborted });
  await engine.events.flush(5000);
  engine.endRun(runId, passed ? 'passed' : report.aborted ? 'aborted' : 'failed', report);
  if (options.newRun) engine.beginRun('session', engine.organism.spec.name, null);
  return report;
}

/** What the scheduled callbacks share. */
interface Shared {
  t0: number;
  recorded: Recorded;
  steps: StepRecord[];
  early: Map<string, Verdict>;
  started: Set<string>;
  abort: () => void;
  onProgress: ((p: Progress) => void) | undefined;
  /** Client addresses of each stream and attack the scenario started. */
  clients: Map<string, Set<string>>;
}

/** Puts the traffic starts, the steps and the early judgements on the engine clock. */
function schedule(engine: Engine, plan: ScenarioPlan, ctx: Shared): Array<{ cancel(): void }> {
  const { clock } = engine;
  const { t0, recorded, steps, early, started, abort } = ctx;
  const options = { onProgress: ctx.onProgress };
  const timers: Array<{ cancel(): void }> = [];
  for (const t of plan.traffic)
    timers.push(
      clock.setTimeout(() => {
        try {
          const { from: _from, ...spec } = t.spec;
          engine.traffic.start(spec, undefined, plan.seed);
          started.add(t.spec.name);
          ctx.clients.set(t.spec.name, new Set(engine.generator.addresses(t.spec.name)));
        } catch (err) {
          engine.logger.error('scenario traffic failed to start', { stream: t.spec.name, err });
        }
      }, t.fromMs),
    );
  for (const step of plan.steps)
    timers.push(
      clock.setTimeout(() => {
        drop(
          runStep(engine, plan, step, t0, started, ctx.clients).then((record) => {
            steps.push(record);
            options.onProgress?.({ elapsedMs: clock.now() - t0, durationMs: plan.durationMs, step: record });
          }),
        );
      }, step.atMs),
    );
  // Judge each expectation once its window has closed and the data is in (a frame + persistence).
  for (const e of plan.expect)
    timers.push(
      clock.setTimeout(
        () => {
          const v = judge(e, recorded);
          early.set(e.name, v);
          // Live watchers (the UI) see each verdict as its window closes; `final` marks the end's.
          engine.events.emit('scenario.expectation', { ...v, final: false });
          options.onProgress?.({ elapsedMs: clock.now() - t0, durationMs: plan.durationMs, verdict: v });
          if (!v.passed && e.abortOnFail) abort();
        },
        Math.min(decidableAt(e) + 1500, plan.durationMs),
      ),
    );
  return timers;
}

/** Clients in quarantine at any time in [from, to) of a run. */
function quarantinedBetween(engine: Engine, runId: number, from: number, to: number): Set<string> {
  const rows = engine.db
    .prepare('SELECT client FROM quarantines WHERE run_id = ? AND started_at < ? AND (released_at IS NULL OR released_at > ?)')
    .all(runId, Math.round(to), Math.round(from)) as Array<{ client: string }>;
  return new Set(rows.map((r) => r.client));
}

/** Ends what the scenario started and lets the last second of data reach SQLite. */
async function wrapUp(engine: Engine, started: Set<string>, plan: ScenarioPlan): Promise<void> {
  for (const name of [...started, ...plan.attacks]) {
    if (engine.traffic.list().some((s) => s.name === name)) {
      try {
        engine.generator.stop(name);
      } catch {
        // already ended
      }
    }
  }
  await engine.faults.clearAll('run-ended');
  await new Promise((r) => setTimeout(r, 1200)); // the worker's last sample and the collector's last frame
  engine.collector.tick();
  await engine.events.flush(5000);
  const seq = engine.persister.lastSeq;
  await engine.persister.waitFor(seq, 2000);
  await new Promise((r) => setTimeout(r, 100));
}

async function runStep(
  engine: Engine,
  plan: ScenarioPlan,
  step: PlannedStep,
  t0: number,
  started: Set<string>,
  clients: Map<string, Set<string>>,
): Promise<StepRecord> {
  const executedMs = Math.round(engine.clock.now() - t0);
  const base = { index: step.index, label: step.label, atMs: step.atMs, executedMs, lateMs: executedMs - step.atMs };
  try {
    const a = step.action;
    switch (a.kind) {
      case 'attack': {
        const name = a.spec.name ?? `${a.spec.kind}-${step.index}`;
        engine.attacks.start({ ...a.spec, name }, plan.seed);
        started.add(name);
        clients.set(name, new Set(engine.generator.addresses(name)));
        break;
      }
      case 'fault':
        engine.faults.inject(a.spec);
        break;
      case 'signal':
        await engine.signals.set(a.key, a.value, 'scenario');
        break;
      case 'scale':
        engine.scaleCell(a.cell, a.replicas, 'scenario');
        break;
      case 'traffic':
        engine.traffic.setRate(a.name, rateValue(a.rate));
        break;
      case 'stop':
        if (a.traffic) engine.traffic.stop(a.traffic);
        if (a.attack) engine.attacks.stop(a.attack);
        if (a.fault) await engine.faults.clear(a.fault, 'removed');
        break;
    }
    engine.events.emit('scenario.step', { ...base, ok: true });
    return { ...base, ok: true };
  } catch (err) {
    const error = errorMessage(err);
    engine.events.emit('scenario.step', { ...base, ok: false, error });
    return { ...base, ok: false, error };
  }
}
