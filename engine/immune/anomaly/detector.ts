/**
 * The anomaly detector: a gateway layer that only watches. `observe()` feeds every finished
 * request into its client's behaviour window (microseconds, on the request path); every
 * ~250 ms, off the request path, every client seen since the last round is scored in one batched
 * onnxruntime call, and clients at or above the threshold are reported with their evidence.
 * Refusing, throttling or quarantining them is the response engine's job: `inspect()` never
 * refuses anything.
 */
import type { Clock, TimerHandle } from '../../clock.ts';
import { drop } from '../../errors.ts';
import type { GatewayLayer, GatewayRequest, LayerDecision } from '../../gateway/index.ts';
import { OnnxModel } from '../../models/index.ts';
import { FEATURE_COUNT, FEATURE_NAMES, FeatureExtractor, type FeatureName, type FeatureOptions } from './features.ts';
import { rootPath } from '../../util/paths.ts';

/** The model shipped in models/ (trained by models/train-anomaly.ts). */
export const DEFAULT_ANOMALY_MODEL = rootPath('models', 'anomaly.onnx');

/** The threshold the model card's figures are given at (the manifest's and the signal's default). */
export { DEFAULT_ANOMALY_THRESHOLD } from '../../organism/schema.ts';

/**
 * How long (engine ms) a client must keep scoring at or above the threshold before it is
 * reported — the card's "k consecutive 1 s windows" is k − 1 seconds. One high window is often a
 * customer's burst; an attacker stays high.
 */
export const DEFAULT_ANOMALY_CONFIRM_MS = 0;

/** A client whose last high round is older than this starts its streak afresh. */
const STREAK_GAP_MS = 2000;

/** One feature's part in a score. */
export interface FeatureContribution {
  feature: FeatureName;
  /** The normalised feature value (0–1) the model saw. */
  value: number;
  /** The same in its own unit (req/s, seconds, bytes, ×, or a share), for people. */
  raw: number;
  unit: string;
  /** Gradient × input against the mean benign client, in logit units: > 0 pushed the score up. */
  contribution: number;
}

/** Why a client was flagged: what an `immune.*` event or an incident can show. */
export interface AnomalyEvidence {
  score: number;
  threshold: number;
  /** The route most of the client's recent requests took (`GET /products/:id`); `''` when none matched a pathway. */
  route: string;
  /** The features that pushed the score up most, largest first (at most `topFeatures`). */
  top: FeatureContribution[];
  /** The whole normalised vector, by name. */
  features: Record<FeatureName, number>;
  /** Engine ms the client has scored at or above the threshold without a low round. */
  sustainedMs: number;
}

/** Called for every client scoring at or above the threshold, every round it does. */
export type AnomalyHandler = (client: string, score: number, evidence: AnomalyEvidence, at: number) => void;

/** One scoring round, for charts of scores over time and for tests. */
export interface AnomalyRound {
  at: number;
  clients: string[];
  scores: Float32Array;
  threshold: number;
  flagged: number;
  /** Wall time of the onnxruntime call, ms. */
  inferenceMs: number;
}

/** Options of {@link AnomalyDetector}. */
export interface AnomalyDetectorOptions {
  clock: Clock;
  /** Read at every round, so a signal (`immune.anomaly.threshold`) changes it live; 1 turns reporting off. */
  threshold: () => number;
  onScore: AnomalyHandler;
  /** Every round, flagged or not. */
  onRound?: (round: AnomalyRound) => void;
  /** A model file or loaded model; default {@link DEFAULT_ANOMALY_MODEL}. A loaded one stays open on close. */
  model?: string | OnnxModel;
  /** Scoring period in engine ms (default 250). */
  intervalMs?: number;
  /**
   * Report a client only once it has scored at or above the threshold in every round it was
   * active in for this long (default {@link DEFAULT_ANOMALY_CONFIRM_MS}); 0 reports the first high round.
   */
  confirmMs?: number;
  /** Contributions in the evidence (default 4). */
  topFeatures?: number;
  features?: FeatureOptions;
  /** Clients never scored (the engine's own address, say). */
  ignore?: (client: string) => boolean;
}

/** Counters for the immune view and the bench. */
export interface AnomalyStats {
  rounds: number;
  scored: number;
  flagged: number;
  clients: number;
  lastBatch: number;
  lastInferenceMs: number;
}

const LOG_1000 = Math.log1p(1000);
const LOG_100 = Math.log1p(100);
const LOG_4096 = Math.log1p(4096);
const LOG_3600 = Math.log1p(3600);

/** A normalised feature value back in its own unit (the inverse of features.ts's scaling). */
export function rawFeature(name: FeatureName, v: number): { raw: number; unit: string } {
  switch (name) {
    case 'rate':
      return { raw: Math.expm1(v * LOG_1000), unit: 'req/s' };
    case 'authFailureRate':
      return { raw: Math.expm1(v * LOG_100), unit: 'failures/s' };
    case 'payloadLength':
      return { raw: Math.expm1(v * LOG_4096), unit: 'bytes' };
    case 'payloadEntropy':
      return { raw: v * 8, unit: 'bits/byte' };
    case 'age':
      return { raw: Math.expm1(v * LOG_3600), unit: 's' };
    case 'routeSurge':
      return { raw: 2 ** (v * 6), unit: '×' };
    case 'arrivalCv':
      return { raw: v * 3, unit: 'cv' };
    case 'distinctRoutes':
      return { raw: 1 + v * 7, unit: 'routes' };
    default:
      return { raw: v, unit: 'share' };
  }
}

/** The anomaly layer of the immune chain. Create with {@link AnomalyDetector.create}. */
export class AnomalyDetector implements GatewayLayer {
  readonly name = 'anomaly';
  readonly extractor: FeatureExtractor;
  readonly #model: OnnxModel;
  readonly #ownsModel: boolean;
  readonly #o: AnomalyDetectorOptions;
  #timer: TimerHandle | undefined;
  #running: Promise<AnomalyRound> | undefined;
  #lastEvict = -Infinity;
  /** Per client, the first and last round of its current run of high scores. */
  readonly #streaks = new Map<string, { since: number; last: number }>();
  readonly #stats: AnomalyStats = { rounds: 0, scored: 0, flagged: 0, clients: 0, lastBatch: 0, lastInferenceMs: 0 };

  private constructor(model: OnnxModel, owns: boolean, options: AnomalyDetectorOptions) {
    this.#model = model;
    this.#ownsModel = owns;
    this.#o = options;
    this.extractor = new FeatureExtractor(options.features);
  }

  /** Loads the model (checking its input width) and returns a detector, not yet started. */
  static async create(options: AnomalyDetectorOptions): Promise<AnomalyDetector> {
    const given = options.model;
    const model = given instanceof OnnxModel ? given : await OnnxModel.load(given ?? DEFAULT_ANOMALY_MODEL);
    const width = model.inputs.find((p) => p.name === 'features')?.shape[1];
    const outputs = model.outputs.map((p) => p.name);
    if (width !== FEATURE_COUNT || !outputs.includes('score') || !outputs.includes('contributions')) {
      if (!(given instanceof OnnxModel)) await model.close();
      throw new TypeError(
        `${model.source}: not an anomaly model for this engine (needs input features [batch, ${FEATURE_COUNT}] and outputs score, contributions)`,
      );
    }
    return new AnomalyDetector(model, !(given instanceof OnnxModel), options);
  }

  /** Starts scoring every `intervalMs` of engine time. */
  start(): void {
    if (this.#timer) return;
    this.#timer = this.#o.clock.setInterval(() => {
      if (!this.#running) drop(this.scoreNow());
    }, this.#o.intervalMs ?? 250);
  }

  /** Never refuses: refusals are the response engine's. */
  inspect(_req: GatewayRequest): LayerDecision | undefined {
    return undefined;
  }

  /** Feeds a finished request into its client's window. */
  observe(req: GatewayRequest, status: number): void {
    if (this.#o.ignore?.(req.client)) return;
    this.extractor.observe(req, status);
  }

  /** A copy of the counters. */
  stats(): AnomalyStats {
    return { ...this.#stats, clients: this.extractor.size };
  }

  /**
   * Scores every client observed since the last round, now (tests call it directly; the timer
   * calls it otherwise). Rounds never overlap: a call during one waits for it and starts another.
   */
  async scoreNow(at?: number): Promise<AnomalyRound> {
    while (this.#running) await this.#running.catch(() => undefined);
    const round = this.#round(at ?? this.#o.clock.now());
    this.#running = round;
    try {
      return await round;
    } finally {
      this.#running = undefined;
    }
  }

  async #round(at: number): Promise<AnomalyRound> {
    const clients = this.extractor.takeActive().filter((c) => this.extractor.has(c));
    const threshold = this.#o.threshold();
    const n = clients.length;
    const data = new Float32Array(n * FEATURE_COUNT);
    clients.forEach((c, i) => this.extractor.vector(c, at, data, i * FEATURE_COUNT));
    let scores: Float32Array = new Float32Array(0);
    let contributions: Float32Array = new Float32Array(0);
    let inferenceMs = 0;
    if (n > 0) {
      const t0 = performance.now();
      const out = await this.#model.run({ features: { data, dims: [n, FEATURE_COUNT] } });
      inferenceMs = performance.now() - t0;
      scores = out['score']!.data;
      contributions = out['contributions']!.data;
    }
    let flagged = 0;
    const confirmMs = this.#o.confirmMs ?? DEFAULT_ANOMALY_CONFIRM_MS;
    for (let i = 0; i < n; i++) {
      const client = clients[i]!;
      const score = scores[i]!;
      // float32 sigmoids reach 1.0 exactly: a threshold of 1 (the signal's maximum) means off
      const sustained = this.#sustained(client, threshold < 1 && score >= threshold, at);
      if (sustained < confirmMs) continue;
      flagged++;
      const evidence = this.#evidence(score, threshold, data, contributions, i);
      evidence.route = this.extractor.routeOf(client) ?? '';
      evidence.sustainedMs = sustained;
      this.#o.onScore(client, score, evidence, at);
    }
    this.#account(at, n, flagged, inferenceMs);
    const round: AnomalyRound = { at, clients, scores, threshold, flagged, inferenceMs };
    this.#o.onRound?.(round);
    return round;
  }

  /** Ms the client has been high without a low round; -1 when it is low now. */
  #sustained(client: string, high: boolean, at: number): number {
    if (!high) {
      this.#streaks.delete(client);
      return -1;
    }
    const s = this.#streaks.get(client);
    if (!s || at - s.last > STREAK_GAP_MS) {
      this.#streaks.set(client, { since: at, last: at });
      return 0;
    }
    s.last = at;
    return at - s.since;
  }

  #account(at: number, n: number, flagged: number, inferenceMs: number): void {
    const s = this.#stats;
    s.rounds++;
    s.scored += n;
    s.flagged += flagged;
    s.lastBatch = n;
    s.lastInferenceMs = inferenceMs;
    // Forgetting idle clients is O(clients): every few seconds is plenty.
    if (at - this.#lastEvict >= 5000) {
      this.extractor.evict(at);
      for (const [client, s] of this.#streaks) if (at - s.last > STREAK_GAP_MS) this.#streaks.delete(client);
      this.#lastEvict = at;
    }
  }

  #evidence(score: number, threshold: number, data: Float32Array, contrib: Float32Array, i: number): AnomalyEvidence {
    const base = i * FEATURE_COUNT;
    const features = {} as Record<FeatureName, number>;
    const all: FeatureContribution[] = FEATURE_NAMES.map((feature, k) => {
      const value = data[base + k]!;
      features[feature] = value;
      return { feature, value, ...rawFeature(feature, value), contribution: contrib[base + k]! };
    });
    const top = all
      .filter((c) => c.contribution > 0)
      .sort((a, b) => b.contribution - a.contribution)
      .slice(0, this.#o.topFeatures ?? 4);
    return { score, threshold, route: '', top, features, sustainedMs: 0 };
  }

  /** Stops the timer, waits for a round in flight, and releases the model if it loaded it. */
  async close(): Promise<void> {
    this.#timer?.cancel();
    this.#timer = undefined;
    await this.#running?.catch(() => undefined);
    if (this.#ownsModel) await this.#model.close();
  }
}
