/**
 * The control API, defined once: request bodies, responses, stream messages and problem details.
 * TypeScript types come from these schemas; the server validates every request body against them;
 * the renderer imports the types. Node-free.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Cell as CellManifest } from '../organism/schema.ts';
import { PetriEvent } from './events.ts';
import { AttackSpec, FaultSpec } from '../faults/schema.ts';
import { TrafficSpec } from '../traffic/schema.ts';

/** RFC 9457 problem details, the body of every API error. */
export const Problem = Type.Object({
  type: Type.String(),
  title: Type.String(),
  status: Type.Integer(),
  detail: Type.Optional(Type.String()),
  instance: Type.Optional(Type.String()),
  errors: Type.Optional(
    Type.Array(
      Type.Object({
        path: Type.String(),
        message: Type.String(),
        /** Where in a user document (422 answers): `file:line:col`. */
        file: Type.Optional(Type.String()),
        line: Type.Optional(Type.Integer()),
        col: Type.Optional(Type.Integer()),
      }),
    ),
  ),
});
export type Problem = Static<typeof Problem>;

const LatencyFields = {
  p50: Type.Number(),
  p95: Type.Number(),
  p99: Type.Number(),
  max: Type.Number(),
};

/** Per-second statistics of one gateway route. */
export const RouteStats = Type.Object({
  route: Type.String(),
  cell: Type.String(),
  count: Type.Integer(),
  rps: Type.Number(),
  ok: Type.Integer(),
  c4xx: Type.Integer(),
  c5xx: Type.Integer(),
  timeouts: Type.Integer(),
  blocked: Type.Integer(),
  errorRate: Type.Number(),
  ...LatencyFields,
  /**
   * What the gateway and the bus add to the cell's own time (ms): the request's latency minus the
   * time its answer spent in the cell, over requests a cell answered. 0 when none did.
   */
  overheadP50: Type.Number(),
  overheadP99: Type.Number(),
});
export type RouteStats = Static<typeof RouteStats>;

/** Per-second statistics of one replica. */
export const ReplicaStats = Type.Object({
  id: Type.String(),
  cell: Type.String(),
  state: Type.Union([Type.Literal('starting'), Type.Literal('ready'), Type.Literal('stopped'), Type.Literal('crashed')]),
  count: Type.Integer(),
  errors: Type.Integer(),
  rejected: Type.Integer(),
  rps: Type.Number(),
  utilization: Type.Number(),
  queue: Type.Number(),
  inflight: Type.Integer(),
  memoryMb: Type.Number(),
  ...LatencyFields,
  histogram: Type.Optional(Type.Array(Type.Tuple([Type.Number(), Type.Number()]))),
});
export type ReplicaStats = Static<typeof ReplicaStats>;

/** Per-second statistics of one cell (its replicas combined). */
export const CellStats = Type.Object({
  cell: Type.String(),
  replicas: Type.Integer(),
  ready: Type.Integer(),
  count: Type.Integer(),
  errors: Type.Integer(),
  rejected: Type.Integer(),
  rps: Type.Number(),
  errorRate: Type.Number(),
  utilization: Type.Number(),
  queue: Type.Number(),
  ...LatencyFields,
});
export type CellStats = Static<typeof CellStats>;

/** Calls from a caller (`gateway` or a cell) to a cell in the last second (topology edges). */
export const EdgeStats = Type.Object({
  from: Type.String(),
  to: Type.String(),
  count: Type.Integer(),
  rps: Type.Number(),
  errors: Type.Integer(),
  errorRate: Type.Number(),
  p99: Type.Number(),
  breaker: Type.Optional(Type.Union([Type.Literal('closed'), Type.Literal('open'), Type.Literal('half-open')])),
});
export type EdgeStats = Static<typeof EdgeStats>;

/** One second of a traffic or attack stream, as its clients saw it. */
export const StreamStats = Type.Object({
  name: Type.String(),
  sent: Type.Integer(),
  count: Type.Integer(),
  rps: Type.Number(),
  ok: Type.Integer(),
  c4xx: Type.Integer(),
  c5xx: Type.Integer(),
  blocked: Type.Integer(),
  timeouts: Type.Integer(),
  errors: Type.Integer(),
  inflight: Type.Integer(),
  errorRate: Type.Number(),
  lagMs: Type.Number(),
  ...LatencyFields,
});
export type StreamStats = Static<typeof StreamStats>;

/** One second of metrics, pushed on `/api/stream` and kept for `/api/metrics`. */
export const MetricsFrame = Type.Object({
  t: Type.Number(),
  routes: Type.Array(RouteStats),
  cells: Type.Array(CellStats),
  replicas: Type.Array(ReplicaStats),
  edges: Type.Array(EdgeStats),
  streams: Type.Array(StreamStats),
});
export type MetricsFrame = Static<typeof MetricsFrame>;

/** A replica as listed by the API. */
export const ReplicaView = Type.Object({
  id: Type.String(),
  state: ReplicaStats.properties.state,
  startedAt: Type.Number(),
  readyAt: Type.Optional(Type.Number()),
});

/** A cell as listed by the API, with its spec and latest metrics. */
export const CellView = Type.Object({
  name: Type.String(),
  description: Type.Optional(Type.String()),
  desired: Type.Integer(),
  concurrency: Type.Integer(),
  queue: Type.Integer(),
  startupMs: Type.Number(),
  operations: Type.Array(
    Type.Object({
      name: Type.String(),
      p50Ms: Type.Number(),
      p99Ms: Type.Number(),
      errorRate: Type.Number(),
      calls: Type.Array(
        Type.Object({ cell: Type.String(), op: Type.String(), timeoutMs: Type.Number(), retries: Type.Integer() }),
      ),
    }),
  ),
  scaling: Type.Object({ policy: Type.String(), min: Type.Integer(), max: Type.Integer(), targetUtilization: Type.Number() }),
  replicas: Type.Array(ReplicaView),
  stats: Type.Optional(CellStats),
});
export type CellView = Static<typeof CellView>;

/**
 * `GET /api/cells/:name`: a cell with its replicas' statistics of the latest second (`t`); with
 * `?histograms=1` each replica's stats carry that second's latency buckets (`[ms, count]`).
 */
export const CellDetail = Type.Composite([
  CellView,
  Type.Object({ t: Type.Optional(Type.Number()), replicaStats: Type.Array(ReplicaStats) }),
]);
export type CellDetail = Static<typeof CellDetail>;

/** A gateway pathway. */
export const PathwayView = Type.Object({
  route: Type.String(),
  method: Type.String(),
  path: Type.String(),
  cell: Type.String(),
  op: Type.String(),
  auth: Type.String(),
  scopes: Type.Array(Type.String()),
  timeoutMs: Type.Number(),
});
export type PathwayView = Static<typeof PathwayView>;

/** The running organism. */
export const OrganismView = Type.Object({
  name: Type.String(),
  description: Type.Optional(Type.String()),
  source: Type.String(),
  runId: Type.Integer(),
  startedAt: Type.Number(),
  gateway: Type.String(),
  pathways: Type.Array(PathwayView),
  cells: Type.Array(CellView),
});
export type OrganismView = Static<typeof OrganismView>;

/** `GET /api/health`. */
export const Health = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('degraded')]),
  version: Type.String(),
  uptimeMs: Type.Number(),
  bus: Type.Object({ connected: Type.Boolean(), url: Type.String(), restarts: Type.Integer() }),
  events: Type.Object({ pending: Type.Integer(), persisted: Type.Integer() }),
});
export type Health = Static<typeof Health>;

/** A recorded run. */
export const RunView = Type.Object({
  id: Type.Integer(),
  kind: Type.String(),
  name: Type.String(),
  seed: Type.Union([Type.Integer(), Type.Null()]),
  startedAt: Type.Number(),
  endedAt: Type.Union([Type.Number(), Type.Null()]),
  status: Type.String(),
  organism: Type.Union([Type.String(), Type.Null()]),
  events: Type.Integer(),
});
export type RunView = Static<typeof RunView>;

/** `POST /api/cells`: a cell in manifest form. */
export const SpawnCellBody = CellManifest;
export type SpawnCellBody = Static<typeof SpawnCellBody>;

/** `POST /api/cells/:name/scale`. */
export const ScaleBody = Type.Object({ replicas: Type.Integer({ minimum: 0, maximum: 1000 }) }, { additionalProperties: false });
export type ScaleBody = Static<typeof ScaleBody>;

/** `GET /api/events` answer. */
export const EventsPage = Type.Object({ events: Type.Array(PetriEvent), lastSeq: Type.Integer() });
export type EventsPage = Static<typeof EventsPage>;

/** The arrays of a {@link MetricsFrame} that `GET /api/metrics?parts=…` can select. */
export const METRICS_PARTS = ['routes', 'cells', 'replicas', 'edges', 'streams'] as const;
export type MetricsPart = (typeof METRICS_PARTS)[number];

/** `GET /api/metrics` answer: the last frames, oldest first. */
export const MetricsPage = Type.Object({ frames: Type.Array(MetricsFrame) });
export type MetricsPage = Static<typeof MetricsPage>;

/** One second (or span) of a recorded run's metrics for one key: `GET /api/metrics/rollups`. */
export const RollupView = Type.Object({
  runId: Type.Integer(),
  scope: Type.Union([Type.Literal('route'), Type.Literal('cell'), Type.Literal('stream'), Type.Literal('edge')]),
  key: Type.String(),
  /** Engine time (ms) the span starts at. */
  t: Type.Number(),
  span: Type.Number(),
  count: Type.Integer(),
  ok: Type.Integer(),
  c4xx: Type.Integer(),
  c5xx: Type.Integer(),
  timeouts: Type.Integer(),
  blocked: Type.Integer(),
  p50: Type.Number(),
  p95: Type.Number(),
  p99: Type.Number(),
  max: Type.Number(),
  utilization: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
  queue: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
  replicas: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
});
export type RollupView = Static<typeof RollupView>;

/** Messages on `/api/stream`. */
export type StreamMessage =
  | { kind: 'hello'; organism: OrganismView; lastSeq: number }
  | { kind: 'events'; events: PetriEvent[] }
  | { kind: 'metrics'; frame: MetricsFrame }
  | { kind: 'organism'; organism: OrganismView };

/** A running traffic or attack stream. */
export const StreamView = Type.Object({
  name: Type.String(),
  kind: Type.String(),
  route: Type.String(),
  rate: Type.Number(),
  clients: Type.Integer(),
  startedAt: Type.Number(),
  durationMs: Type.Optional(Type.Number()),
  addresses: Type.Object({ first: Type.String(), last: Type.String() }),
  attack: Type.Optional(Type.String()),
});
export type StreamView = Static<typeof StreamView>;

/** An active fault. */
export const FaultView = Type.Object({
  id: Type.String(),
  spec: FaultSpec,
  startedAt: Type.Number(),
  endsAt: Type.Union([Type.Number(), Type.Null()]),
  details: Type.Record(Type.String(), Type.Unknown()),
});
export type FaultView = Static<typeof FaultView>;

/** `PATCH /api/traffic/:name`. */
export const TrafficRateBody = Type.Object({ rate: TrafficSpec.properties.rate }, { additionalProperties: false });
export type TrafficRateBody = Static<typeof TrafficRateBody>;

/** `GET /api/faults`: active faults and the kinds that can be injected. */
export const FaultsPage = Type.Object({
  faults: Type.Array(FaultView),
  kinds: Type.Array(Type.Object({ kind: Type.String(), summary: Type.String() })),
});
export type FaultsPage = Static<typeof FaultsPage>;

/** `GET /api/traffic` and `GET /api/attacks`. */
export type TrafficPage = { streams: StreamView[] };
export type AttacksPage = { attacks: StreamView[] };

export { PetriEvent, FaultSpec, AttackSpec, TrafficSpec };
export { FAULT_KINDS, ATTACK_KINDS } from '../faults/schema.ts';
export * from './signal-schema.ts';
export * from './recycling-schema.ts';
export * from './scenario-schema.ts';
export * from './immune-schema.ts';
