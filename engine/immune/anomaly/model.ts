/**
 * The anomaly model: its weights, the TypeScript reference forward pass, and the ONNX graph that
 * computes exactly the same thing, batched.
 *
 * Shape (one row per client):
 * - input `features` [batch, F]: the vector of {@link FEATURE_NAMES} (each in [0, 1]);
 * - z = (x − mean) / std with the training set's statistics;
 * - logit = relu(relu(z·W₁ + b₁)·W₂ + b₂)·w₃ + b₃; output `score` = sigmoid(logit) in [0, 1];
 * - output `contributions` [batch, F]: ∂logit/∂z ⊙ (z − z_benign), the gradient × input
 *   attribution of each feature against the mean benign client. The ReLU gradient is a 0/1
 *   mask, so this costs two more small matrix products in the same call, and the evidence a
 *   detector attaches to a flag says which behaviour pushed the score up.
 */
import { GraphBuilder, type DecodedModel, type ModelObject } from '../../models/index.ts';
import { FEATURE_COUNT, FEATURE_NAMES } from './features.ts';

/** Weights of the anomaly MLP (row-major matrices [in, out]). */
export interface AnomalyWeights {
  features: readonly string[];
  hidden: [number, number];
  /** Standardisation: z = (x − mean) / std. */
  mean: Float64Array;
  std: Float64Array;
  /** The mean benign client's standardised vector: the reference contributions are measured from. */
  reference: Float64Array;
  w1: Float64Array;
  b1: Float64Array;
  w2: Float64Array;
  b2: Float64Array;
  w3: Float64Array;
  b3: Float64Array;
}

/** What the reference forward pass returns for one client. */
export interface AnomalyOutput {
  score: number;
  logit: number;
  contributions: Float64Array;
}

/** Fresh weights: He-initialised hidden layers, zero output layer. */
export function initialWeights(hidden: [number, number], random: () => number): AnomalyWeights {
  const f = FEATURE_COUNT;
  const [h1, h2] = hidden;
  const gauss = (): number => {
    const u = 1 - random();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  };
  const he = (n: number, fanIn: number): Float64Array => Float64Array.from({ length: n }, () => gauss() * Math.sqrt(2 / fanIn));
  return {
    features: [...FEATURE_NAMES],
    hidden,
    mean: new Float64Array(f),
    std: new Float64Array(f).fill(1),
    reference: new Float64Array(f),
    w1: he(f * h1, f),
    b1: new Float64Array(h1),
    w2: he(h1 * h2, h1),
    b2: new Float64Array(h2),
    w3: he(h2, h2).map((v) => v * 0.1),
    b3: new Float64Array(1),
  };
}

/** Standardised input z of a raw feature vector, into `z`. */
export function standardise(w: AnomalyWeights, x: ArrayLike<number>, z: Float64Array): void {
  for (let i = 0; i < FEATURE_COUNT; i++) z[i] = (x[i]! - w.mean[i]!) / w.std[i]!;
}

/** Activations of one forward pass (reused by training's backward pass). */
export interface Activations {
  z: Float64Array;
  h1: Float64Array;
  h2: Float64Array;
  logit: number;
}

/** Allocates activation buffers for a model's sizes. */
export function activations(w: AnomalyWeights): Activations {
  return { z: new Float64Array(FEATURE_COUNT), h1: new Float64Array(w.hidden[0]), h2: new Float64Array(w.hidden[1]), logit: 0 };
}

function dense(x: Float64Array, weight: Float64Array, bias: Float64Array, out: Float64Array, relu: boolean): void {
  const n = out.length;
  for (let k = 0; k < n; k++) {
    let s = bias[k]!;
    for (let i = 0; i < x.length; i++) s += x[i]! * weight[i * n + k]!;
    out[k] = relu && s < 0 ? 0 : s;
  }
}

/** The forward pass into `a` (from the raw vector x); returns the logit. */
export function forward(w: AnomalyWeights, x: ArrayLike<number>, a: Activations): number {
  standardise(w, x, a.z);
  dense(a.z, w.w1, w.b1, a.h1, true);
  dense(a.h1, w.w2, w.b2, a.h2, true);
  let s = w.b3[0]!;
  for (let k = 0; k < a.h2.length; k++) s += a.h2[k]! * w.w3[k]!;
  a.logit = s;
  return s;
}

/** ∂logit/∂z at the activations `a`, into `out`. */
export function inputGradient(w: AnomalyWeights, a: Activations, out: Float64Array): void {
  const [h1, h2] = w.hidden;
  const g2 = new Float64Array(h2);
  for (let k = 0; k < h2; k++) g2[k] = a.h2[k]! > 0 ? w.w3[k]! : 0;
  const g1 = new Float64Array(h1);
  for (let j = 0; j < h1; j++) {
    if (!(a.h1[j]! > 0)) continue;
    let s = 0;
    for (let k = 0; k < h2; k++) s += w.w2[j * h2 + k]! * g2[k]!;
    g1[j] = s;
  }
  for (let i = 0; i < FEATURE_COUNT; i++) {
    let s = 0;
    for (let j = 0; j < h1; j++) s += w.w1[i * h1 + j]! * g1[j]!;
    out[i] = s;
  }
}

/** The logistic function. */
export function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

/** The reference forward pass: what the ONNX graph computes for one raw feature vector. */
export function anomalyReference(w: AnomalyWeights, x: ArrayLike<number>): AnomalyOutput {
  if (x.length !== FEATURE_COUNT) throw new RangeError(`a feature vector has ${FEATURE_COUNT} values, got ${x.length}`);
  const a = activations(w);
  const logit = forward(w, x, a);
  const contributions = new Float64Array(FEATURE_COUNT);
  inputGradient(w, a, contributions);
  for (let i = 0; i < FEATURE_COUNT; i++) contributions[i]! *= a.z[i]! - w.reference[i]!;
  return { score: sigmoid(logit), logit, contributions };
}

/** The ONNX graph of the model: {@link anomalyReference}, batched, with both outputs. */
export function anomalyGraph(w: AnomalyWeights, metadata: Record<string, string> = {}): ModelObject {
  const f = FEATURE_COUNT;
  const [h1, h2] = w.hidden;
  const g = new GraphBuilder('petri-anomaly');
  const x = g.input('features', ['batch', f]);
  const z = g.op('Div', [g.op('Sub', [x, g.constant('mean', w.mean, [f])]), g.constant('std', w.std, [f])]);
  const a1 = g.op('Relu', [g.linear(z, 'l1', w.w1, w.b1, f, h1)]);
  const a2 = g.op('Relu', [g.linear(a1, 'l2', w.w2, w.b2, h1, h2)]);
  const logit = g.linear(a2, 'l3', w.w3, w.b3, h2, 1);
  g.output('score', ['batch', 1]);
  g.op('Sigmoid', [logit], {}, 'score');
  // Backward through the ReLUs: Sign(relu(h)) is the 0/1 mask of active units.
  const g2 = g.op('Mul', [g.op('Sign', [a2]), g.constant('l3.weight.row', w.w3, [h2])]);
  const g1 = g.op('Mul', [
    g.op('MatMul', [g2, g.constant('l2.weight.t', transpose(w.w2, h1, h2), [h2, h1])]),
    g.op('Sign', [a1]),
  ]);
  const gz = g.op('MatMul', [g1, g.constant('l1.weight.t', transpose(w.w1, f, h1), [h1, f])]);
  g.output('contributions', ['batch', f]);
  g.op('Mul', [gz, g.op('Sub', [z, g.constant('reference', w.reference, [f])])], {}, 'contributions');
  return g.model({
    docString:
      'Petri anomaly model: per-client behaviour window → anomaly score and per-feature contributions (models/README.md).',
    metadata: { features: w.features.join(','), hidden: w.hidden.join(','), ...metadata },
  });
}

function transpose(m: Float64Array, rows: number, cols: number): Float64Array {
  const t = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = m[r * cols + c]!;
  return t;
}

/** Rebuilds the weights from a decoded model file, so tests run the reference on what onnxruntime runs. */
export function weightsFromModel(model: DecodedModel): AnomalyWeights {
  const tensor = (name: string): Float64Array => {
    const t = model.initializers[name];
    if (!t) throw new TypeError(`anomaly model has no initializer ${name}`);
    return Float64Array.from(t.data);
  };
  const hidden = (model.metadata['hidden'] ?? '').split(',').map(Number) as [number, number];
  return {
    features: (model.metadata['features'] ?? '').split(','),
    hidden,
    mean: tensor('mean'),
    std: tensor('std'),
    reference: tensor('reference'),
    w1: tensor('l1.weight'),
    b1: tensor('l1.bias'),
    w2: tensor('l2.weight'),
    b2: tensor('l2.bias'),
    w3: tensor('l3.weight'),
    b3: tensor('l3.bias'),
  };
}
