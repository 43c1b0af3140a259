/**
 * Fault and attack specs as the API, CLI and scenarios write them (DESIGN.md's scenario grammar,
 * extended with `probability`, `route` and `mode`). Node-free: the API types embed them.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Duration, Name } from '../organism/schema.ts';
import { RateOrShare } from '../traffic/schema.ts';

export { rateValue } from '../traffic/schema.ts';

import { ATTACK_KINDS, FAULT_KINDS } from './kinds.ts';

export { FAULT_KINDS, ATTACK_KINDS };

/** A fault to inject. */
export const FaultSpec = Type.Object(
  {
    name: Type.Optional(Name),
    kind: Type.Union(FAULT_KINDS.map((k) => Type.Literal(k))),
    cell: Type.Optional(Name),
    op: Type.Optional(Name),
    replica: Type.Optional(Type.String({ minLength: 1 })),
    route: Type.Optional(Type.String({ minLength: 1 })),
    to: Type.Optional(Name),
    add: Type.Optional(Duration),
    jitter: Type.Optional(Duration),
    rate: Type.Optional(RateOrShare),
    status: Type.Optional(Type.Integer({ minimum: 400, maximum: 599 })),
    probability: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
    mode: Type.Optional(Type.Union([Type.Literal('pause'), Type.Literal('stop')])),
    for: Type.Optional(Duration),
  },
  { additionalProperties: false },
);
export type FaultSpec = Static<typeof FaultSpec>;

/** An attack to launch: a labelled traffic stream of malicious requests. */
export const AttackSpec = Type.Object(
  {
    name: Type.Optional(Name),
    kind: Type.Union(ATTACK_KINDS.map((k) => Type.Literal(k))),
    route: Type.Optional(Type.String({ minLength: 1 })),
    rate: Type.Union([Type.Number({ exclusiveMinimum: 0 }), Type.String({ pattern: '^\\d+(\\.\\d+)?/(s|m)$' })]),
    clients: Type.Optional(Type.Integer({ minimum: 1, maximum: 60000 })),
    for: Type.Optional(Duration),
    classes: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: 'injection: payload classes to use' })),
    sameClientsAs: Type.Optional(Name),
  },
  { additionalProperties: false },
);
export type AttackSpec = Static<typeof AttackSpec>;
