/** Routes of the immune system: incidents, quarantines (with release), memory, and its figures. */
import type { Engine } from '../engine.ts';
import { NotFoundError } from '../errors.ts';
import { Type } from '@sinclair/typebox';
import type { Route } from './http.ts';

/** Every immune route. */
export function immuneRoutes(engine: Engine): Route[] {
  return [
    {
      method: 'GET',
      path: '/api/incidents',
      handler: ({ query }) => ({ json: { incidents: engine.immune.incidents.list(Number(query.get('limit') ?? 100) || 100) } }),
    },
    { method: 'GET', path: '/api/quarantines', handler: () => ({ json: { quarantines: engine.immune.quarantines.list() } }) },
    {
      method: 'DELETE',
      path: '/api/quarantines/:id',
      handler: ({ params }) => {
        if (!engine.immune.quarantines.release(params.id!, 'user')) throw new NotFoundError(`quarantine '${params.id}'`);
        return { status: 204 };
      },
    },
    {
      method: 'GET',
      path: '/api/immune',
      handler: () => {
        const spec = engine.organism.spec.immune;
        return {
          json: {
            enabled: engine.immune.enabled,
            limits: { perClientRps: engine.immune.rateLimit.perClientRps ?? null, escalateAfter: spec.rateLimit.escalateAfter },
            waf: { ...engine.immune.waf.config, stats: engine.immune.waf.stats() },
            anomaly: spec.anomaly,
            issuer: engine.immune.issuer.discovery(),
            memory: engine.immune.memory.list().slice(0, 200),
            quarantines: engine.immune.quarantines.list().length,
          },
        };
      },
    },
    {
      method: 'PUT',
      path: '/api/immune',
      body: Type.Object({ enabled: Type.Boolean() }, { additionalProperties: false }),
      handler: ({ body }) => {
        engine.immune.setEnabled((body as { enabled: boolean }).enabled);
        engine.events.emit('immune.switched', { enabled: engine.immune.enabled });
        return { json: { enabled: engine.immune.enabled } };
      },
    },
    {
      method: 'DELETE',
      path: '/api/immune/memory/:fingerprint',
      handler: ({ params }) => {
        if (!engine.immune.memory.forget(params.fingerprint!))
          throw new NotFoundError(`remembered fingerprint '${params.fingerprint}'`);
        return { status: 204 };
      },
    },
  ];
}
