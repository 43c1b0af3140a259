/**
 * Fire times of a cron expression on any timeline (engine time under a ManualClock or `--speed
 * X`), using node-cron's own parser and matcher so both schedulers agree on what an expression
 * means. Splitting and validation live in engine/util/cron.ts (the manifest loader uses them too).
 */
import cron, { type ScheduledTask } from 'node-cron';
export { CRON_NICKNAMES, cronIssues, splitCron, type CronFields } from '../util/cron.ts';

/**
 * Computes fire times of one expression on any timeline. node-cron parses it and its matcher
 * decides which days match (it knows `L`, `W`, `#` and names); this class only walks forward.
 * Times are local wall-clock fields of the timeline's instants, as node-cron uses them.
 */
export class CronMatcher {
  readonly expression: string;
  readonly #seconds: number[];
  readonly #minutes: number[];
  readonly #hours: number[];
  #task: ScheduledTask | undefined;

  constructor(expression: string) {
    this.expression = expression;
    const fields = cron.parse(expression);
    this.#seconds = [...fields.second].sort((a, b) => a - b);
    this.#minutes = [...fields.minute].sort((a, b) => a - b);
    this.#hours = [...fields.hour].sort((a, b) => a - b);
    // A never-started task: used only for its matcher (day-of-month/week rules).
    this.#task = cron.createTask(expression, () => {}, { name: `petri-matcher-${expression}` });
  }

  /** The first fire time strictly after `from` (ms), or undefined within the next 8 years. */
  next(from: number): number | undefined {
    const start = new Date(Math.floor(from / 1000) * 1000 + 1000);
    const h0 = this.#hours[0]!;
    const m0 = this.#minutes[0]!;
    const s0 = this.#seconds[0]!;
    for (let d = 0; d < 366 * 8; d++) {
      const y = start.getFullYear();
      const mo = start.getMonth();
      const day = start.getDate() + d;
      if (!this.#match(new Date(y, mo, day, h0, m0, s0))) continue;
      const t = this.#firstInDay(y, mo, day, start.getTime());
      if (t !== undefined) return t;
    }
    return undefined;
  }

  #firstInDay(y: number, mo: number, day: number, notBefore: number): number | undefined {
    for (const h of this.#hours) {
      if (new Date(y, mo, day, h, 59, 59).getTime() < notBefore) continue;
      for (const m of this.#minutes) {
        if (new Date(y, mo, day, h, m, 59).getTime() < notBefore) continue;
        for (const s of this.#seconds) {
          const t = new Date(y, mo, day, h, m, s).getTime();
          if (t >= notBefore) return t;
        }
      }
    }
    return undefined;
  }

  #match(date: Date): boolean {
    return this.#task?.match(date) ?? false;
  }

  /** Unregisters the matcher task from node-cron's registry. */
  dispose(): void {
    void this.#task?.destroy();
    this.#task = undefined;
  }
}
