/**
 * The catalogue of event types. Plain data with no schema library, so the renderer's first bundle
 * can import it without evaluating every API schema.
 */

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
