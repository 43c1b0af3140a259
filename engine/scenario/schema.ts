/**
 * The scenario format (`apiVersion: petri/v1`, `kind: Scenario`): chaos experiment as code.
 * DESIGN.md's grammar, extended with `description`, `abortOnFail` per expectation and `stop` steps.
 * Node-free: the API and the renderer use these types.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Duration, Name } from '../organism/schema.ts';
import { AttackSpec, FaultSpec } from '../faults/schema.ts';
import { RateOrShare, TrafficSpec } from '../traffic/schema.ts';

const closed = { additionalProperties: false } as const;

/** A traffic stream of a scenario: a TrafficSpec plus `from` (start offset). */
export const ScenarioTraffic = Type.Object(
  {
    ...TrafficSpec.properties,
    from: Type.Optional(Duration),
    clients: Type.Optional(Type.Integer({ minimum: 1, maximum: 60000 })),
  },
  closed,
);
export type ScenarioTraffic = Static<typeof ScenarioTraffic>;

/** A timed step: `at` and exactly one action (checked after the schema, with a precise message). */
export const Step = Type.Object(
  {
    at: Duration,
    attack: Type.Optional(AttackSpec),
    fault: Type.Optional(FaultSpec),
    signal: Type.Optional(
      Type.Object(
        { key: Type.String({ minLength: 1 }), value: Type.Union([Type.Number(), Type.String(), Type.Boolean(), Type.Null()]) },
        closed,
      ),
    ),
    scale: Type.Optional(Type.Object({ cell: Name, replicas: Type.Integer({ minimum: 0, maximum: 1000 }) }, closed)),
    traffic: Type.Optional(Type.Object({ name: Name, rate: RateOrShare }, closed)),
    stop: Type.Optional(
      Type.Object({ fault: Type.Optional(Name), attack: Type.Optional(Name), traffic: Type.Optional(Name) }, closed),
    ),
  },
  closed,
);
export type Step = Static<typeof Step>;

/** The actions a step may have, in the order they are listed in messages. */
export const STEP_ACTIONS = ['attack', 'fault', 'signal', 'scale', 'traffic', 'stop'] as const;
export type StepAction = (typeof STEP_ACTIONS)[number];

/** Metric names of `metric:` expectations. */
export const METRICS = [
  'rps',
  'p50',
  'p95',
  'p99',
  'errorRate',
  'blocked',
  'quarantined',
  'replicas',
  'utilization',
  'queue',
] as const;
export type MetricName = (typeof METRICS)[number];

const Threshold = Type.Union([Type.Number(), Type.String({ minLength: 1 })], {
  'x-hint': 'a number, a duration like 300ms, or a rate like 100/s',
});
const Comparators = {
  below: Type.Optional(Threshold),
  above: Type.Optional(Threshold),
  atLeast: Type.Optional(Threshold),
  atMost: Type.Optional(Threshold),
};
const Window = Type.Tuple([Duration, Duration], { 'x-hint': 'a window like [0s, 60s]' });

/** An expectation: exactly one of incident, metric, event. */
export const Expectation = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    abortOnFail: Type.Optional(Type.Boolean()),
    incident: Type.Optional(
      Type.Object(
        {
          kind: Type.Union([
            Type.Literal('rate-abuse'),
            Type.Literal('injection'),
            Type.Literal('credential-abuse'),
            Type.Literal('anomaly'),
          ]),
          within: Duration,
          after: Type.Optional(Duration),
          source: Type.Optional(Name),
        },
        closed,
      ),
    ),
    metric: Type.Optional(Type.Union(METRICS.map((m) => Type.Literal(m)))),
    event: Type.Optional(Type.String({ pattern: '^[a-z]+\\.[a-z-]+$', 'x-hint': 'an event type like replica.crashed' })),
    route: Type.Optional(Type.String()),
    traffic: Type.Optional(Name),
    cell: Type.Optional(Name),
    job: Type.Optional(Name),
    window: Type.Optional(Window),
    agg: Type.Optional(Type.Union([Type.Literal('max'), Type.Literal('min'), Type.Literal('mean'), Type.Literal('last')])),
    ...Comparators,
  },
  closed,
);
export type Expectation = Static<typeof Expectation>;

/** A scenario file. */
export const Scenario = Type.Object(
  {
    apiVersion: Type.Literal('petri/v1'),
    kind: Type.Literal('Scenario'),
    metadata: Type.Object(
      { name: Name, description: Type.Optional(Type.String()), labels: Type.Optional(Type.Record(Type.String(), Type.String())) },
      closed,
    ),
    organism: Type.String({ minLength: 1, description: 'path of the organism manifest, relative to this file' }),
    duration: Duration,
    seed: Type.Optional(Type.Integer({ minimum: 0, maximum: 4294967295 })),
    traffic: Type.Optional(Type.Array(ScenarioTraffic)),
    steps: Type.Optional(Type.Array(Step)),
    expect: Type.Optional(Type.Array(Expectation)),
  },
  { ...closed, $id: 'https://petri.dev/schemas/scenario.schema.json', title: 'Petri scenario' },
);
export type ScenarioDoc = Static<typeof Scenario>;

/** The comparator keys, in the order they are checked. */
export const COMPARATORS = ['below', 'above', 'atLeast', 'atMost'] as const;
export type Comparator = (typeof COMPARATORS)[number];
