/**
 * Faults & Attacks: active faults, running traffic and attack streams with their outcomes, and the
 * actions on them. Reloaded on `fault.*`, `attack.*` and `traffic.*` events; outcomes add up from
 * the stream's metric frames.
 */
import type { ApiClient, AttackSpec, FaultSpec, FaultView, StreamView } from '../lib/api/index.ts';
import { addOutcomes, type Outcomes } from '../lib/series.ts';
import type { EngineState } from './engine.svelte.ts';
import { LiveResource } from './live-resource.svelte.ts';

/** The Faults & Attacks view's state. */
export class FaultsState extends LiveResource {
  faults = $state.raw<FaultView[]>([]);
  kinds = $state.raw<Array<{ kind: string; summary: string }>>([]);
  streams = $state.raw<StreamView[]>([]);
  /** Per stream, what its requests came to since this view opened. */
  // Replaced as a whole on each frame, never mutated: a plain map in raw state is enough.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  outcomes = $state.raw<ReadonlyMap<string, Outcomes>>(new Map());
  #lastFrame = 0;

  constructor(engine: EngineState) {
    super(engine);
  }

  protected watches(type: string): boolean {
    return type.startsWith('fault.') || type.startsWith('attack.') || type.startsWith('traffic.');
  }

  protected async fetch(api: ApiClient): Promise<void> {
    const [faults, traffic] = await Promise.all([api.faults(), api.traffic()]);
    this.faults = faults.faults;
    this.kinds = faults.kinds;
    this.streams = traffic.streams;
  }

  /** Adds the latest metrics frame's stream seconds (called by the view on each frame). */
  onFrame(): void {
    const f = this.engine.frame;
    if (!f || f.t <= this.#lastFrame) return;
    this.#lastFrame = f.t;
    if (f.streams.length) this.outcomes = addOutcomes(this.outcomes, f.streams);
  }

  async inject(spec: FaultSpec): Promise<FaultView> {
    const fault = await this.api.injectFault(spec);
    this.faults = [...this.faults.filter((f) => f.id !== fault.id), fault];
    return fault;
  }

  async clear(id: string): Promise<void> {
    await this.api.clearFault(id);
    this.faults = this.faults.filter((f) => f.id !== id);
  }

  async launch(spec: AttackSpec): Promise<StreamView> {
    const stream = await this.api.launchAttack(spec);
    this.streams = [...this.streams.filter((s) => s.name !== stream.name), stream];
    return stream;
  }

  async setRate(name: string, rate: number): Promise<void> {
    const stream = await this.api.setTrafficRate(name, rate);
    this.streams = this.streams.map((s) => (s.name === name ? { ...s, ...stream } : s));
  }

  async stop(stream: StreamView): Promise<void> {
    if (stream.kind === 'traffic') await this.api.stopTraffic(stream.name);
    else await this.api.stopAttack(stream.name);
    this.streams = this.streams.filter((s) => s.name !== stream.name);
  }
}
