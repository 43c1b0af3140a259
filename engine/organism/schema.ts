/**
 * The organism manifest (`apiVersion: petri/v1`, `kind: Organism`) as a JSON Schema written with
 * TypeBox, so the TypeScript types, the runtime validator and the shipped
 * `schemas/organism.schema.json` (for editors) come from one definition.
 *
 * This module must stay free of Node APIs: the renderer type-checks it through the API types.
 */
import { Type, type Static, type TString } from '@sinclair/typebox';
import { DURATION_PATTERN, RATE_PATTERN } from '../util/units.ts';

const closed = { additionalProperties: false } as const;

/** `250ms`, `10s`, `5m`, `1h`. */
export const Duration = Type.String({ pattern: DURATION_PATTERN, 'x-hint': 'a duration like 250ms, 10s, 5m or 1h' });
/** A duration with its own description (editors show it on hover). */
function DurationOf(description: string): TString {
  return Type.String({ pattern: DURATION_PATTERN, 'x-hint': 'a duration like 250ms, 10s, 5m or 1h', description });
}
/** `40/s`, `600/m`. */
export const Rate = Type.String({ pattern: RATE_PATTERN, 'x-hint': 'a rate like 40/s or 600/m' });
/** Lower-case names usable inside NATS subjects (no dots, no spaces). */
export const Name = Type.String({
  pattern: '^[a-z][a-z0-9-]{0,62}$',
  'x-hint': 'a lower-case name: letters, digits and dashes, starting with a letter',
});
const Share = Type.Number({ minimum: 0, maximum: 1 });

/**
 * The anomaly threshold the model card chose on validation sessions (models/README.md): the
 * default of `immune.anomaly.threshold` in the manifest and of the signal of the same name.
 */
export const DEFAULT_ANOMALY_THRESHOLD = 0.999;

export const Call = Type.Object(
  {
    cell: Name,
    op: Name,
    timeout: Type.Optional(Duration),
    retries: Type.Optional(Type.Integer({ minimum: 0, maximum: 10 })),
  },
  { ...closed, description: 'A downstream call made by an operation, in order.' },
);

export const Operation = Type.Object(
  {
    name: Name,
    latency: Type.Object({ p50: Duration, p99: Duration }, { ...closed, description: 'Lognormal fitted to p50 and p99.' }),
    errorRate: Type.Optional(Share),
    errorStatus: Type.Optional(Type.Integer({ minimum: 400, maximum: 599 })),
    calls: Type.Optional(Type.Array(Call)),
    credentials: Type.Optional(
      Type.Boolean({
        description: 'checks a JSON body {username, password}: 401 unless password is "pw-" + username (the sandbox’s one rule)',
      }),
    ),
    response: Type.Optional(
      Type.Object(
        { status: Type.Optional(Type.Integer({ minimum: 200, maximum: 399 })), body: Type.Optional(Type.Unknown()) },
        closed,
      ),
    ),
  },
  closed,
);

export const ScalingPolicy = Type.Object(
  {
    policy: Type.Union([Type.Literal('none'), Type.Literal('hpa'), Type.Literal('queue-lag'), Type.Literal('predictive')]),
    min: Type.Optional(Type.Integer({ minimum: 0 })),
    max: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    targetUtilization: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1 })),
    targetQueue: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
    behavior: Type.Optional(
      Type.Union([Type.Literal('default'), Type.Literal('none')], {
        description: "HPA code path: Kubernetes' default `behavior` or none (legacy caps)",
      }),
    ),
    tolerance: Type.Optional(
      Type.Number({
        exclusiveMinimum: 0,
        maximum: 0.5,
        description: 'no scaling while metric/target is within 1 ± tolerance (0.1)',
      }),
    ),
    scaleDownStabilization: Type.Optional(
      Type.String({
        pattern: DURATION_PATTERN,
        'x-hint': 'a duration like 5m',
        description: 'scale-down uses the highest recommendation of this window (5m)',
      }),
    ),
    forecast: Type.Optional(
      Type.Object(
        {
          model: Type.Optional(Type.String({ minLength: 1, description: 'ONNX forecaster file (default models/forecast.onnx)' })),
          lead: Type.Optional(
            Type.String({
              pattern: DURATION_PATTERN,
              'x-hint': 'a duration like 90s',
              description: 'how far ahead capacity is provisioned (default: startup + one sync period)',
            }),
          ),
          headroom: Type.Optional(
            Type.Number({ minimum: 1, maximum: 3, description: 'multiplies the forecast before sizing (1)' }),
          ),
          quantile: Type.Optional(
            Type.Number({
              exclusiveMinimum: 0,
              exclusiveMaximum: 1,
              description: 'size for this percentile of the forecast (a head of the model, e.g. 0.95) instead of its mean',
            }),
          ),
          utilization: Type.Optional(
            Type.Number({
              exclusiveMinimum: 0,
              maximum: 1,
              description: 'utilization the forecast is sized at (default: targetUtilization)',
            }),
          ),
        },
        { ...closed, description: 'predictive policy: the forecast that raises the replica floor ahead of load' },
      ),
    ),
  },
  closed,
);

export const Resilience = Type.Object(
  {
    retryBackoff: Type.Optional(Type.Object({ base: Duration, max: Duration, jitter: Type.Optional(Share) }, closed)),
    retryBudget: Type.Optional(Type.Object({ ratio: Share, minPerSecond: Type.Optional(Type.Number({ minimum: 0 })) }, closed)),
    breaker: Type.Optional(
      Type.Object(
        {
          errorRatio: Share,
          window: Duration,
          minRequests: Type.Optional(Type.Integer({ minimum: 1 })),
          openFor: Duration,
          halfOpenProbes: Type.Optional(Type.Integer({ minimum: 1 })),
        },
        closed,
      ),
    ),
  },
  { ...closed, description: 'Per-downstream resilience knobs of a cell.' },
);

export const Cell = Type.Object(
  {
    name: Name,
    description: Type.Optional(Type.String()),
    replicas: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000 })),
    concurrency: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })),
    queue: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000000 })),
    startup: Type.Optional(Duration),
    memory: Type.Optional(
      Type.Object(
        { base: Type.Optional(Type.Number({ minimum: 0 })), limit: Type.Number({ exclusiveMinimum: 0 }) },
        {
          ...closed,
          description: 'Simulated memory per replica in MB (the leak fault grows it to the limit).',
        },
      ),
    ),
    operations: Type.Array(Operation, { minItems: 1 }),
    scaling: Type.Optional(ScalingPolicy),
    resilience: Type.Optional(Resilience),
  },
  closed,
);

export const Pathway = Type.Object(
  {
    route: Type.String({
      pattern: '^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) /[^\\s]*$',
      'x-hint': 'a route like "GET /products/:id" (method, one space, a path starting with /)',
    }),
    to: Type.String({ pattern: '^[a-z][a-z0-9-]*\\.[a-z][a-z0-9-]*$', 'x-hint': 'cell.operation, e.g. catalog.list' }),
    auth: Type.Optional(Type.Union([Type.Literal('none'), Type.Literal('jwt')])),
    scopes: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
    timeout: Type.Optional(Duration),
    login: Type.Optional(Type.Boolean({ description: 'marks a credential-checking route (credential abuse)' })),
  },
  closed,
);

export const SignalType = Type.Union([
  Type.Literal('number'),
  Type.Literal('string'),
  Type.Literal('bool'),
  Type.Literal('duration'),
  Type.Literal('enum'),
  Type.Literal('flag'),
]);

export const Signal = Type.Object(
  {
    key: Type.String({
      pattern: '^[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*$',
      'x-hint': 'dot-separated words of letters, digits, - and _',
    }),
    type: SignalType,
    value: Type.Union([Type.Number(), Type.String(), Type.Boolean(), Type.Null()]),
    description: Type.Optional(Type.String()),
    min: Type.Optional(Type.Number()),
    max: Type.Optional(Type.Number()),
    values: Type.Optional(Type.Array(Type.String(), { minItems: 1 })),
    rollout: Type.Optional(Share),
    targeting: Type.Optional(
      Type.Array(
        Type.Object(
          {
            attribute: Type.String({ minLength: 1 }),
            in: Type.Array(Type.Union([Type.String(), Type.Number()]), { minItems: 1 }),
            value: Type.Union([Type.Number(), Type.String(), Type.Boolean()]),
          },
          closed,
        ),
      ),
    ),
    secret: Type.Optional(Type.Boolean()),
    ttl: Type.Optional(Duration),
  },
  closed,
);

export const Immune = Type.Object(
  {
    auth: Type.Optional(Type.Object({ issuer: Type.Optional(Type.String()), audience: Type.Optional(Type.String()) }, closed)),
    rateLimit: Type.Optional(
      Type.Object(
        {
          perClient: Type.Optional(
            Type.Object(
              { rps: Type.Number({ exclusiveMinimum: 0 }), burst: Type.Optional(Type.Integer({ minimum: 1 })) },
              closed,
            ),
          ),
          perRoute: Type.Optional(
            Type.Object(
              { rps: Type.Number({ exclusiveMinimum: 0 }), burst: Type.Optional(Type.Integer({ minimum: 1 })) },
              closed,
            ),
          ),
          escalateAfter: Type.Optional(Type.Integer({ minimum: 1, description: 'rate-limit trips before quarantine' })),
        },
        closed,
      ),
    ),
    waf: Type.Optional(
      Type.Object(
        {
          mode: Type.Union([Type.Literal('block'), Type.Literal('alert'), Type.Literal('off')]),
          paranoia: Type.Optional(Type.Integer({ minimum: 1, maximum: 4 })),
          threshold: Type.Optional(Type.Integer({ minimum: 1 })),
        },
        closed,
      ),
    ),
    anomaly: Type.Optional(
      Type.Object(
        {
          threshold: Type.Optional(
            Type.Number({
              minimum: 0,
              maximum: 1,
              default: DEFAULT_ANOMALY_THRESHOLD,
              description: 'anomaly score a client must keep reaching to be acted on (the model card chose the default)',
            }),
          ),
          action: Type.Optional(
            Type.Union([Type.Literal('quarantine'), Type.Literal('block'), Type.Literal('throttle'), Type.Literal('alert')], {
              description:
                'what a flagged client gets: quarantine (default, for `for`), block (a quarantine of at most 1 minute), throttle (probation at the per-client rate), alert (event and incident only)',
            }),
          ),
          for: Type.Optional(
            Type.String({
              pattern: DURATION_PATTERN,
              'x-hint': 'a duration like 250ms, 10s, 5m or 1h',
              description: 'how long a quarantine lasts (default 5m)',
            }),
          ),
        },
        closed,
      ),
    ),
    quarantine: Type.Optional(Type.Object({ for: Duration }, closed)),
    connections: Type.Optional(
      Type.Object(
        {
          perClient: Type.Integer({ minimum: 1, description: 'most open connections one client may hold (slow-header floods)' }),
        },
        closed,
      ),
    ),
  },
  closed,
);

/** The actions a recycling job can run (engine/recycling/registry.ts implements each). */
export const RecyclingActionName = Type.Union([
  Type.Literal('prune-events'),
  Type.Literal('compact-metrics'),
  Type.Literal('rotate-logs'),
  Type.Literal('decommission-idle'),
  Type.Literal('expire-keys'),
  Type.Literal('expire-quarantines'),
  Type.Literal('vacuum'),
]);

export const RecyclingJob = Type.Object(
  {
    name: Name,
    schedule: Type.String({
      minLength: 1,
      description: 'node-cron expression: 5 fields, or 6 with seconds first ("*/30 * * * * *"), or @hourly/@daily…',
    }),
    action: RecyclingActionName,
    olderThan: Type.Optional(
      DurationOf(
        'prune-events, compact-metrics: age of what is pruned or compacted; rotate-logs: age of a log file; expire-keys: age of delete markers (default 30m). Live as signal recycling.<job>.olderThan',
      ),
    ),
    idleFor: Type.Optional(
      DurationOf(
        'decommission-idle: time without traffic before a cell is decommissioned. Live as signal recycling.<job>.idleFor',
      ),
    ),
    maxSize: Type.Optional(Type.Integer({ minimum: 1, description: 'rotate-logs: rotate a log file at this many bytes' })),
    keep: Type.Optional(Type.Integer({ minimum: 0, description: 'rotate-logs: rotated generations kept per log (default 5)' })),
    remove: Type.Optional(Type.Boolean({ description: 'decommission-idle removes idle cells instead of scaling them to min' })),
    paused: Type.Optional(Type.Boolean({ description: 'start paused (the Kubernetes export sets suspend: true)' })),
  },
  closed,
);

export const Manifest = Type.Object(
  {
    apiVersion: Type.Literal('petri/v1'),
    kind: Type.Literal('Organism'),
    metadata: Type.Object(
      { name: Name, description: Type.Optional(Type.String()), labels: Type.Optional(Type.Record(Type.String(), Type.String())) },
      closed,
    ),
    cells: Type.Array(Cell, { minItems: 1 }),
    pathways: Type.Optional(Type.Array(Pathway)),
    signals: Type.Optional(Type.Array(Signal)),
    immune: Type.Optional(Immune),
    recycling: Type.Optional(Type.Array(RecyclingJob)),
  },
  { ...closed, $id: 'https://petri.dev/schemas/organism.schema.json', title: 'Petri organism manifest' },
);

export type ManifestDoc = Static<typeof Manifest>;
export type CellDoc = Static<typeof Cell>;
export type OperationDoc = Static<typeof Operation>;
export type PathwayDoc = Static<typeof Pathway>;
export type SignalDoc = Static<typeof Signal>;
export type RecyclingJobDoc = Static<typeof RecyclingJob>;
export type ScalingDoc = Static<typeof ScalingPolicy>;
export type ResilienceDoc = Static<typeof Resilience>;
export type ImmuneDoc = Static<typeof Immune>;
