/** Routes of scaling: each cell's policy, recent decisions with their reasons, and forecasts. */
import type { Engine } from '../engine.ts';
import { NotFoundError } from '../errors.ts';
import type { Route } from './http.ts';
import type { ForecastView, ScalingCellView, ScalingPage } from './schema.ts';

/** Every scaling route. */
export function scalingRoutes(engine: Engine): Route[] {
  const view = (name: string): ScalingCellView => {
    const cell = engine.cells.get(name);
    const forecast = engine.scaling.forecastOf(name);
    return {
      cell: name,
      policy: cell.spec.scaling,
      replicas: cell.desired,
      decisions: engine.scaling.decisions(name).slice(-50),
      // Heads may be typed arrays, which JSON would write as objects: answer plain arrays.
      forecast: forecast
        ? ({
            firstMinute: forecast.firstMinute,
            heads: Object.fromEntries(Object.entries(forecast.heads).map(([k, v]) => [k, Array.from(v)])),
          } satisfies ForecastView)
        : null,
    };
  };
  return [
    {
      method: 'GET',
      path: '/api/scaling',
      handler: () => ({
        json: {
          cells: engine.cells.cells.filter((c) => c.spec.scaling.policy !== 'none').map((c) => view(c.name)),
        } satisfies ScalingPage,
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
