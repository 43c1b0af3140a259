/**
 * One scheduled job: its trigger, pause state and the run in progress. A start while a run is in
 * progress is refused and recorded (`recycling.job-skipped`, a `skipped` row), which is the
 * Kubernetes `concurrencyPolicy: Forbid`; each finished run is a `recycling.job-ran` event and a
 * row in `recycling_runs`.
 */
import type { JobRunView } from '../api/schema.ts';
import { drop, errorMessage } from '../errors.ts';
import type { JobSpec } from '../organism/index.ts';
import type { JobRunEnd, JobRunRow, JobRunsRepo, JobRunStart } from '../store/index.ts';
import type { Knobs } from './knobs.ts';
import { ClockTrigger, NodeCronTrigger, type SchedulerKind, type Trigger } from './trigger.ts';
import type { KnobValues, QuarantineStore, RecyclingAction, RecyclingHost } from './types.ts';

/** What every job shares. */
export interface JobEnv {
  host: RecyclingHost;
  repo: JobRunsRepo;
  knobs: Knobs;
  quarantines: () => QuarantineStore | undefined;
  scheduler: SchedulerKind;
  /** Rows kept per job in `recycling_runs`. */
  historyLimit: number;
}

/** The answer to a start: the run begun, or the recorded skip. */
export type StartResult = { started: true; run: JobRunView; done: Promise<JobRunView> } | { started: false; skip: JobRunView };

/** A stored row as the API shows it. */
export function runView(r: JobRunRow): JobRunView {
  return { ...r, durationMs: r.endedAt === null ? null : r.endedAt - r.startedAt };
}

interface Running {
  id: number;
  startedAt: number;
  abort: AbortController;
  done: Promise<JobRunView>;
}

/** A recycling job bound to its action and trigger. */
export class Job {
  readonly spec: JobSpec;
  readonly action: RecyclingAction;
  readonly #env: JobEnv;
  readonly #trigger: Trigger;
  #paused: boolean;
  #running: Running | undefined;

  constructor(spec: JobSpec, action: RecyclingAction, env: JobEnv) {
    this.spec = spec;
    this.action = action;
    this.#env = env;
    this.#paused = spec.paused ?? false;
    // A trigger callback must not throw into a timer (that would crash the engine): log instead.
    const fire = (): void => {
      try {
        this.start('schedule');
      } catch (err) {
        env.host.logger.error('recycling job could not start', { job: spec.name, err });
      }
    };
    this.#trigger =
      env.scheduler === 'node-cron'
        ? new NodeCronTrigger(spec.schedule, fire, spec.name, env.host.logger)
        : new ClockTrigger(spec.schedule, fire, env.host.clock);
  }

  get name(): string {
    return this.spec.name;
  }

  get paused(): boolean {
    return this.#paused;
  }

  /** Start time of the run in progress, or null. */
  get runningSince(): number | null {
    return this.#running?.startedAt ?? null;
  }

  /** Next scheduled start (engine ms), null while paused. */
  nextRunAt(): number | null {
    return this.#paused ? null : this.#trigger.next();
  }

  /** Arms the schedule (unless the manifest paused the job). */
  schedule(): void {
    if (!this.#paused) this.#trigger.start();
  }

  pause(): void {
    this.#paused = true;
    this.#trigger.stop();
  }

  resume(): void {
    this.#paused = false;
    this.#trigger.start();
  }

  /** Starts a run now, or records a skip when one is still running. Throws only if SQLite does. */
  start(trigger: 'schedule' | 'manual'): StartResult {
    const { host, repo } = this.#env;
    const startedAt = Math.round(host.clock.now());
    const where: JobRunStart = {
      organism: host.organism.spec.name,
      runId: host.runId,
      job: this.name,
      action: this.action.name,
      trigger,
      startedAt,
    };
    const running = this.#running;
    if (running) {
      const details = { runningId: running.id, runningSince: running.startedAt };
      const id = repo.skipped(where, 'still running', details);
      host.events.emit('recycling.job-skipped', {
        job: this.name,
        action: this.action.name,
        trigger,
        reason: 'still running',
        ...details,
      });
      host.logger.info('recycling job skipped: still running', { job: this.name, ...details });
      return { started: false, skip: runView(repo.get(id)!) };
    }
    const id = repo.start(where);
    const abort = new AbortController();
    const done = this.#execute(id, where, abort.signal).finally(() => {
      if (this.#running?.id === id) this.#running = undefined;
    });
    this.#running = { id, startedAt, abort, done };
    drop(done);
    return { started: true, run: runView(repo.get(id)!), done };
  }

  async #execute(id: number, where: JobRunStart, signal: AbortSignal): Promise<JobRunView> {
    const { host, knobs } = this.#env;
    let values: KnobValues = {};
    let end: JobRunEnd;
    try {
      values = knobs.values(this.spec, this.action);
      const result = await this.action.run({
        job: this.spec,
        knobs: values,
        now: where.startedAt,
        wallNow: Date.now(), // log files are stamped with wall time
        host,
        quarantines: this.#env.quarantines(),
        signal,
      });
      end = {
        endedAt: Math.round(host.clock.now()),
        outcome: signal.aborted ? 'aborted' : (result.outcome ?? 'ok'),
        rows: Math.round(result.rows),
        bytes: Math.round(result.bytes),
        reason: result.reason,
        details: { ...result.details, knobs: values },
      };
    } catch (err) {
      end = {
        endedAt: Math.round(host.clock.now()),
        outcome: signal.aborted ? 'aborted' : 'failed',
        rows: 0,
        bytes: 0,
        error: errorMessage(err),
        details: { knobs: values },
      };
    }
    return this.#record(id, where, end);
  }

  #record(id: number, where: JobRunStart, end: JobRunEnd): JobRunView {
    const { host, repo } = this.#env;
    repo.finish(id, end);
    repo.trim(where.organism, this.name, this.#env.historyLimit);
    const view: JobRunView = runView({
      ...where,
      id,
      ...end,
      error: end.error ?? null,
      reason: end.reason ?? null,
      details: end.details ?? {},
    });
    const { details: _d, ...summary } = view;
    host.events.emit('recycling.job-ran', { ...summary, details: end.details ?? {} });
    const fields = { job: this.name, outcome: end.outcome, rows: end.rows, bytes: end.bytes, error: end.error };
    if (end.outcome === 'failed') host.logger.warn('recycling job failed', fields);
    else host.logger.info('recycling job ran', fields);
    return view;
  }

  /** Stops the schedule, aborts a run in progress and waits for it to record its end. */
  async stop(): Promise<void> {
    this.#trigger.dispose();
    const running = this.#running;
    if (!running) return;
    running.abort.abort(new Error('engine stopping'));
    await running.done.catch(() => {});
  }
}
