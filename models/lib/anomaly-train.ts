/**
 * Training the anomaly MLP (engine/immune/anomaly/model.ts): weighted binary cross-entropy on
 * labelled windows, Adam with cosine decay, the epoch with the lowest validation loss kept.
 * Plain Float64 arithmetic in a fixed order: the same data and seed give the same weights.
 */
import { Rng } from '../../engine/clock.ts';
import {
  activations,
  FEATURE_COUNT,
  forward,
  initialWeights,
  sigmoid,
  type Activations,
  type AnomalyWeights,
} from '../../engine/immune/anomaly/index.ts';

/** A training example: raw feature vector, target (1 = attack), weight. */
export interface Example {
  x: Float64Array;
  y: number;
  weight: number;
}

/** Training knobs. */
export interface MlpOptions {
  hidden: [number, number];
  epochs: number;
  batch: number;
  learningRate: number;
  weightDecay: number;
  seed: number;
  /**
   * How an epoch's weights are judged (higher is better); the best epoch is kept. Default: minus
   * the validation loss.
   */
  select?: (w: AnomalyWeights) => number;
  onEpoch?: (epoch: number, trainLoss: number, valLoss: number, selected: number) => void;
}

/** Per-feature mean and standard deviation (floored: a constant feature must not divide by zero). */
export function standardisation(xs: Float64Array[]): { mean: Float64Array; std: Float64Array } {
  const mean = new Float64Array(FEATURE_COUNT);
  const std = new Float64Array(FEATURE_COUNT);
  for (const x of xs) for (let i = 0; i < FEATURE_COUNT; i++) mean[i]! += x[i]! / xs.length;
  for (const x of xs) for (let i = 0; i < FEATURE_COUNT; i++) std[i]! += (x[i]! - mean[i]!) ** 2 / xs.length;
  for (let i = 0; i < FEATURE_COUNT; i++) std[i] = Math.max(0.01, Math.sqrt(std[i]!));
  return { mean, std };
}

function params(w: AnomalyWeights): Float64Array[] {
  return [w.w1, w.b1, w.w2, w.b2, w.w3, w.b3];
}
const DECAYS = [true, false, true, false, true, false];

/** Weighted cross-entropy of one example, from its logit. */
function loss(logit: number, y: number): number {
  // log(1 + e^−|l|) + max(l, 0) − y·l, stable for large |l|
  return Math.log1p(Math.exp(-Math.abs(logit))) + Math.max(logit, 0) - y * logit;
}

/** Mean weighted loss over a set. */
export function meanLoss(w: AnomalyWeights, set: Example[]): number {
  const a = activations(w);
  let total = 0;
  let weights = 0;
  for (const e of set) {
    total += e.weight * loss(forward(w, e.x, a), e.y);
    weights += e.weight;
  }
  return total / Math.max(1e-12, weights);
}

/** Adds one example's gradient of weight·loss to `g` (laid out like {@link params}). */
function backprop(w: AnomalyWeights, e: Example, a: Activations, g: Float64Array[], d1: Float64Array, d2: Float64Array): void {
  const [gW1, gB1, gW2, gB2, gW3, gB3] = g as [
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
  ];
  const [h1, h2] = w.hidden;
  const dl = e.weight * (sigmoid(forward(w, e.x, a)) - e.y);
  gB3[0]! += dl;
  for (let k = 0; k < h2; k++) {
    gW3[k]! += a.h2[k]! * dl;
    d2[k] = a.h2[k]! > 0 ? w.w3[k]! * dl : 0;
  }
  for (let j = 0; j < h1; j++) {
    let s = 0;
    if (a.h1[j]! > 0) for (let k = 0; k < h2; k++) s += w.w2[j * h2 + k]! * d2[k]!;
    d1[j] = s;
    for (let k = 0; k < h2; k++) gW2[j * h2 + k]! += a.h1[j]! * d2[k]!;
  }
  for (let k = 0; k < h2; k++) gB2[k]! += d2[k]!;
  for (let i = 0; i < FEATURE_COUNT; i++) {
    const zi = a.z[i]!;
    if (zi === 0) continue;
    for (let j = 0; j < h1; j++) gW1[i * h1 + j]! += zi * d1[j]!;
  }
  for (let j = 0; j < h1; j++) gB1[j]! += d1[j]!;
}

/** Adam over the parameter arrays (decoupled weight decay on the matrices). */
function adamStep(
  ps: Float64Array[],
  gs: Float64Array[],
  ms: Float64Array[],
  vs: Float64Array[],
  step: number,
  lr: number,
  o: MlpOptions,
  scale: number,
): void {
  const c1 = 1 - 0.9 ** step;
  const c2 = 1 - 0.999 ** step;
  ps.forEach((p, k) => {
    const m = ms[k]!;
    const v = vs[k]!;
    const g = gs[k]!;
    for (let i = 0; i < p.length; i++) {
      const grad = g[i]! * scale;
      m[i] = 0.9 * m[i]! + 0.1 * grad;
      v[i] = 0.999 * v[i]! + 0.001 * grad * grad;
      p[i]! -= lr * (m[i]! / c1 / (Math.sqrt(v[i]! / c2) + 1e-8) + (DECAYS[k] ? o.weightDecay * p[i]! : 0));
    }
    g.fill(0);
  });
}

function copy(w: AnomalyWeights): AnomalyWeights {
  return { ...w, w1: w.w1.slice(), b1: w.b1.slice(), w2: w.w2.slice(), b2: w.b2.slice(), w3: w.w3.slice(), b3: w.b3.slice() };
}

/**
 * Trains the MLP on `train`, keeping the epoch that `select` rates best (by default the lowest
 * validation loss). `mean`/`std`
 * standardise the input and `reference` (standardised) is what contributions are measured from.
 */
export function trainMlp(
  train: Example[],
  val: Example[],
  stats: { mean: Float64Array; std: Float64Array; reference: Float64Array },
  o: MlpOptions,
): { weights: AnomalyWeights; bestEpoch: number; valLoss: number; selected: number } {
  const rng = new Rng(o.seed);
  const w = { ...initialWeights(o.hidden, () => rng.next()), mean: stats.mean, std: stats.std, reference: stats.reference };
  const ps = params(w);
  const gs = ps.map((p) => new Float64Array(p.length));
  const ms = ps.map((p) => new Float64Array(p.length));
  const vs = ps.map((p) => new Float64Array(p.length));
  const a = activations(w);
  const d1 = new Float64Array(o.hidden[0]);
  const d2 = new Float64Array(o.hidden[1]);
  const order = Int32Array.from({ length: train.length }, (_, i) => i);
  const select = o.select ?? ((x: AnomalyWeights): number => -meanLoss(x, val));
  let best = { weights: copy(w), epoch: 0, loss: meanLoss(w, val), selected: select(w) };
  let step = 0;
  for (let epoch = 1; epoch <= o.epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    const lr = o.learningRate * (0.5 + 0.5 * Math.cos((Math.PI * (epoch - 1)) / o.epochs));
    for (let start = 0; start < order.length; start += o.batch) {
      const end = Math.min(order.length, start + o.batch);
      for (let b = start; b < end; b++) backprop(w, train[order[b]!]!, a, gs, d1, d2);
      adamStep(ps, gs, ms, vs, ++step, lr, o, 1 / (end - start));
    }
    const valLoss = meanLoss(w, val);
    const selected = select(w);
    o.onEpoch?.(epoch, meanLoss(w, train), valLoss, selected);
    if (selected > best.selected) best = { weights: copy(w), epoch, loss: valLoss, selected };
  }
  return { weights: best.weights, bestEpoch: best.epoch, valLoss: best.loss, selected: best.selected };
}
