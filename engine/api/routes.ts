/** The control API's routes, bound to an {@link Engine}. Each is a thin call into a domain. */
import type { Engine } from '../engine.ts';
import { prometheusText } from '../metrics/index.ts';
import { ValidationError, NotFoundError } from '../errors.ts';
import type { Route } from './http.ts';
import { ScaleBody, SpawnCellBody, type EventsPage, type MetricsPage } from './schema.ts';
import { EVENT_TYPES } from './events.ts';
import { signalRoutes } from './signal-routes.ts';
import { recyclingRoutes } from './recycling-routes.ts';

function intParam(q: URLSearchParams, name: string, { min = 0, max = Number.MAX_SAFE_INTEGER } = {}): number | undefined {
  const raw = q.get(name);
  if (raw === null || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new ValidationError([
      { path: name, message: `must be an integer between ${min} and ${max}, got ${JSON.stringify(raw)}` },
    ]);
  return n;
}

/** Prometheus exposition of an engine. */
export function metricsText(engine: Engine): string {
  const h = engine.health();
  return prometheusText({
    routes: engine.gateway.totals(),
    frame: engine.collector.latest,
    engine: {
      eventsPersisted: engine.persister.persisted,
      eventsPending: engine.events.pending,
      busRestarts: h.bus.restarts,
      busConnected: h.bus.connected,
      uptimeSeconds: h.uptimeMs / 1000,
    },
  });
}

/** Routes of the organism and its cells. */
function cellRoutes(engine: Engine): Route[] {
  return [
    { method: 'GET', path: '/api/health', open: true, handler: () => ({ json: engine.health() }) },
    { method: 'GET', path: '/api/organism', handler: () => ({ json: engine.view() }) },
    { method: 'GET', path: '/api/cells', handler: () => ({ json: engine.view().cells }) },
    {
      method: 'GET',
      path: '/api/cells/:name',
      handler: ({ params }) => {
        const cell = engine.view().cells.find((c) => c.name === params.name);
        if (!cell) throw new NotFoundError(`cell '${params.name}'`);
        const frame = engine.collector.latest;
        return { json: { ...cell, replicaStats: frame?.replicas.filter((r) => r.cell === params.name) ?? [] } };
      },
    },
    {
      method: 'POST',
      path: '/api/cells',
      body: SpawnCellBody,
      handler: async ({ body }) => {
        const cell = await engine.spawnCell(body);
        return { status: 201, json: engine.view().cells.find((c) => c.name === cell.name) };
      },
    },
    {
      method: 'POST',
      path: '/api/cells/:name/scale',
      body: ScaleBody,
      handler: ({ params, body }) => {
        engine.scaleCell(params.name!, (body as ScaleBody).replicas, 'api');
        return { json: engine.view().cells.find((c) => c.name === params.name) };
      },
    },
    {
      method: 'DELETE',
      path: '/api/cells/:name',
      handler: async ({ params }) => {
        await engine.removeCell(params.name!);
        return { status: 204 };
      },
    },
  ];
}

/** Routes of the event log, metrics and recorded runs. */
function recordRoutes(engine: Engine): Route[] {
  return [
    {
      method: 'GET',
      path: '/api/events',
      handler: ({ query }) => {
        const types = query
          .getAll('type')
          .flatMap((t) => t.split(','))
          .filter(Boolean);
        const unknown = types.filter((t) => !(EVENT_TYPES as readonly string[]).includes(t));
        if (unknown.length)
          throw new ValidationError([{ path: 'type', message: `unknown event type(s): ${unknown.join(', ')}` }]);
        const events = engine.eventsRepo.query({
          runId: intParam(query, 'run'),
          afterSeq: intParam(query, 'after'),
          beforeSeq: intParam(query, 'before'),
          types,
          domain: query.get('domain') ?? undefined,
          cell: query.get('cell') ?? undefined,
          text: query.get('q') ?? undefined,
          limit: intParam(query, 'limit', { min: 1, max: 10_000 }) ?? 500,
          order: query.get('order') === 'desc' ? 'desc' : 'asc',
        });
        const page: EventsPage = { events, lastSeq: engine.persister.lastSeq };
        return { json: page };
      },
    },
    {
      method: 'GET',
      path: '/api/metrics',
      handler: ({ query }) => {
        const page: MetricsPage = { frames: engine.collector.frames(intParam(query, 'since')) };
        return { json: page };
      },
    },
    {
      method: 'GET',
      path: '/api/metrics/rollups',
      handler: ({ query }) => {
        const scope = query.get('scope');
        if (scope && !['route', 'cell', 'stream', 'edge'].includes(scope))
          throw new ValidationError([{ path: 'scope', message: 'must be one of route, cell, stream, edge' }]);
        const rows = engine.metricsRepo.query({
          runId: intParam(query, 'run') ?? engine.runId,
          scope: (scope ?? undefined) as 'route' | undefined,
          key: query.get('key') ?? undefined,
          from: intParam(query, 'from'),
          to: intParam(query, 'to'),
        });
        return { json: { rows: rows.map(({ hist: _h, ...r }) => r) } };
      },
    },
    { method: 'GET', path: '/api/runs', handler: () => ({ json: { runs: engine.runs.list() } }) },
    {
      method: 'GET',
      path: '/api/runs/:id',
      handler: ({ params }) => {
        const id = Number(params.id);
        const run = Number.isInteger(id) ? engine.runs.get(id) : undefined;
        if (!run) throw new NotFoundError(`run '${params.id}'`);
        return { json: run };
      },
    },
  ];
}

/** Routes of the organism, cells, events, metrics, runs and signals. */
export function coreRoutes(engine: Engine): Route[] {
  return [...cellRoutes(engine), ...recordRoutes(engine), ...signalRoutes(engine), ...recyclingRoutes(engine)];
}
