/**
 * The immune and scaling parts of the control API's answers (re-exported by schema.ts, so the
 * renderer imports them from there). Node-free. The engine builds these from its immune system and
 * scaling controllers; the routes check their answers against these types with `satisfies`.
 */
import { Type, type Static } from '@sinclair/typebox';

/** The incident kinds of DESIGN.md. */
export const IncidentKindSchema = Type.Union([
  Type.Literal('rate-abuse'),
  Type.Literal('injection'),
  Type.Literal('credential-abuse'),
  Type.Literal('anomaly'),
]);

/** An incident: decisions of one kind grouped into one attack, with its clients and evidence. */
export const IncidentView = Type.Object({
  id: Type.String(),
  kind: IncidentKindSchema,
  openedAt: Type.Number(),
  closedAt: Type.Union([Type.Number(), Type.Null()]),
  clients: Type.Array(Type.String()),
  routes: Type.Array(Type.String()),
  decisions: Type.Integer(),
  evidence: Type.Array(Type.Record(Type.String(), Type.Unknown())),
});
export type IncidentView = Static<typeof IncidentView>;

/** `GET /api/incidents?limit=`: newest first. */
export const IncidentsPage = Type.Object({ incidents: Type.Array(IncidentView) });
export type IncidentsPage = Static<typeof IncidentsPage>;

/** An active quarantine; `until` is when it ends by itself. */
export const QuarantineView = Type.Object({
  id: Type.String(),
  client: Type.String(),
  fingerprint: Type.String(),
  kind: IncidentKindSchema,
  reason: Type.String(),
  startedAt: Type.Number(),
  until: Type.Number(),
});
export type QuarantineView = Static<typeof QuarantineView>;

/** `GET /api/quarantines`. */
export const QuarantinesPage = Type.Object({ quarantines: Type.Array(QuarantineView) });
export type QuarantinesPage = Static<typeof QuarantinesPage>;

/** A remembered offender (immune memory, kept across runs). */
export const MemoryView = Type.Object({
  fingerprint: Type.String(),
  client: Type.String(),
  kind: Type.String(),
  firstAt: Type.Number(),
  lastAt: Type.Number(),
  times: Type.Integer(),
});
export type MemoryView = Static<typeof MemoryView>;

/** `GET /api/immune`: the chain's switch, its configuration and figures, and its memory. */
export const ImmuneView = Type.Object({
  enabled: Type.Boolean(),
  limits: Type.Object({ perClientRps: Type.Union([Type.Number(), Type.Null()]), escalateAfter: Type.Number() }),
  waf: Type.Object({
    mode: Type.String(),
    paranoia: Type.Optional(Type.Number()),
    threshold: Type.Optional(Type.Number()),
    stats: Type.Object({
      inspected: Type.Integer(),
      blocked: Type.Integer(),
      alerted: Type.Integer(),
      byClass: Type.Record(Type.String(), Type.Integer()),
    }),
  }),
  anomaly: Type.Union([Type.Object({ threshold: Type.Number(), action: Type.String(), forMs: Type.Number() }), Type.Null()]),
  issuer: Type.Record(Type.String(), Type.Unknown()),
  memory: Type.Array(MemoryView),
  quarantines: Type.Integer(),
});
export type ImmuneView = Static<typeof ImmuneView>;

/** `PUT /api/immune`: the chain on or off. */
export const ImmuneSwitchBody = Type.Object({ enabled: Type.Boolean() }, { additionalProperties: false });
export type ImmuneSwitchBody = Static<typeof ImmuneSwitchBody>;

/** A scaling controller's decision at one sync (also the data of a `scaling.decided` event). */
export const ScalingDecisionView = Type.Object({
  cell: Type.String(),
  t: Type.Number(),
  policy: Type.String(),
  current: Type.Integer(),
  desired: Type.Integer(),
  reason: Type.String(),
  message: Type.String(),
  inputs: Type.Record(Type.String(), Type.Union([Type.Number(), Type.String(), Type.Boolean(), Type.Null()])),
});
export type ScalingDecisionView = Static<typeof ScalingDecisionView>;

/** Forecast rates (req/s) for consecutive minutes from epoch minute `firstMinute`, per model head. */
export const ForecastView = Type.Object({
  firstMinute: Type.Number(),
  heads: Type.Record(Type.String(), Type.Array(Type.Number())),
});
export type ForecastView = Static<typeof ForecastView>;

/** `GET /api/scaling/:cell`: its policy, desired replicas, last decisions (oldest first), forecast. */
export const ScalingCellView = Type.Object({
  cell: Type.String(),
  policy: Type.Object({
    policy: Type.String(),
    min: Type.Integer(),
    max: Type.Integer(),
    targetUtilization: Type.Number(),
    targetQueue: Type.Optional(Type.Number()),
    tolerance: Type.Optional(Type.Number()),
  }),
  replicas: Type.Integer(),
  decisions: Type.Array(ScalingDecisionView),
  forecast: Type.Union([ForecastView, Type.Null()]),
});
export type ScalingCellView = Static<typeof ScalingCellView>;

/** `GET /api/scaling`: every cell whose policy is not `none`. */
export const ScalingPage = Type.Object({ cells: Type.Array(ScalingCellView) });
export type ScalingPage = Static<typeof ScalingPage>;
