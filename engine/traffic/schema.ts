/** Traffic stream specs (API, CLI, scenarios). Node-free: the API types embed them. */
import { Type, type Static } from '@sinclair/typebox';
import { Duration, Name } from '../organism/schema.ts';

/** A number, or a rate string `N/s` / `N/m`. */
export const RateOrShare = Type.Union([Type.Number({ minimum: 0 }), Type.String({ pattern: '^\\d+(\\.\\d+)?/(s|m)$' })], {
  'x-hint': 'a number, or a rate like 50/s',
});

/** A traffic stream to start. */
export const TrafficSpec = Type.Object(
  {
    name: Name,
    route: Type.String({ minLength: 1 }),
    rate: Type.Union([Type.Number({ minimum: 0 }), Type.String({ pattern: '^\\d+(\\.\\d+)?/(s|m)$' })]),
    clients: Type.Optional(Type.Integer({ minimum: 1, maximum: 60000 })),
    arrival: Type.Optional(Type.Union([Type.Literal('poisson'), Type.Literal('constant')])),
    for: Type.Optional(Duration),
    timeout: Type.Optional(Duration),
    ramp: Type.Optional(Type.Object({ to: RateOrShare, over: Duration }, { additionalProperties: false })),
    spike: Type.Optional(Type.Object({ at: Duration, rate: RateOrShare, for: Duration }, { additionalProperties: false })),
    trace: Type.Optional(
      Type.Object(
        {
          file: Type.String({ minLength: 1 }),
          peak: Type.Optional(RateOrShare),
          minute: Type.Optional(Duration),
          from: Type.Optional(Type.Integer({ minimum: 0, description: 'first minute of the trace to play' })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type TrafficSpec = Static<typeof TrafficSpec>;

/** `number` or `N/s` / `N/m` → requests (or units) per second. */
export function rateValue(v: number | string): number {
  if (typeof v === 'number') return v;
  const [n, unit] = v.split('/');
  return unit === 'm' ? Number(n) / 60 : Number(n);
}
