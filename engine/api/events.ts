/**
 * Engine events: the envelope every action is published in (`petri.evt.<domain>.<type>`), and the
 * catalogue of event types. The UI timeline, reports and scenario assertions read these.
 * Node-free: the renderer imports it.
 */
import { Type, type Static } from '@sinclair/typebox';

export { EVENT_TYPES, eventDomain, type EventType } from './event-types.ts';

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
