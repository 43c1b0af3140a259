/**
 * Engine events: the envelope every action is published in (`petri.evt.<domain>.<type>`), and the
 * catalogue of event types. The UI timeline, reports and scenario assertions read these.
 * Node-free: the renderer imports it.
 */
import { Type, type Static } from '@sinclair/typebox';

/** Every event type the engine emits; the domain is the first word. */
export const EVENT_TYPES = [
  'cell.spawned',
  'cell.removed',
  'replica.started',
  'replica.ready',
  'replica.crashed',
  'replica.stopped',
  'fault.injected',
  'fault.cleared',
  'attack.started',
  'attack.stopped',
  'traffic.started',
  'traffic.changed',
  'traffic.stopped',
  'breaker.opened',
  'breaker.half-opened',
  'breaker.closed',
  'immune.blocked',
  'immune.throttled',
  'immune.quarantined',
  'immune.released',
  'immune.switched',
  'immune.anomaly-detected',
  'incident.opened',
  'incident.closed',
  'signal.changed',
  'signal.applied',
  'signal.refused',
  'recycling.job-ran',
  'recycling.job-skipped',
  'recycling.decommissioned',
  'scaling.decided',
  'scaling.replicas-changed',
  'scenario.started',
  'scenario.step',
  'scenario.expectation',
  'scenario.finished',
  'bus.down',
  'bus.up',
  'engine.started',
  'engine.stopping',
] as const;

/** One event type, e.g. `replica.crashed`. */
export type EventType = (typeof EVENT_TYPES)[number];

/** Domain of an event type: `replica.crashed` → `replica`. */
export function eventDomain(type: string): string {
  return type.slice(0, type.indexOf('.'));
}

/** The envelope of an event, as published and as stored. */
export const PetriEvent = Type.Object({
  /** JetStream stream sequence, set once persisted. */
  seq: Type.Optional(Type.Integer()),
  /** Unique id (also the JetStream message id, so retries are deduplicated). */
  id: Type.String(),
  /** Engine time in ms since the epoch. */
  time: Type.Number(),
  type: Type.String(),
  runId: Type.Optional(Type.Integer()),
  cell: Type.Optional(Type.String()),
  data: Type.Record(Type.String(), Type.Unknown()),
});
export type PetriEvent = Static<typeof PetriEvent>;
