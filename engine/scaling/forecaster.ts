/**
 * The ONNX request-rate forecaster behind a small interface: per-minute rate histories in,
 * per-minute forecasts out, every cell of a sync in one batch.
 */
import { OnnxModel } from '../models/index.ts';
import { clockFeatures } from './forecast-model.ts';
import type { Forecast } from './policies.ts';
import { rootPath } from '../util/paths.ts';

/** The forecaster shipped in models/ (trained by models/train-forecast.ts). */
export const DEFAULT_FORECAST_MODEL = rootPath('models', 'forecast.onnx');

/** One cell's input: its last N completed minutes (req/s, oldest first) ending at epoch minute `lastMinute`. */
export interface ForecastRequest {
  history: ArrayLike<number>;
  lastMinute: number;
}

/** Predicts the next minutes' request rates from the last ones. */
export interface Forecaster {
  /** Minutes of history each request must carry. */
  readonly history: number;
  /** Minutes ahead each forecast covers. */
  readonly horizon: number;
  forecast(requests: ForecastRequest[]): Promise<Forecast[]>;
  close(): Promise<void>;
}

/** Local minute of the day of an epoch minute. */
export function localMinuteOfDay(epochMinute: number, utcOffsetMinutes: number): number {
  return (((epochMinute + utcOffsetMinutes) % 1440) + 1440) % 1440;
}

/** The forecaster run by onnxruntime: one model load, batched inference. */
export class OnnxForecaster implements Forecaster {
  readonly history: number;
  readonly horizon: number;
  readonly #model: OnnxModel;
  readonly #utcOffsetMinutes: number;

  private constructor(model: OnnxModel, history: number, horizon: number, utcOffsetMinutes: number) {
    this.#model = model;
    this.history = history;
    this.horizon = horizon;
    this.#utcOffsetMinutes = utcOffsetMinutes;
  }

  /**
   * Loads a forecaster model. `utcOffsetMinutes` places the engine clock in local time for the
   * time-of-day input (the machine's own offset by default; a trace's when replaying one).
   */
  static async load(file = DEFAULT_FORECAST_MODEL, options: { utcOffsetMinutes?: number } = {}): Promise<OnnxForecaster> {
    const model = await OnnxModel.load(file);
    const history = model.inputs.find((p) => p.name === 'history')?.shape[1];
    const horizon = model.outputs.find((p) => p.name === 'forecast')?.shape[1];
    if (typeof history !== 'number' || typeof horizon !== 'number') {
      await model.close();
      throw new TypeError(`${file}: not a forecaster (needs inputs history [batch, N], clock and output forecast [batch, H])`);
    }
    const offset = options.utcOffsetMinutes ?? -new Date().getTimezoneOffset();
    return new OnnxForecaster(model, history, horizon, offset);
  }

  async forecast(requests: ForecastRequest[]): Promise<Forecast[]> {
    if (requests.length === 0) return [];
    const clock = requests.map((r) => clockFeatures(localMinuteOfDay(r.lastMinute, this.#utcOffsetMinutes)));
    const out = await this.#model.runRows({ history: requests.map((r) => r.history), clock });
    return requests.map((r, i) => ({
      firstMinute: r.lastMinute + 1,
      heads: Object.fromEntries(Object.entries(out).map(([name, rows]) => [name, rows[i]!])),
    }));
  }

  close(): Promise<void> {
    return this.#model.close();
  }
}
