/**
 * The request-rate forecaster's model: its features, its weights, the TypeScript reference forward
 * pass, and the ONNX graph that computes exactly the same thing.
 *
 * Shape of the model (one row per cell):
 * - inputs: `history` [batch, N], the last N per-minute rates, oldest first (any unit: the model
 *   is scale-free); `clock` [batch, 2], sin and cos of the local time of day of the last minute;
 * - level = mean(history) + ε; x = history / level, so a cell at 5 req/s and one at 5,000 req/s
 *   look the same and one model serves every cell and every scaling of a trace;
 * - z = [x, clock]; per head, y = z·Wₛ + bₛ + relu(z·W₁ + b₁)·W₂ + b₂ — a linear
 *   autoregression plus a small ReLU correction (the skip path starts at the least-squares fit, the
 *   correction at zero, so training starts exactly at linear AR); output = relu(y)·level.
 * Heads: `forecast`, the expected rate of each of the next H minutes (squared loss), and `qNN`,
 * its NN-th percentile (pinball loss) — the bursts a point forecast averages away, which is what
 * capacity has to absorb.
 */
import { attr, GraphBuilder, type DecodedModel, type ModelObject } from '../models/index.ts';

/** Added to the level so an idle history (all zeros) does not divide by zero. */
export const LEVEL_EPSILON = 1e-3;

/** Number of clock features: sin and cos of the minute of the day. */
export const CLOCK_FEATURES = 2;

/** One output of the forecaster. */
export interface ForecastHead {
  /** ONNX output name: `forecast` for the mean, `q95` for the 95th percentile. */
  name: string;
  /** The percentile this head predicts (0–1), or null for the mean. */
  quantile: number | null;
  w1: Float64Array;
  b1: Float64Array;
  skipW: Float64Array;
  skipB: Float64Array;
  w2: Float64Array;
  b2: Float64Array;
}

/** Weights of the forecaster (row-major matrices [in, out]). */
export interface ForecastWeights {
  /** Minutes of history the model reads (N). */
  history: number;
  /** Minutes ahead it predicts (H). */
  horizon: number;
  /** Hidden units of each head's ReLU correction. */
  hidden: number;
  heads: ForecastHead[];
}

/** The output name of a quantile head: 0.95 → `q95`. */
export function quantileHeadName(q: number): string {
  return `q${Math.round(q * 100)}`;
}

/** Time-of-day features of a local minute of the day (0–1439). */
export function clockFeatures(minuteOfDay: number, out = new Float64Array(CLOCK_FEATURES)): Float64Array {
  const angle = (2 * Math.PI * minuteOfDay) / 1440;
  out[0] = Math.sin(angle);
  out[1] = Math.cos(angle);
  return out;
}

/** The model's input width: N normalised lags plus the clock features. */
export function inputWidth(history: number): number {
  return history + CLOCK_FEATURES;
}

/** The level a history is normalised by. */
export function historyLevel(history: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < history.length; i++) sum += history[i]!;
  return sum / Math.max(1, history.length) + LEVEL_EPSILON;
}

/** Writes the normalised input row z = [history / level, clock] into `out`; returns the level. */
export function inputRow(history: ArrayLike<number>, clock: ArrayLike<number>, out: Float64Array): number {
  const level = historyLevel(history);
  for (let i = 0; i < history.length; i++) out[i] = history[i]! / level;
  for (let j = 0; j < clock.length; j++) out[history.length + j] = clock[j]!;
  return level;
}

/** A head's hidden activations relu(z·W₁ + b₁) into `h`. */
export function hiddenLayer(w: ForecastWeights, head: ForecastHead, z: ArrayLike<number>, h: Float64Array): void {
  const d = inputWidth(w.history);
  for (let k = 0; k < w.hidden; k++) {
    let s = head.b1[k]!;
    for (let i = 0; i < d; i++) s += z[i]! * head.w1[i * w.hidden + k]!;
    h[k] = s > 0 ? s : 0;
  }
}

/** One head's normalised output y (before relu and de-normalisation) into `out`. */
export function headOutput(
  w: ForecastWeights,
  head: ForecastHead,
  z: ArrayLike<number>,
  h: ArrayLike<number>,
  out: Float64Array,
): void {
  const d = inputWidth(w.history);
  for (let o = 0; o < w.horizon; o++) {
    let s = head.skipB[o]! + head.b2[o]!;
    for (let i = 0; i < d; i++) s += z[i]! * head.skipW[i * w.horizon + o]!;
    for (let k = 0; k < w.hidden; k++) s += h[k]! * head.w2[k * w.horizon + o]!;
    out[o] = s;
  }
}

/** The reference forward pass: each head's forecast (same unit as `history`) for the next H minutes. */
export function forecastReference(
  w: ForecastWeights,
  history: ArrayLike<number>,
  minuteOfDay: number,
): Record<string, Float64Array> {
  if (history.length !== w.history) throw new RangeError(`history has ${history.length} minutes, the model reads ${w.history}`);
  const z = new Float64Array(inputWidth(w.history));
  const level = inputRow(history, clockFeatures(minuteOfDay), z);
  const h = new Float64Array(w.hidden);
  const out: Record<string, Float64Array> = {};
  for (const head of w.heads) {
    hiddenLayer(w, head, z, h);
    const y = new Float64Array(w.horizon);
    headOutput(w, head, z, h, y);
    out[head.name] = y.map((v) => Math.max(0, v) * level);
  }
  return out;
}

/** Fresh weights: zero skip paths and output layers, small seeded hidden layers. */
export function emptyWeights(
  history: number,
  horizon: number,
  hidden: number,
  quantiles: number[],
  random: () => number,
): ForecastWeights {
  const d = inputWidth(history);
  const scale1 = Math.sqrt(2 / d);
  const gauss = (): number => {
    const u = 1 - random();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  };
  const head = (name: string, quantile: number | null): ForecastHead => ({
    name,
    quantile,
    w1: Float64Array.from({ length: d * hidden }, () => gauss() * scale1),
    b1: new Float64Array(hidden),
    skipW: new Float64Array(d * horizon),
    skipB: new Float64Array(horizon),
    w2: new Float64Array(hidden * horizon),
    b2: new Float64Array(horizon),
  });
  return {
    history,
    horizon,
    hidden,
    heads: [head('forecast', null), ...quantiles.map((q) => head(quantileHeadName(q), q))],
  };
}

/** The ONNX graph of the forecaster: the same arithmetic as {@link forecastReference}, batched. */
export function forecastGraph(w: ForecastWeights, metadata: Record<string, string> = {}): ModelObject {
  const g = new GraphBuilder('petri-forecast');
  const history = g.input('history', ['batch', w.history]);
  const clock = g.input('clock', ['batch', CLOCK_FEATURES]);
  const mean = g.op('ReduceMean', [history], { axes: attr.ints([1]), keepdims: attr.int(1) });
  const level = g.op('Add', [mean, g.constant('epsilon', [LEVEL_EPSILON], [1])]);
  const z = g.op('Concat', [g.op('Div', [history, level]), clock], { axis: attr.int(1) });
  const d = inputWidth(w.history);
  for (const head of w.heads) {
    const hidden = g.op('Relu', [g.linear(z, `${head.name}.hidden`, head.w1, head.b1, d, w.hidden)]);
    const skip = g.linear(z, `${head.name}.skip`, head.skipW, head.skipB, d, w.horizon);
    const correction = g.linear(hidden, `${head.name}.out`, head.w2, head.b2, w.hidden, w.horizon);
    const y = g.op('Relu', [g.op('Add', [skip, correction])]);
    g.output(head.name, ['batch', w.horizon]);
    g.op('Mul', [y, level], {}, head.name);
  }
  const quantiles = w.heads.filter((h) => h.quantile !== null).map((h) => `${h.name}=${h.quantile}`);
  return g.model({
    docString: 'Petri request-rate forecaster: the next H per-minute rates from the last N (see models/README.md).',
    metadata: {
      history: String(w.history),
      horizon: String(w.horizon),
      hidden: String(w.hidden),
      quantiles: quantiles.join(','),
      ...metadata,
    },
  });
}

/**
 * Rebuilds the weights from a decoded forecaster file (its initializers and metadata), so tests
 * and tools can run the TypeScript reference on exactly what onnxruntime runs.
 */
export function weightsFromModel(model: DecodedModel): ForecastWeights {
  const meta = model.metadata;
  const history = Number(meta['history']);
  const horizon = Number(meta['horizon']);
  const hidden = Number(meta['hidden']);
  const quantiles = (meta['quantiles'] ?? '')
    .split(',')
    .filter(Boolean)
    .map((entry) => Number(entry.split('=')[1]));
  const tensor = (name: string): Float64Array => {
    const t = model.initializers[name];
    if (!t) throw new TypeError(`forecaster model has no initializer ${name}`);
    return Float64Array.from(t.data);
  };
  const head = (name: string, quantile: number | null): ForecastHead => ({
    name,
    quantile,
    w1: tensor(`${name}.hidden.weight`),
    b1: tensor(`${name}.hidden.bias`),
    skipW: tensor(`${name}.skip.weight`),
    skipB: tensor(`${name}.skip.bias`),
    w2: tensor(`${name}.out.weight`),
    b2: tensor(`${name}.out.bias`),
  });
  return { history, horizon, hidden, heads: [head('forecast', null), ...quantiles.map((q) => head(quantileHeadName(q), q))] };
}
