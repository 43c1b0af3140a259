/** One timeline state per engine, so filters and pause survive switching views. */
import type { EngineState } from './engine.svelte.ts';
import { TimelineState } from './timeline.svelte.ts';

const states = new WeakMap<EngineState, TimelineState>();

/** The engine's timeline state, created on first use. */
export function timelineFor(engine: EngineState): TimelineState {
  let s = states.get(engine);
  if (!s) {
    s = new TimelineState(engine.events);
    states.set(engine, s);
  }
  return s;
}
