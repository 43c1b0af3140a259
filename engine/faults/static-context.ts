/**
 * A {@link CheckContext} predicted from a manifest, so scenario steps are validated before anything
 * starts: the cells and their initial replicas (`<cell>-1…<cell>-N`, as the engine names them).
 */
import type { OrganismSpec } from '../organism/index.ts';
import type { CheckContext } from './types.ts';

export function staticContext(spec: OrganismSpec, ownBus: boolean): CheckContext {
  const byName = new Map(spec.cells.map((c) => [c.name, c]));
  return {
    ownBus,
    cells: {
      has: (name) => byName.has(name),
      get: (name) => {
        const cell = byName.get(name)!;
        return {
          name,
          spec: cell,
          replicas: Array.from({ length: cell.replicas }, (_, i) => ({ id: `${name}-${i + 1}`, state: 'ready' })),
        };
      },
      cells: spec.cells,
    },
  };
}
