/**
 * The side panel's live data for one cell: its replicas' latest stats and a rolling latency
 * histogram, fetched once a second while the panel is open (histograms are not in the stream).
 */
import { describeError } from '../lib/api/index.ts';
import type { ReplicaStats } from '../lib/api/index.ts';
import { LatencyWindow, type LatencyBins } from '../lib/latency-window.ts';
import type { EngineState } from './engine.svelte.ts';

/** Seconds of latency the panel's histogram covers. */
export const HISTOGRAM_SECONDS = 30;

/** Polls one cell's detail. */
export class CellPanelState {
  readonly name: string;
  replicas = $state.raw<ReplicaStats[]>([]);
  bins = $state.raw<LatencyBins | undefined>(undefined);
  error = $state<string | undefined>(undefined);
  busy = $state(false);

  readonly #engine: EngineState;
  readonly #window = new LatencyWindow(HISTOGRAM_SECONDS);
  #timer: ReturnType<typeof setInterval> | undefined;
  #pending: Promise<void> | undefined;

  constructor(engine: EngineState, name: string) {
    this.#engine = engine;
    this.name = name;
  }

  start(): void {
    void this.refresh();
    this.#timer = setInterval(() => void this.refresh(), 1000);
  }

  /** Stops polling; resolves when no request is in flight (before removing the cell). */
  stop(): Promise<void> {
    clearInterval(this.#timer);
    return this.#pending ?? Promise.resolve();
  }

  refresh(): Promise<void> {
    // A removed cell is not asked for (its 404 would be noise in the console).
    if (this.#pending || this.#engine.phase !== 'live' || !this.#engine.cell(this.name)) return Promise.resolve();
    this.#pending = this.#load().finally(() => (this.#pending = undefined));
    return this.#pending;
  }

  async #load(): Promise<void> {
    try {
      const detail = await this.#engine.cellDetail(this.name);
      this.replicas = detail.replicaStats;
      if (detail.t !== undefined && !this.#window.has(detail.t))
        this.#window.add(
          detail.t,
          detail.replicaStats.flatMap((r) => r.histogram ?? []),
        );
      this.bins = this.#window.bins();
      this.error = undefined;
    } catch (err) {
      this.error = describeError(err);
    }
  }
}
