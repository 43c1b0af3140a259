/**
 * Scaling: each scaled cell's policy, recent decisions (with reasons and inputs) and forecast.
 * Reloaded on `scaling.*` events; live replicas come from the engine's metric frames.
 */
import type { ApiClient, ScalingCellView } from '../lib/api/index.ts';
import type { EngineState } from './engine.svelte.ts';
import { LiveResource } from './live-resource.svelte.ts';

/** The Scaling view's state. */
export class ScalingState extends LiveResource {
  cells = $state.raw<ScalingCellView[]>([]);

  constructor(engine: EngineState) {
    super(engine);
  }

  protected watches(type: string): boolean {
    return type.startsWith('scaling.');
  }

  protected async fetch(api: ApiClient): Promise<void> {
    this.cells = (await api.scaling()).cells;
  }
}
