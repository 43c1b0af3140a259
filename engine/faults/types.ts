/** The fault plugin interface: one file per kind implements {@link FaultKind}. */
import type { NatsSupervisor } from '../bus/index.ts';
import type { CellHost, CellInterceptor } from '../cells/index.ts';
import type { Clock, Rng } from '../clock.ts';
import type { Issue } from '../errors.ts';
import type { FaultSpec } from './schema.ts';
import type { CellSpec } from '../organism/index.ts';

/** What a fault may touch. */
export interface FaultContext {
  cells: CellHost;
  clock: Clock;
  rng: Rng;
  /** The engine's own nats-server; undefined with --nats-url. */
  supervisor: NatsSupervisor | undefined;
}

/** A fault in effect; the runner calls `stop` exactly once (expiry, removal, run end, abort). */
export interface AppliedFault {
  /** Hooks consulted by cells; the runner adds targeting and probability around them. */
  interceptor?: CellInterceptor;
  /** Extra facts for the `fault.injected` event (e.g. which replica was crashed). */
  details?: Record<string, unknown>;
  /** Side effects that emit events of their own run after `fault.injected` (e.g. the crash). */
  start?(): void;
  /** Undoes the fault, restoring exactly the state before it. */
  stop(): void | Promise<void>;
}

/** What validation needs to know: the cells (running, or predicted from a manifest) and the bus. */
export interface CheckContext {
  cells: {
    has(name: string): boolean;
    get(name: string): { name: string; spec: CellSpec; replicas: ReadonlyArray<{ id: string; state: string }> };
    readonly cells: ReadonlyArray<{ name: string }>;
  };
  /** Whether the engine runs its own nats-server (bus outages need it). */
  ownBus: boolean;
}

/** One kind of fault. Shared behaviour (targeting, probability, duration) lives in the runner. */
export interface FaultKind {
  readonly kind: FaultSpec['kind'];
  /** One line for docs and the UI. */
  readonly summary: string;
  /** Kind-specific checks beyond the shared schema (required fields, ranges, capabilities). */
  check(spec: FaultSpec, ctx: CheckContext): Issue[];
  apply(spec: FaultSpec, ctx: FaultContext): AppliedFault;
}
