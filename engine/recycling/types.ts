/**
 * The contracts of the recycling domain: what an action is, what it gets to work with, what it
 * reports, and the small interfaces other domains implement (the quarantine store of the immune
 * system).
 */
import type { EventSink } from '../bus/index.ts';
import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import type { JobSpec, OrganismSpec, RecyclingJobDoc, ScalingSpec } from '../organism/index.ts';
import type { SignalStore } from '../signals/index.ts';
import type { Db } from '../store/index.ts';
import type { JetStreamManager } from '@nats-io/jetstream';
import type { KV } from '@nats-io/kv';

/** A manifest action name: `prune-events`, `vacuum`… */
export type ActionName = RecyclingJobDoc['action'];

/** Retention knobs an action reads; each is also a live signal `recycling.<job>.<knob>`. */
export type KnobName = 'olderThan' | 'idleFor' | 'maxSize' | 'keep';

/** Knob values in force for one run (durations in ms); undefined when unset. */
export interface KnobValues {
  olderThanMs?: number;
  idleForMs?: number;
  maxSize?: number;
  keep?: number;
}

/** An immune quarantine as the recycling job sees it. */
export interface Quarantine {
  id: string;
  /** Client fingerprint or address. */
  client: string;
  /** Engine time (ms) the quarantine ends. */
  until: number;
}

/**
 * What the immune system implements so `expire-quarantines` can release quarantines past their
 * end (engine/immune's `Quarantines` does, and the engine hands it over as `host.immune`). Without
 * one the job records a no-op saying so.
 */
export interface QuarantineStore {
  /** Quarantines whose `until` is at or before `now` (engine ms). */
  expired(now: number): Quarantine[] | Promise<Quarantine[]>;
  /** Releases one (emitting `immune.released` itself); false when it was already gone. */
  release(id: string, reason: 'expired'): boolean | Promise<boolean>;
}

/** A cell as `decommission-idle` needs it. */
export interface IdleCandidate {
  readonly name: string;
  readonly desired: number;
  readonly lastActivity: number;
  readonly spec: { readonly scaling: Pick<ScalingSpec, 'min'> };
}

/**
 * The engine parts recycling works on. {@link Engine} satisfies it structurally, which keeps this
 * domain free of an import of the engine and lets tests hand in the parts they have.
 */
export interface RecyclingHost {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly events: EventSink;
  readonly db: Db;
  readonly bus: { readonly jsm: JetStreamManager; readonly signalsKv: KV };
  readonly signals: SignalStore;
  readonly cells: { readonly cells: readonly IdleCandidate[] };
  readonly options: { readonly dataDir: string };
  readonly organism: { readonly spec: Pick<OrganismSpec, 'name' | 'recycling'> };
  /** The immune system, when it runs: its quarantines are what `expire-quarantines` releases. */
  readonly immune?: { readonly quarantines: QuarantineStore };
  readonly runId: number;
  scaleCell(name: string, replicas: number, reason?: string): void;
  removeCell(name: string): Promise<void>;
}

/** What an action gets for one run. */
export interface ActionContext {
  job: JobSpec;
  /** Knobs read from their signals at the start of this run. */
  knobs: KnobValues;
  /** Engine time at the start of the run (ms): every age is measured from it. */
  now: number;
  /** Wall time at the start of the run (ms), for things stamped with wall time (log files). */
  wallNow: number;
  host: RecyclingHost;
  /** The immune system's quarantine store, when there is one. */
  quarantines: QuarantineStore | undefined;
  /** Aborted when the engine stops: stop between batches and report what was done. */
  signal: AbortSignal;
}

/** What an action reports. `rows` and `bytes` are what it freed; details are action-specific. */
export interface ActionResult {
  /** `noop` when there was nothing the action could do, with `reason`. Default `ok`. */
  outcome?: 'ok' | 'noop';
  rows: number;
  bytes: number;
  reason?: string;
  details?: Record<string, unknown>;
}

/** Declaration of a knob an action reads. */
export interface KnobSpec {
  /** Used when the manifest does not set it (null: unset unless someone sets the signal). */
  default: number | null;
  description: string;
}

/** One recycling action: a file in actions/, registered in registry.ts. */
export interface RecyclingAction {
  readonly name: ActionName;
  /** One line for the API and UI: what this action frees. */
  readonly summary: string;
  readonly knobs: Partial<Record<KnobName, KnobSpec>>;
  run(ctx: ActionContext): Promise<ActionResult>;
}
