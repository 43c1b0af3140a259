/** Routes of scaling: each cell's policy, recent decisions with their reasons, and forecasts. */
import type { Engine } from '../engine.ts';
import { NotFoundError } from '../errors.ts';
import type { Route } from './http.ts';

/** Every scaling route. */
export function scalingRoutes(engine: Engine): Route[] {
  const view = (name: string) => {
    const cell = engine.cells.get(name);
    return {
      cell: name,
      policy: cell.spec.scaling,
      replicas: cell.desired,
      decisions: engine.scaling.decisions(name).slice(-50),
      forecast: engine.scaling.forecastOf(name) ?? null,
    };
  };
  return [
    {
      method: 'GET',
      path: '/api/scaling',
      handler: () => ({
        json: { cells: engine.cells.cells.filter((c) => c.spec.scaling.policy !== 'none').map((c) => view(c.name)) },
      }),
    },
    {
      method: 'GET',
      path: '/api/scaling/:cell',
      handler: ({ params }) => {
        if (!engine.cells.has(params.cell!)) throw new NotFoundError(`cell '${params.cell}'`);
        return { json: view(params.cell!) };
      },
    },
  ];
}
