/**
 * What starts scheduled runs. Two triggers share one job runner:
 * - {@link NodeCronTrigger}: node-cron's own scheduler — the production path on the 1× wall clock,
 *   with its handling of missed ticks and DST.
 * - {@link ClockTrigger}: the same expression (parsed and matched by node-cron) timed on the
 *   engine's {@link Clock}, for a ManualClock in tests and `--speed X` runs, where node-cron's wall
 *   timers would fire at the wrong rate.
 * Triggers only say "now"; overlap, pause and recording live in the runner, so both behave alike.
 */
import cron, { type ScheduledTask } from 'node-cron';
import { WallClock, type Clock, type TimerHandle } from '../clock.ts';
import type { Logger } from '../log.ts';
import { CronMatcher } from './cron.ts';

/** Starts runs of one job on its schedule. */
export interface Trigger {
  /** Starts (or resumes) firing. */
  start(): void;
  /** Stops firing until started again (pause). */
  stop(): void;
  /** Next fire time in engine ms, or null when stopped. */
  next(): number | null;
  /** Stops for good and releases the schedule. */
  dispose(): void;
}

/** Which scheduler times the jobs. */
export type SchedulerKind = 'node-cron' | 'clock';

/** node-cron on the wall clock only when engine time is wall time. */
export function defaultScheduler(clock: Clock): SchedulerKind {
  return clock instanceof WallClock && clock.speed === 1 ? 'node-cron' : 'clock';
}

/** node-cron's scheduler: real cron timing on the wall clock. */
export class NodeCronTrigger implements Trigger {
  readonly #task: ScheduledTask;

  constructor(expression: string, fire: () => void, name: string, logger: Logger) {
    this.#task = cron.createTask(expression, () => fire(), {
      name: `petri-${name}`,
      // The runner does its own overlap prevention (it records skips); node-cron's callback
      // returns at once, so node-cron never sees two executions at a time.
      noOverlap: false,
      unref: true,
      logger: {
        info: (m) => logger.debug(`node-cron: ${m}`),
        warn: (m) => logger.warn(`node-cron: ${m}`, { job: name }),
        error: (m) => logger.error(`node-cron: ${String(m)}`, { job: name }),
        debug: (m) => logger.debug(`node-cron: ${String(m)}`),
      },
    });
  }

  start(): void {
    void this.#task.start();
  }

  stop(): void {
    void this.#task.stop();
  }

  next(): number | null {
    return this.#task.getNextRun()?.getTime() ?? null;
  }

  dispose(): void {
    void this.#task.destroy();
  }
}

/** The expression's fire times on the engine clock. */
export class ClockTrigger implements Trigger {
  readonly #matcher: CronMatcher;
  readonly #clock: Clock;
  readonly #fire: () => void;
  #timer: TimerHandle | undefined;
  #next: number | undefined;

  constructor(expression: string, fire: () => void, clock: Clock) {
    this.#matcher = new CronMatcher(expression);
    this.#clock = clock;
    this.#fire = fire;
  }

  start(): void {
    if (this.#timer) return;
    this.#arm(this.#clock.now());
  }

  #arm(from: number): void {
    const due = this.#matcher.next(from);
    this.#next = due;
    if (due === undefined) return;
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined;
      // Ticks missed while the process was busy are skipped, as node-cron does.
      this.#arm(Math.max(due, this.#clock.now()));
      this.#fire();
    }, due - this.#clock.now());
  }

  stop(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#next = undefined;
  }

  next(): number | null {
    return this.#next ?? null;
  }

  dispose(): void {
    this.stop();
    this.#matcher.dispose();
  }
}
