/**
 * Retention knobs as live signals: each knob an action reads becomes a signal
 * `recycling.<job>.<knob>` (durations as `duration` signals, sizes and counts as numbers),
 * declared through the SignalStore with the manifest's value. A run reads the knobs when it
 * starts, so a change applies from the next run on. Besides the SignalStore's own view (what the
 * API and UI write), the knobs watch their KV keys, like cells watch theirs, so a value written
 * by another tool (`nats kv put`) applies too; the higher KV revision wins.
 */
import type { KV, KvWatchEntry } from '@nats-io/kv';
import { drop } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { JobSpec, SignalSpec } from '../organism/index.ts';
import { decodeSignal, signalValueError, type SignalStore, type SignalValue } from '../signals/index.ts';
import { formatDuration, parseDuration } from '../util/units.ts';
import type { KnobName, KnobValues, RecyclingAction } from './types.ts';

const KNOB_TYPE: Record<KnobName, 'duration' | 'number'> = {
  olderThan: 'duration',
  idleFor: 'duration',
  maxSize: 'number',
  keep: 'number',
};
const KNOB_MIN: Partial<Record<KnobName, number>> = { maxSize: 1, keep: 0 };
const PREFIX = 'recycling.';

/** The signal key of a job's knob. */
export function knobKey(job: string, knob: KnobName): string {
  return `${PREFIX}${job}.${knob}`;
}

function manifestValue(job: JobSpec, knob: KnobName): number | undefined {
  switch (knob) {
    case 'olderThan':
      return job.olderThanMs;
    case 'idleFor':
      return job.idleForMs;
    case 'maxSize':
      return job.maxSize;
    case 'keep':
      return job.keep;
  }
}

/** The signals declaring every knob of these jobs (pure). */
export function knobSignals(jobs: JobSpec[], actionOf: (job: JobSpec) => RecyclingAction): SignalSpec[] {
  return jobs.flatMap((job) =>
    Object.entries(actionOf(job).knobs).map(([name, spec]): SignalSpec => {
      const knob = name as KnobName;
      const value = manifestValue(job, knob) ?? spec.default;
      const type = KNOB_TYPE[knob];
      return {
        key: knobKey(job.name, knob),
        type,
        value: value === null ? null : type === 'duration' ? formatDuration(value) : value,
        ...(KNOB_MIN[knob] !== undefined ? { min: KNOB_MIN[knob] } : {}),
        secret: false,
        description: `${job.name}: ${spec.description}`,
      };
    }),
  );
}

function toKnob(knob: KnobName, value: SignalValue | undefined): number | undefined {
  if (value === null || value === undefined) return undefined;
  if (KNOB_TYPE[knob] === 'duration') return typeof value === 'string' ? parseDuration(value) : undefined;
  return typeof value === 'number' ? value : undefined;
}

/** Live knob values of the recycling jobs. */
export class Knobs {
  readonly #signals: SignalStore;
  readonly #kv: KV;
  readonly #logger: Logger;
  readonly #seen = new Map<string, { value: SignalValue; revision: number }>();
  #stop: (() => void) | undefined;

  constructor(signals: SignalStore, kv: KV, logger: Logger) {
    this.#signals = signals;
    this.#kv = kv;
    this.#logger = logger;
  }

  /** Declares the knob signals (keys the manifest already declares keep their declaration). */
  async declare(specs: SignalSpec[]): Promise<void> {
    await this.#signals.declare(specs.filter((s) => !this.#signals.has(s.key)));
  }

  /** Starts watching `recycling.>` in the signals bucket. */
  async watch(): Promise<void> {
    const watcher = await this.#kv.watch({ key: `${PREFIX}>` });
    this.#stop = () => watcher.stop();
    const loop = async (): Promise<void> => {
      for await (const entry of watcher) this.#take(entry);
    };
    drop(loop());
  }

  #take(entry: KvWatchEntry): void {
    if (!this.#signals.has(entry.key)) return;
    if (entry.operation !== 'PUT') {
      this.#seen.delete(entry.key);
      return;
    }
    const stored = decodeSignal(entry.value);
    const error = stored ? signalValueError(this.#signals.spec(entry.key), stored.v) : 'undecodable';
    if (!stored || error) {
      this.#logger.warn('ignoring a bad recycling knob value', { key: entry.key, error });
      return;
    }
    this.#seen.set(entry.key, { value: stored.v, revision: entry.revision });
  }

  /** The knob values in force for a job now. */
  values(job: JobSpec, action: RecyclingAction): KnobValues {
    const states = new Map(this.#signals.list().map((s) => [s.spec.key, s]));
    const read = (knob: KnobName): number | undefined => {
      const key = knobKey(job.name, knob);
      const state = states.get(key);
      const watched = this.#seen.get(key);
      if (!state && !watched) return manifestValue(job, knob);
      const value = watched && (!state || watched.revision > state.revision) ? watched.value : state!.value;
      return toKnob(knob, value);
    };
    const out: KnobValues = {};
    for (const knob of Object.keys(action.knobs) as KnobName[]) {
      const v = read(knob);
      if (v === undefined) continue;
      if (knob === 'olderThan') out.olderThanMs = v;
      else if (knob === 'idleFor') out.idleForMs = v;
      else if (knob === 'maxSize') out.maxSize = v;
      else out.keep = v;
    }
    return out;
  }

  stop(): void {
    this.#stop?.();
  }
}
