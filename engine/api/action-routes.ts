/** Routes of what users do to an organism: traffic streams, faults and attacks. */
import type { Engine } from '../engine.ts';
import { NotFoundError } from '../errors.ts';
import { FAULTS } from '../faults/index.ts';
import type { Route } from './http.ts';
import { AttackSpec, FaultSpec, TrafficRateBody, TrafficSpec, type FaultView, type StreamView } from './schema.ts';

/** Traffic: start, change the rate of, stop and list streams. */
function trafficRoutes(engine: Engine): Route[] {
  return [
    { method: 'GET', path: '/api/traffic', handler: () => ({ json: { streams: engine.traffic.list() satisfies StreamView[] } }) },
    {
      method: 'POST',
      path: '/api/traffic',
      body: TrafficSpec,
      handler: ({ body }) => ({ status: 201, json: engine.traffic.start(body) }),
    },
    {
      method: 'PATCH',
      path: '/api/traffic/:name',
      body: TrafficRateBody,
      handler: ({ params, body }) => ({ json: engine.traffic.setRate(params.name!, (body as TrafficRateBody).rate) }),
    },
    {
      method: 'DELETE',
      path: '/api/traffic/:name',
      handler: ({ params }) => {
        engine.traffic.stop(params.name!);
        return { status: 204 };
      },
    },
  ];
}

/** Faults: inject, list (with the kinds available), clear. */
function faultRoutes(engine: Engine): Route[] {
  return [
    {
      method: 'GET',
      path: '/api/faults',
      handler: () => ({
        json: {
          faults: engine.faults.list() satisfies FaultView[],
          kinds: [...FAULTS.values()].map((k) => ({ kind: k.kind, summary: k.summary })),
        },
      }),
    },
    {
      method: 'POST',
      path: '/api/faults',
      body: FaultSpec,
      handler: ({ body }) => ({ status: 201, json: engine.faults.inject(body) }),
    },
    {
      method: 'DELETE',
      path: '/api/faults/:id',
      handler: async ({ params }) => {
        await engine.faults.clear(params.id!, 'removed');
        return { status: 204 };
      },
    },
  ];
}

/** Attacks: launch, list, stop. */
function attackRoutes(engine: Engine): Route[] {
  return [
    { method: 'GET', path: '/api/attacks', handler: () => ({ json: { attacks: engine.attacks.list() satisfies StreamView[] } }) },
    {
      method: 'POST',
      path: '/api/attacks',
      body: AttackSpec,
      handler: ({ body }) => ({ status: 201, json: engine.attacks.start(body) }),
    },
    {
      method: 'DELETE',
      path: '/api/attacks/:name',
      handler: ({ params }) => {
        if (!engine.attacks.kindOf(params.name!)) throw new NotFoundError(`attack '${params.name}'`);
        engine.attacks.stop(params.name!);
        return { status: 204 };
      },
    },
  ];
}

/** Every action route. */
export function actionRoutes(engine: Engine): Route[] {
  return [...trafficRoutes(engine), ...faultRoutes(engine), ...attackRoutes(engine)];
}
