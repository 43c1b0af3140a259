/**
 * Training the request-rate forecaster (engine/scaling/forecast-model.ts) on per-minute traces:
 * windows, the linear autoregression baselines, and Adam on the skip + ReLU network.
 */
import { Rng } from '../../engine/clock.ts';
import {
  clockFeatures,
  emptyWeights,
  headOutput,
  hiddenLayer,
  inputRow,
  inputWidth,
  type ForecastHead,
  type ForecastWeights,
} from '../../engine/scaling/index.ts';
import { minuteOfDay, type Trace } from '../../engine/traces/index.ts';
import { NormalEquations } from './linalg.ts';

/** One training example: the trace and the first forecast minute t (history is [t−N, t)). */
export interface Window {
  trace: Trace;
  t: number;
}

/** Windows whose history and targets lie in `[from, to)` and outside every gap. */
export function windows(trace: Trace, from: number, to: number, history: number, horizon: number): Window[] {
  const out: Window[] = [];
  // prefix sums of validity make "all minutes valid" O(1)
  const ok = new Int32Array(trace.counts.length + 1);
  for (let i = 0; i < trace.counts.length; i++) ok[i + 1] = ok[i]! + trace.valid[i]!;
  for (let t = Math.max(from + history, history); t + horizon <= Math.min(to, trace.counts.length); t++)
    if (ok[t + horizon]! - ok[t - history]! === history + horizon) out.push({ trace, t });
  return out;
}

/** The history slice of a window (oldest first). */
export function historyOf(w: Window, n: number): Float64Array {
  return w.trace.counts.subarray(w.t - n, w.t);
}

/** The clock features of a window's last observed minute. */
export function clockOf(w: Window): Float64Array {
  return clockFeatures(minuteOfDay(w.trace, w.t - 1));
}

/** A fitted linear AR on raw counts: y[t+h] = a_h + Σ b_{h,i} c[t−N+i] (direct, per horizon). */
export interface LinearAr {
  history: number;
  horizon: number;
  coef: Float64Array; // [(N+1), H], last row is the intercept
}

/** Fits the raw-count linear AR by ridge least squares. */
export function fitLinearAr(train: Window[], history: number, horizon: number, lambda = 1): LinearAr {
  const ne = new NormalEquations(history + 1, horizon);
  const x = new Float64Array(history + 1);
  for (const w of train) {
    x.set(historyOf(w, history));
    x[history] = 1;
    ne.add(x, w.trace.counts.subarray(w.t, w.t + horizon));
  }
  return { history, horizon, coef: ne.solve(lambda) };
}

/** Forecast of the raw-count AR. */
export function predictLinearAr(m: LinearAr, hist: ArrayLike<number>): Float64Array {
  const out = new Float64Array(m.horizon);
  for (let o = 0; o < m.horizon; o++) {
    let s = m.coef[m.history * m.horizon + o]!;
    for (let i = 0; i < m.history; i++) s += hist[i]! * m.coef[i * m.horizon + o]!;
    out[o] = Math.max(0, s);
  }
  return out;
}

/** Training knobs. */
export interface TrainOptions {
  history: number;
  horizon: number;
  hidden: number;
  /** Percentiles (0–1) to give their own head besides the mean. */
  quantiles: number[];
  epochs: number;
  batch: number;
  learningRate: number;
  weightDecay: number;
  /** Sample weight ∝ level^p: 2 weighs errors as raw squared counts, 0 as relative ones. */
  levelPower: number;
  seed: number;
  /** Called after each epoch of each head with its validation loss relative to the linear start. */
  onEpoch?: (head: string, epoch: number, valLoss: number) => void;
}

interface Prepared {
  z: Float64Array[];
  y: Float64Array[];
  weight: Float64Array;
}

function prepare(ws: Window[], o: TrainOptions): Prepared {
  const z: Float64Array[] = [];
  const y: Float64Array[] = [];
  const weight = new Float64Array(ws.length);
  ws.forEach((w, n) => {
    const row = new Float64Array(inputWidth(o.history));
    const level = inputRow(historyOf(w, o.history), clockOf(w), row);
    z.push(row);
    y.push(w.trace.counts.slice(w.t, w.t + o.horizon).map((v) => v / level));
    weight[n] = level ** o.levelPower;
  });
  const mean = weight.reduce((a, b) => a + b, 0) / Math.max(1, weight.length);
  for (let i = 0; i < weight.length; i++) weight[i]! /= mean;
  return { z, y, weight };
}

/**
 * Starting point of every head's skip path: weighted least squares of the normalised targets on z;
 * a quantile head's intercepts are then shifted by that quantile of the residuals.
 */
export function fitSkips(w: ForecastWeights, data: Prepared, lambda = 1e-3): void {
  const d = inputWidth(w.history);
  const ne = new NormalEquations(d + 1, w.horizon);
  const x = new Float64Array(d + 1);
  data.z.forEach((z, n) => {
    x.set(z);
    x[d] = 1;
    ne.add(x, data.y[n]!, data.weight[n]);
  });
  const coef = ne.solve(lambda * data.z.length);
  const mean = w.heads[0]!;
  for (const head of w.heads) {
    head.skipW.set(coef.subarray(0, d * w.horizon));
    head.skipB.set(coef.subarray(d * w.horizon));
  }
  const h = new Float64Array(w.hidden);
  const fit = new Float64Array(w.horizon);
  const residuals = Array.from({ length: w.horizon }, () => new Float64Array(data.z.length));
  data.z.forEach((z, n) => {
    headOutput(w, mean, z, h, fit); // h is zero here: this is the skip path alone
    for (let o = 0; o < w.horizon; o++) residuals[o]![n] = data.y[n]![o]! - fit[o]!;
  });
  for (const head of w.heads) {
    if (head.quantile === null) continue;
    for (let o = 0; o < w.horizon; o++) {
      const sorted = residuals[o]!.slice().sort();
      head.skipB[o]! += sorted[Math.floor(head.quantile * (sorted.length - 1))]!;
    }
  }
}

/** Per-head loss: squared error for the mean head, pinball loss for a quantile head. */
function headLoss(q: number | null, y: number, target: number): number {
  if (q === null) return (y - target) ** 2;
  const u = target - y;
  return u >= 0 ? q * u : (q - 1) * u;
}

function headGrad(q: number | null, y: number, target: number): number {
  if (q === null) return 2 * (y - target);
  return target < y ? 1 - q : -q;
}

interface Scratch {
  h: Float64Array;
  y: Float64Array;
  dh: Float64Array;
}

function scratch(w: ForecastWeights): Scratch {
  return { h: new Float64Array(w.hidden), y: new Float64Array(w.horizon), dh: new Float64Array(w.hidden) };
}

/** Mean loss of one head over a data set. */
function headLossOver(w: ForecastWeights, head: ForecastHead, data: Prepared, buf: Scratch): number {
  let total = 0;
  data.z.forEach((z, n) => {
    hiddenLayer(w, head, z, buf.h);
    headOutput(w, head, z, buf.h, buf.y);
    let s = 0;
    for (let o = 0; o < w.horizon; o++) s += headLoss(head.quantile, buf.y[o]!, data.y[n]![o]!);
    total += (data.weight[n]! * s) / w.horizon;
  });
  return total / Math.max(1, data.z.length);
}

/** A head's trainable arrays, in a fixed order (gradients and Adam moments mirror it). */
function params(head: ForecastHead): Float64Array[] {
  return [head.w1, head.b1, head.skipW, head.skipB, head.w2, head.b2];
}

/** Weight decay applies to the two matrices of the ReLU path (w1, w2). */
const DECAYS = [true, false, false, false, true, false];

/** Adds one example's gradient of weight·mean(loss) to `g` (laid out like {@link params}). */
function backprop(
  w: ForecastWeights,
  head: ForecastHead,
  z: Float64Array,
  target: Float64Array,
  weight: number,
  g: Float64Array[],
  buf: Scratch,
): void {
  const d = inputWidth(w.history);
  const [gW1, gB1, gSkipW, gSkipB, gW2, gB2] = g as [
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
  ];
  const { h, y, dh } = buf;
  hiddenLayer(w, head, z, h);
  headOutput(w, head, z, h, y);
  dh.fill(0);
  for (let o = 0; o < w.horizon; o++) {
    const dy = (weight * headGrad(head.quantile, y[o]!, target[o]!)) / w.horizon;
    gSkipB[o]! += dy;
    gB2[o]! += dy;
    for (let i = 0; i < d; i++) gSkipW[i * w.horizon + o]! += z[i]! * dy;
    for (let k = 0; k < w.hidden; k++) {
      gW2[k * w.horizon + o]! += h[k]! * dy;
      dh[k]! += head.w2[k * w.horizon + o]! * dy;
    }
  }
  for (let k = 0; k < w.hidden; k++) {
    if (h[k]! <= 0) continue;
    gB1[k]! += dh[k]!;
    for (let i = 0; i < d; i++) gW1[i * w.hidden + k]! += z[i]! * dh[k]!;
  }
}

/** Adam over a list of parameter arrays. */
class Adam {
  readonly #m: Float64Array[];
  readonly #v: Float64Array[];
  #step = 0;
  constructor(ps: Float64Array[]) {
    this.#m = ps.map((p) => new Float64Array(p.length));
    this.#v = ps.map((p) => new Float64Array(p.length));
  }

  apply(ps: Float64Array[], gs: Float64Array[], scale: number, lr: number, decay: number): void {
    this.#step++;
    const c1 = 1 - 0.9 ** this.#step;
    const c2 = 1 - 0.999 ** this.#step;
    ps.forEach((p, k) => {
      const m = this.#m[k]!;
      const v = this.#v[k]!;
      const g = gs[k]!;
      const wd = DECAYS[k] ? decay : 0;
      for (let i = 0; i < p.length; i++) {
        const grad = g[i]! * scale + wd * p[i]!;
        m[i] = 0.9 * m[i]! + 0.1 * grad;
        v[i] = 0.999 * v[i]! + 0.001 * grad * grad;
        p[i]! -= (lr * (m[i]! / c1)) / (Math.sqrt(v[i]! / c2) + 1e-8);
      }
      g.fill(0);
    });
  }
}

function copyHead(h: ForecastHead): ForecastHead {
  return {
    ...h,
    ...Object.fromEntries(['w1', 'b1', 'skipW', 'skipB', 'w2', 'b2'].map((k) => [k, Float64Array.from(h[k as 'w1'])])),
  };
}

/** What training reports per head. */
export interface HeadReport {
  name: string;
  bestEpoch: number;
  /** Validation loss of the best epoch relative to the linear start (epoch 0). */
  relativeValLoss: number;
}

/** Trains one head with Adam; returns its best-on-validation copy. */
function trainHead(
  w: ForecastWeights,
  head: ForecastHead,
  tr: Prepared,
  va: Prepared,
  o: TrainOptions,
  rng: Rng,
): { head: ForecastHead; report: HeadReport } {
  const buf = scratch(w);
  const baseVal = headLossOver(w, head, va, buf);
  let best = { head: copyHead(head), loss: baseVal, epoch: 0 };
  const ps = params(head);
  const gs = ps.map((p) => new Float64Array(p.length));
  const adam = new Adam(ps);
  const order = Int32Array.from({ length: tr.z.length }, (_, i) => i);
  for (let epoch = 1; epoch <= o.epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    const lr = o.learningRate * (0.5 + 0.5 * Math.cos((Math.PI * (epoch - 1)) / o.epochs));
    for (let start = 0; start < order.length; start += o.batch) {
      const end = Math.min(order.length, start + o.batch);
      for (let b = start; b < end; b++) backprop(w, head, tr.z[order[b]!]!, tr.y[order[b]!]!, tr.weight[order[b]!]!, gs, buf);
      adam.apply(ps, gs, 1 / (end - start), lr, o.weightDecay);
    }
    const valLoss = headLossOver(w, head, va, buf);
    o.onEpoch?.(head.name, epoch, valLoss / baseVal);
    if (valLoss < best.loss) best = { head: copyHead(head), loss: valLoss, epoch };
  }
  return { head: best.head, report: { name: head.name, bestEpoch: best.epoch, relativeValLoss: best.loss / baseVal } };
}

/**
 * Trains the forecaster: every head's skip path starts at the weighted least-squares AR fit, then
 * Adam trains each head (its own ReLU path) and keeps the epoch with the lowest validation loss —
 * epoch 0 is the plain linear fit, so no head ends worse than it on validation.
 */
export function trainForecaster(
  train: Window[],
  val: Window[],
  o: TrainOptions,
): { weights: ForecastWeights; heads: HeadReport[] } {
  const rng = new Rng(o.seed);
  const w = emptyWeights(o.history, o.horizon, o.hidden, o.quantiles, () => rng.next());
  const tr = prepare(train, o);
  const va = prepare(val, o);
  fitSkips(w, tr);
  const trained = w.heads.map((head) => trainHead(w, head, tr, va, o, rng.fork(head.name)));
  return { weights: { ...w, heads: trained.map((t) => t.head) }, heads: trained.map((t) => t.report) };
}
