/** Routes of the recycling jobs: list, run now, pause, resume, history. */
import type { Engine } from '../engine.ts';
import { ValidationError } from '../errors.ts';
import type { Route } from './http.ts';
import { RunJobBody, type JobRunsPage, type JobsPage } from './schema.ts';

function intQuery(q: URLSearchParams, name: string, min: number, max: number): number | undefined {
  const raw = q.get(name);
  if (raw === null || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new ValidationError([
      { path: name, message: `must be an integer between ${min} and ${max}, got ${JSON.stringify(raw)}` },
    ]);
  return n;
}

/** `GET /api/jobs`, `GET /api/jobs/:name`, `POST /api/jobs/:name/{run,pause,resume}`, `GET /api/jobs/:name/runs`. */
export function recyclingRoutes(engine: Engine): Route[] {
  return [
    { method: 'GET', path: '/api/jobs', handler: () => ({ json: { jobs: engine.recycling.list() } satisfies JobsPage }) },
    { method: 'GET', path: '/api/jobs/:name', handler: ({ params }) => ({ json: engine.recycling.view(params.name!) }) },
    {
      method: 'POST',
      path: '/api/jobs/:name/run',
      body: RunJobBody,
      handler: async ({ params, body }) => {
        const wait = (body as RunJobBody | undefined)?.wait ?? false;
        const run = await engine.recycling.run(params.name!, { wait });
        return { status: wait ? 200 : 202, json: run };
      },
    },
    { method: 'POST', path: '/api/jobs/:name/pause', handler: ({ params }) => ({ json: engine.recycling.pause(params.name!) }) },
    {
      method: 'POST',
      path: '/api/jobs/:name/resume',
      handler: ({ params }) => ({ json: engine.recycling.resume(params.name!) }),
    },
    {
      method: 'GET',
      path: '/api/jobs/:name/runs',
      handler: ({ params, query }) => {
        const page: JobRunsPage = engine.recycling.runs(params.name!, {
          limit: intQuery(query, 'limit', 1, 10_000) ?? 100,
          before: intQuery(query, 'before', 1, Number.MAX_SAFE_INTEGER),
          runId: intQuery(query, 'run', 1, Number.MAX_SAFE_INTEGER),
        });
        return { json: page };
      },
    },
  ];
}
