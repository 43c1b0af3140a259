/** The fault plugin interface: one file per kind implements {@link FaultKind}. */
import type { NatsSupervisor } from '../bus/index.ts';
import type { CellHost, CellInterceptor } from '../cells/index.ts';
import type { Clock, Rng } from '../clock.ts';
import type { Issue } from '../errors.ts';
import type { FaultSpec } from './schema.ts';

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

/** One kind of fault. Shared behaviour (targeting, probability, duration) lives in the runner. */
export interface FaultKind {
  readonly kind: FaultSpec['kind'];
  /** One line for docs and the UI. */
  readonly summary: string;
  /** Kind-specific checks beyond the shared schema (required fields, ranges, capabilities). */
  check(spec: FaultSpec, ctx: FaultContext): Issue[];
  apply(spec: FaultSpec, ctx: FaultContext): AppliedFault;
}
