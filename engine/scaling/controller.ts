/**
 * The scaling controller: the thin stateful shell around the pure policies. It keeps a metric
 * window per cell from the 1 Hz frames, and at every sync period (15 s, like
 * `--horizontal-pod-autoscaler-sync-period`) observes each cell, asks the forecaster for the
 * predictive cells (one batch, once per minute), runs the cell's policy, publishes the decision and
 * applies it through `scale`.
 *
 * The live engine and the fast-forward simulator drive this same class; only the clock, the frame
 * source and the `scale` function differ.
 */
import type { MetricsFrame } from '../api/schema.ts';
import type { Clock, TimerHandle } from '../clock.ts';
import { drop } from '../errors.ts';
import type { CellSpec } from '../organism/index.ts';
import type { Forecaster } from './forecaster.ts';
import { decide, policyConfig, type ControllerSettings, type Forecast, type PolicyConfig, type PolicyState } from './policies.ts';
import type { ScalingDecision } from './types.ts';
import { MetricWindows } from './window.ts';

/** A cell under control: its spec and the replica count it is currently asked to run. */
export interface ControlledCell {
  spec: CellSpec;
  replicas: number;
}

/** Options of {@link ScalingController}. */
export interface ScalingControllerOptions {
  clock: Clock;
  /** The cells to control, read at every sync (cells come and go). */
  cells: () => Iterable<ControlledCell>;
  /** Applies a decision (the engine: `cell.scale(n, reason)`). */
  scale: (cell: string, replicas: number, reason: string) => void;
  /** Publishes `scaling.decided` / `scaling.replicas-changed` (the engine's EventSink). */
  emit?: (type: 'scaling.decided' | 'scaling.replicas-changed', data: Record<string, unknown>, cell: string) => void;
  /** The forecaster for predictive cells; without one they scale reactively. */
  forecaster?: Forecaster;
  settings?: ControllerSettings;
  /**
   * Fewest completed minutes a forecast needs (default 10). Shorter histories than the model's
   * are padded with their oldest minute: a young cell gets a cautious forecast rather than none.
   */
  minHistoryMinutes?: number;
  /** Decisions kept per cell for the API and UI (default 100). */
  keepDecisions?: number;
  /** Told when a sync fails (the engine logger); the controller keeps running. */
  onError?: (err: unknown) => void;
}

interface CellControl {
  state: PolicyState;
  forecast?: Forecast;
  targetOverride?: number;
  decisions: ScalingDecision[];
}

/**
 * Drives every cell's scaling policy from metrics frames.
 *
 * @example Wiring into the live engine (engine.ts):
 * ```ts
 * const forecaster = spec.cells.some((c) => c.scaling.policy === 'predictive')
 *   ? await OnnxForecaster.load(undefined) // models/forecast.onnx, local time of day
 *   : undefined;
 * const scaling = new ScalingController({
 *   clock: this.clock,
 *   cells: () => this.cells.cells.map((c) => ({ spec: c.spec, replicas: c.desired })),
 *   scale: (cell, n, reason) => this.cells.has(cell) && this.cells.scale(cell, n, reason),
 *   emit: (type, data, cell) => this.events.emit(type, data, { cell }),
 *   forecaster,
 *   onError: (err) => this.logger.error('scaling sync failed', { err }),
 * });
 * this.collector.onFrame((f) => scaling.onFrame(f));
 * scaling.start(abortSignal);
 * // the built-in signal scaling.<cell>.targetUtilization → scaling.setTarget(cell, value)
 * ```
 */
export class ScalingController {
  readonly windows = new MetricWindows();
  readonly #o: ScalingControllerOptions;
  readonly #cells = new Map<string, CellControl>();
  #timer: TimerHandle | undefined;
  #syncing = false;

  constructor(options: ScalingControllerOptions) {
    this.#o = options;
  }

  /** The sync period in engine milliseconds. */
  get syncPeriodMs(): number {
    return this.#o.settings?.syncPeriodMs ?? 15_000;
  }

  /** Feeds one metrics frame (wire to `MetricsCollector.onFrame`). */
  onFrame(frame: MetricsFrame): void {
    this.windows.ingest(frame);
  }

  /** Starts syncing every period on the clock; stops on `signal` abort or {@link stop}. */
  start(signal?: AbortSignal): void {
    if (this.#timer) return;
    this.#timer = this.#o.clock.setInterval(() => {
      if (!this.#syncing) drop(this.sync());
    }, this.syncPeriodMs);
    signal?.addEventListener('abort', () => this.stop(), { once: true });
  }

  /** Stops syncing (decisions in flight finish). */
  stop(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
  }

  /** Overrides a cell's target utilization (the `scaling.<cell>.targetUtilization` signal); null restores the manifest's. */
  setTarget(cell: string, targetUtilization: number | null): void {
    this.#control(cell).targetOverride = targetUtilization ?? undefined;
  }

  /** Recent decisions of a cell, oldest first. */
  decisions(cell: string): readonly ScalingDecision[] {
    return this.#cells.get(cell)?.decisions ?? [];
  }

  /** The last forecast made for a cell (req/s per minute), if any. */
  forecastOf(cell: string): Forecast | undefined {
    return this.#cells.get(cell)?.forecast;
  }

  /** Forgets a removed cell. */
  forget(cell: string): void {
    this.#cells.delete(cell);
    this.windows.delete(cell);
  }

  #control(cell: string): CellControl {
    let c = this.#cells.get(cell);
    if (!c) {
      c = { state: {}, decisions: [] };
      this.#cells.set(cell, c);
    }
    return c;
  }

  #config(cell: ControlledCell): PolicyConfig {
    const cfg = policyConfig(cell.spec, this.#o.settings);
    const override = this.#cells.get(cell.spec.name)?.targetOverride;
    return override === undefined ? cfg : { ...cfg, hpa: { ...cfg.hpa, targetUtilization: override } };
  }

  /** One sync of every cell at `now`; returns the decisions made. */
  async sync(now = this.#o.clock.now()): Promise<ScalingDecision[]> {
    this.#syncing = true;
    try {
      const cells = [...this.#o.cells()].filter((c) => c.spec.scaling.policy !== 'none');
      await this.#refreshForecasts(cells);
      const out: ScalingDecision[] = [];
      for (const cell of cells) out.push(this.#syncCell(cell, now));
      return out;
    } catch (err) {
      this.#o.onError?.(err);
      return [];
    } finally {
      this.#syncing = false;
    }
  }

  #syncCell(cell: ControlledCell, now: number): ScalingDecision {
    const cfg = this.#config(cell);
    const control = this.#control(cell.spec.name);
    const window = this.windows.get(cell.spec.name);
    const obs = window.observe(now, cell.replicas, cfg.hpa.metricWindowMs);
    const step = decide(obs, cfg, control.state, control.forecast);
    control.state = step.state;
    const d = step.decision;
    control.decisions.push(d);
    if (control.decisions.length > (this.#o.keepDecisions ?? 100)) control.decisions.shift();
    this.#o.emit?.('scaling.decided', { ...d }, d.cell);
    if (d.desired !== d.current) {
      this.#o.scale(d.cell, d.desired, `${d.policy}: ${d.reason}`);
      this.#o.emit?.('scaling.replicas-changed', { from: d.current, to: d.desired, policy: d.policy, reason: d.reason }, d.cell);
    }
    return d;
  }

  /** Forecasts, in one batch, every predictive cell whose forecast is older than its last minute. */
  async #refreshForecasts(cells: ControlledCell[]): Promise<void> {
    const f = this.#o.forecaster;
    if (!f) return;
    const due: Array<{ control: CellControl; history: Float64Array; lastMinute: number }> = [];
    for (const cell of cells) {
      if (cell.spec.scaling.policy !== 'predictive') continue;
      const window = this.windows.get(cell.spec.name);
      const control = this.#control(cell.spec.name);
      if (window.lastMinute < 0 || control.forecast?.firstMinute === window.lastMinute + 1) continue;
      const history = this.#history(window.minutesHeld, (n) => window.minuteRates(n), f.history);
      if (history) due.push({ control, history, lastMinute: window.lastMinute });
    }
    if (due.length === 0) return;
    let forecasts: Forecast[];
    try {
      forecasts = await f.forecast(due.map((d) => ({ history: d.history, lastMinute: d.lastMinute })));
    } catch (err) {
      // A broken model must not stop scaling: these cells fall back to the reactive HPA.
      this.#o.onError?.(err);
      for (const d of due) d.control.forecast = undefined;
      return;
    }
    due.forEach((d, i) => (d.control.forecast = forecasts[i]));
  }

  #history(held: number, rates: (n: number) => Float64Array | null, n: number): Float64Array | null {
    if (held < (this.#o.minHistoryMinutes ?? 10)) return null;
    const have = rates(Math.min(held, n));
    if (!have || have.length === n) return have;
    const padded = new Float64Array(n).fill(have[0]!);
    padded.set(have, n - have.length);
    return padded;
  }
}
