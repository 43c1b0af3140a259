/**
 * The recycling system of a running organism: its jobs, their schedules and knobs, and what the
 * API asks of them (list, run now, pause, resume, history).
 */
import type { JobRunsPage, JobRunView, JobView } from '../api/schema.ts';
import { ConflictError, NotFoundError } from '../errors.ts';
import type { JobSpec } from '../organism/index.ts';
import { JobRunsRepo } from '../store/index.ts';
import { formatDuration } from '../util/units.ts';
import { describeCron } from './describe.ts';
import { Job, runView, type JobEnv } from './job.ts';
import { knobKey, knobSignals, Knobs } from './knobs.ts';
import { actionFor } from './registry.ts';
import { defaultScheduler, type SchedulerKind } from './trigger.ts';
import type { ActionName, KnobName, QuarantineStore, RecyclingAction, RecyclingHost } from './types.ts';

/** Options of {@link Recycling.start}. */
export interface RecyclingOptions {
  /** Jobs to run (default: the organism's `recycling` list). */
  jobs?: JobSpec[];
  /** Replacement actions (tests use a slow one; a domain may bring a richer implementation). */
  actions?: Partial<Record<ActionName, RecyclingAction>>;
  /** Default: node-cron on the 1× wall clock, the engine clock otherwise. */
  scheduler?: SchedulerKind;
  /** Rows kept per job in `recycling_runs` (a CronJob's history limit; default 1000). */
  historyLimit?: number;
}

/** The recycling jobs of one engine. */
export class Recycling {
  readonly #host: RecyclingHost;
  readonly #repo: JobRunsRepo;
  readonly #knobs: Knobs;
  readonly #jobs = new Map<string, Job>();
  readonly scheduler: SchedulerKind;
  #quarantines: QuarantineStore | undefined;

  private constructor(host: RecyclingHost, options: RecyclingOptions) {
    this.#host = host;
    this.#repo = new JobRunsRepo(host.db);
    this.#knobs = new Knobs(host.signals, host.bus.signalsKv, host.logger);
    this.scheduler = options.scheduler ?? defaultScheduler(host.clock);
    const env: JobEnv = {
      host,
      repo: this.#repo,
      knobs: this.#knobs,
      quarantines: () => this.#quarantines ?? host.immune?.quarantines,
      scheduler: this.scheduler,
      historyLimit: options.historyLimit ?? 1000,
    };
    for (const spec of options.jobs ?? host.organism.spec.recycling)
      this.#jobs.set(spec.name, new Job(spec, options.actions?.[spec.action] ?? actionFor(spec.action), env));
  }

  /** Declares the knob signals, watches them and arms every job's schedule. */
  static async start(host: RecyclingHost, options: RecyclingOptions = {}): Promise<Recycling> {
    const r = new Recycling(host, options);
    const jobs = [...r.#jobs.values()];
    if (jobs.length === 0) return r; // nothing to schedule: no knob signals, no KV watch to wait for
    // Runs a previous engine left 'running' (it died mid-run) are closed as aborted.
    r.#repo.abandonRunning(
      Math.round(host.clock.now()),
      host.organism.spec.name,
      jobs.map((j) => j.name),
    );
    await r.#knobs.declare(
      knobSignals(
        jobs.map((j) => j.spec),
        (spec) => r.#jobs.get(spec.name)!.action,
      ),
    );
    await r.#knobs.watch();
    for (const job of jobs) job.schedule();
    return r;
  }

  /** Overrides the quarantine store (by default the host's immune system's, when it has one). */
  useQuarantineStore(store: QuarantineStore | undefined): void {
    this.#quarantines = store;
  }

  #job(name: string): Job {
    const job = this.#jobs.get(name);
    if (!job) throw new NotFoundError(`recycling job '${name}'`);
    return job;
  }

  /** Every job, in manifest order. */
  list(): JobView[] {
    return [...this.#jobs.values()].map((j) => this.#view(j));
  }

  view(name: string): JobView {
    return this.#view(this.#job(name));
  }

  #view(job: Job): JobView {
    const organism = this.#host.organism.spec.name;
    const last = this.#repo.last(organism, job.name);
    const values = this.#knobs.values(job.spec, job.action);
    const knobs = (Object.keys(job.action.knobs) as KnobName[]).map((knob) => {
      const value = knobValue(values, knob);
      const shown = value === undefined ? null : knob === 'olderThan' || knob === 'idleFor' ? formatDuration(value) : value;
      return { knob, signal: knobKey(job.name, knob), value: shown };
    });
    return {
      name: job.name,
      action: job.action.name,
      summary: job.action.summary,
      schedule: job.spec.schedule,
      scheduleText: describeCron(job.spec.schedule),
      scheduler: this.scheduler,
      paused: job.paused,
      running: job.runningSince !== null,
      runningSince: job.runningSince,
      nextRunAt: job.nextRunAt(),
      lastRun: last ? runView(last) : null,
      knobs,
      totals: this.#repo.totals(organism, job.name),
    };
  }

  /**
   * Runs a job now. Resolves when it started (or, with `wait`, when it ended). A job still running
   * is not started again: the skip is recorded and a {@link ConflictError} thrown.
   */
  async run(name: string, options: { wait?: boolean } = {}): Promise<JobRunView> {
    const result = this.#job(name).start('manual');
    if (!result.started)
      throw new ConflictError(
        `recycling job '${name}' is still running (run ${String(result.skip.details.runningId)}); this start was skipped`,
      );
    return options.wait ? result.done : result.run;
  }

  pause(name: string): JobView {
    this.#job(name).pause();
    return this.view(name);
  }

  resume(name: string): JobView {
    this.#job(name).resume();
    return this.view(name);
  }

  /** A job's recorded runs, newest first. */
  runs(name: string, q: { limit?: number; before?: number; runId?: number } = {}): JobRunsPage {
    const job = this.#job(name);
    const organism = this.#host.organism.spec.name;
    return {
      job: job.name,
      runs: this.#repo.list(organism, job.name, q).map(runView),
      totals: this.#repo.totals(organism, job.name),
    };
  }

  /** Stops every schedule and waits for runs in progress to abort and record their end. */
  async stop(): Promise<void> {
    this.#knobs.stop();
    await Promise.all([...this.#jobs.values()].map((j) => j.stop()));
  }
}

function knobValue(values: ReturnType<Knobs['values']>, knob: KnobName): number | undefined {
  switch (knob) {
    case 'olderThan':
      return values.olderThanMs;
    case 'idleFor':
      return values.idleForMs;
    case 'maxSize':
      return values.maxSize;
    case 'keep':
      return values.keep;
  }
}
