/**
 * Training and held-out evaluation of the anomaly model, with the two baselines the model card
 * compares it to: (a) a threshold on the client's request rate, (b) an allowlist profile — per
 * route, the range each feature takes in benign training traffic; outside any range is flagged.
 *
 * The operating point — threshold and how many consecutive windows must be over it (`confirm`) —
 * is chosen on out-of-fold scores of the training sessions (3 folds by session: each session
 * scored by a model that never saw it) as the best macro recall within a false-alarm budget; the
 * shipped model is then fitted on all training sessions with the same epochs. The baselines get
 * their knobs chosen on the same out-of-fold sessions by the same rule. The test sessions are
 * only ever scored. (Four fixed validation sessions were tried first: too few — a threshold that
 * flagged 2 of their 253 benign clients flagged 99 of 427 on test.)
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import {
  anomalyGraph,
  anomalyReference,
  FEATURE_COUNT,
  FEATURE_NAMES,
  weightsFromModel,
  type AnomalyWeights,
} from '../../engine/immune/anomaly/index.ts';
import { decodeModel, encodeModel, OnnxModel } from '../../engine/models/index.ts';
import { ATTACKS, type AttackKind, type Dataset, type Row } from './anomaly-data.ts';
import { standardisation, trainMlp, type Example } from './anomaly-train.ts';

/** Options of {@link trainAndEvaluate}. */
export interface TrainEvalOptions {
  epochs: number;
  hidden: [number, number];
  seed: number;
  learningRate: number;
  weightDecay: number;
  /** Total weight of benign windows against 1 for all attack windows. */
  benignWeight: number;
  /** Where to write the model (and anomaly.eval.json beside it); nothing is written without it. */
  out?: string;
  /** The data set file's bytes, fingerprinted into the model's metadata. */
  datasetBytes?: Buffer;
}

/** Folds (by session) of the training sessions for out-of-fold scores. */
const FOLDS = 3;

/**
 * The false-alarm budget an operating point must meet on validation: at most this share of benign
 * clients flagged at least once, and of benign windows flagged. Tighter than the product's target
 * (2 % of clients, 0.5 % of windows on the test sessions), to leave room for a new sample.
 */
export const BUDGET = { benignClients: 0.01, benignWindows: 0.0025 };

/** Windows in a row a client must stay over the threshold, tried when choosing the operating point. */
const CONFIRM_CHOICES = [1, 2, 3, 4];

/** Thresholds tried when choosing the operating point. */
const THRESHOLDS = [0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.93, 0.95, 0.97, 0.98, 0.99, 0.995, 0.998, 0.999];

/** A client's windows 1 s apart, a gap of at most this many seconds keeps a streak (the detector's 2 s). */
const STREAK_GAP_S = 2.05;

/**
 * Flags of the detector's confirmation rule: a window is flagged when it is high and so were its
 * client's previous `confirm − 1` windows, each at most {@link STREAK_GAP_S} after the one before —
 * the detector's "high for (confirm − 1) seconds without a low round" on 1 s snapshots.
 */
export function confirmFlags(rows: Row[], high: ArrayLike<boolean>, confirm: number): boolean[] {
  const out = new Array<boolean>(rows.length).fill(false);
  const streak = new Map<string, { since: number; last: number }>();
  const order = rows.map((_, i) => i).sort((a, b) => rows[a]!.session - rows[b]!.session || rows[a]!.t - rows[b]!.t);
  for (const i of order) {
    const r = rows[i]!;
    const key = `${r.session}/${r.client}`;
    if (!high[i]) {
      streak.delete(key);
      continue;
    }
    let s = streak.get(key);
    if (!s || r.t - s.last > STREAK_GAP_S) streak.set(key, (s = { since: r.t, last: r.t }));
    s.last = r.t;
    out[i] = r.t - s.since >= confirm - 1 - 1e-6;
  }
  return out;
}

/** An operating point: a knob (threshold, rate, quantile…) and the confirmation windows. */
export interface OperatingPoint<K> {
  knob: K;
  confirm: number;
  /** Its metrics on the validation sessions. */
  validation: Metrics['overall'] & { macroRecall: number };
  withinBudget: boolean;
}

/** Mean recall over the attack kinds present. */
export function macroRecall(m: Metrics): number {
  const kinds = ATTACKS.filter((k) => m.kinds[k].windows > 0);
  return kinds.reduce((a, k) => a + m.kinds[k].recall, 0) / Math.max(1, kinds.length);
}

/**
 * The operating point with the best macro recall (then F1) among those within {@link BUDGET} on
 * `val`; when none is, the one flagging the fewest benign clients.
 */
export function chooseOperatingPoint<K>(
  val: Row[],
  sessions: Dataset['sessions'],
  knobs: readonly K[],
  high: (knob: K) => ArrayLike<boolean>,
): OperatingPoint<K> {
  const points: Array<OperatingPoint<K>> = [];
  for (const knob of knobs) {
    const h = high(knob);
    for (const confirm of CONFIRM_CHOICES) {
      const m = evaluate(val, confirmFlags(val, h, confirm), sessions);
      const o = m.overall;
      const withinBudget =
        o.benignClientsFlagged <= BUDGET.benignClients * o.benignClients &&
        o.falsePositives <= BUDGET.benignWindows * o.benignWindows;
      points.push({ knob, confirm, validation: { ...o, macroRecall: macroRecall(m) }, withinBudget });
    }
  }
  const ok = points.filter((p) => p.withinBudget);
  if (ok.length)
    return ok.reduce((a, b) =>
      b.validation.macroRecall > a.validation.macroRecall + 1e-9 ||
      (Math.abs(b.validation.macroRecall - a.validation.macroRecall) <= 1e-9 && b.validation.f1 > a.validation.f1)
        ? b
        : a,
    );
  return points.reduce((a, b) => (b.validation.benignClientsFlagged < a.validation.benignClientsFlagged ? b : a));
}

/**
 * Examples with weights: benign windows together weigh `benignWeight` (more than the attacks: a
 * false alarm quarantines a customer), each attack kind 1/6 — a 200-client flood must not drown
 * out a 1-client scraper.
 */
export function examples(rows: Row[], benignWeight: number): Example[] {
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(r.label, (counts.get(r.label) ?? 0) + 1);
  const kinds = [...counts.keys()].filter((k) => k !== 'benign').length;
  const total = rows.length;
  const raw = rows.map((r) => (r.label === 'benign' ? benignWeight : 1 / kinds) / counts.get(r.label)!);
  const mean = raw.reduce((a, b) => a + b, 0) / Math.max(1, total);
  return rows.map((r, i) => ({ x: r.features, y: r.label === 'benign' ? 0 : 1, weight: raw[i]! / mean }));
}

/** Counts and rates of a detector on a set of windows. */
export interface Metrics {
  overall: {
    precision: number;
    recall: number;
    f1: number;
    attackWindows: number;
    benignWindows: number;
    falsePositives: number;
    benignClients: number;
    benignClientsFlagged: number;
  };
  kinds: Record<
    AttackKind,
    {
      windows: number;
      benignWindowsDuring: number;
      falsePositivesDuring: number;
      precision: number;
      recall: number;
      f1: number;
      attacks: number;
      attacksDetected: number;
      clientsFlagged: number;
      clients: number;
      /** Median seconds from an attack's start to its first flagged window (detected attacks). */
      medianDetectSeconds: number | null;
    }
  >;
}

const f1 = (p: number, r: number): number => (p + r > 0 ? (2 * p * r) / (p + r) : 0);
const ratio = (a: number, b: number): number => (b > 0 ? a / b : 0);

function medianOf(xs: number[]): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)]!;
}

/** When each attack ran: `${session}` → [kind, from s, to s]. */
function attackSpans(sessions: Dataset['sessions']): Map<number, Array<[AttackKind, number, number]>> {
  const out = new Map<number, Array<[AttackKind, number, number]>>();
  for (const s of sessions)
    out.set(
      s.seed,
      s.streams.filter((st) => st.kind !== 'benign').map((st) => [st.kind as AttackKind, st.at / 1000, (st.at + st.for) / 1000]),
    );
  return out;
}

interface Tally {
  tp: Map<AttackKind, number>;
  n: Map<AttackKind, number>;
  /** Benign windows, and those flagged, while an attack of each kind ran in the same session. */
  benignDuring: Map<AttackKind, number>;
  fpDuring: Map<AttackKind, number>;
  fp: number;
  benign: number;
  benignClients: Set<string>;
  benignFlagged: Set<string>;
  clients: Map<string, { kind: AttackKind; flagged: boolean }>;
  firstFlag: Map<string, { kind: AttackKind; t: number }>;
}

const bump = <K>(m: Map<K, number>, k: K): void => void m.set(k, (m.get(k) ?? 0) + 1);

function tally(rows: Row[], flagged: ArrayLike<boolean>, sessions: Dataset['sessions']): Tally {
  const starts = new Map(sessions.flatMap((s) => s.streams.map((st) => [`${s.seed}/${st.name}`, st.at / 1000])));
  const spans = attackSpans(sessions);
  const t: Tally = {
    tp: new Map(),
    n: new Map(),
    benignDuring: new Map(),
    fpDuring: new Map(),
    fp: 0,
    benign: 0,
    benignClients: new Set(),
    benignFlagged: new Set(),
    clients: new Map(),
    firstFlag: new Map(),
  };
  rows.forEach((r, i) => {
    const hit = flagged[i]!;
    const key = `${r.session}/${r.client}`;
    if (r.label === 'benign') {
      t.benign++;
      t.benignClients.add(key);
      if (hit) t.fp++;
      if (hit) t.benignFlagged.add(key);
      for (const [kind, from, to] of spans.get(r.session) ?? [])
        if (r.t >= from && r.t <= to) {
          bump(t.benignDuring, kind);
          if (hit) bump(t.fpDuring, kind);
        }
      return;
    }
    const kind = r.label;
    bump(t.n, kind);
    const c = t.clients.get(key) ?? { kind, flagged: false };
    t.clients.set(key, c);
    const stream = `${r.session}/${r.stream}`;
    if (!t.firstFlag.has(stream)) t.firstFlag.set(stream, { kind, t: Infinity });
    if (!hit) return;
    bump(t.tp, kind);
    c.flagged = true;
    const f = t.firstFlag.get(stream)!;
    f.t = Math.min(f.t, r.t - (starts.get(stream) ?? 0));
  });
  return t;
}

/**
 * Precision, recall and F1 of `flagged` (one flag per window). Overall: attack windows against
 * every benign window. Per kind: that kind's windows against the benign windows of the same
 * sessions while that kind's attack ran — "while this attack was on, how many of the flagged
 * windows were the attacker's?"; a false alarm at a quiet moment counts only overall.
 */
export function evaluate(rows: Row[], flagged: ArrayLike<boolean>, sessions: Dataset['sessions']): Metrics {
  const t = tally(rows, flagged, sessions);
  const kinds = Object.fromEntries(
    ATTACKS.map((kind) => {
      const tp = t.tp.get(kind) ?? 0;
      const p = ratio(tp, tp + (t.fpDuring.get(kind) ?? 0));
      const rc = ratio(tp, t.n.get(kind) ?? 0);
      const cs = [...t.clients.values()].filter((c) => c.kind === kind);
      const attacks = [...t.firstFlag.values()].filter((f) => f.kind === kind);
      const detected = attacks.filter((f) => Number.isFinite(f.t));
      return [
        kind,
        {
          windows: t.n.get(kind) ?? 0,
          benignWindowsDuring: t.benignDuring.get(kind) ?? 0,
          falsePositivesDuring: t.fpDuring.get(kind) ?? 0,
          precision: p,
          recall: rc,
          f1: f1(p, rc),
          attacks: attacks.length,
          attacksDetected: detected.length,
          clients: cs.length,
          clientsFlagged: cs.filter((c) => c.flagged).length,
          medianDetectSeconds: medianOf(detected.map((f) => Math.max(0, f.t))),
        },
      ];
    }),
  ) as Metrics['kinds'];
  const allTp = [...t.tp.values()].reduce((a, b) => a + b, 0);
  const allN = [...t.n.values()].reduce((a, b) => a + b, 0);
  const precision = ratio(allTp, allTp + t.fp);
  const recall = ratio(allTp, allN);
  return {
    overall: {
      precision,
      recall,
      f1: f1(precision, recall),
      attackWindows: allN,
      benignWindows: t.benign,
      falsePositives: t.fp,
      benignClients: t.benignClients.size,
      benignClientsFlagged: t.benignFlagged.size,
    },
    kinds,
  };
}

/** The client's request rate in req/s, back from the normalised `rate` feature. */
export const rateOf = (r: Row): number => Math.expm1(r.features[0]! * Math.log1p(1000));

/**
 * Baseline (a): a per-client request-rate threshold, its rate and confirmation chosen on the
 * training sessions by the same rule as the model's threshold (it fits nothing else).
 */
export function fitRateRule(
  val: Row[],
  sessions: Dataset['sessions'],
): OperatingPoint<number> & { flag: (rows: Row[]) => boolean[] } {
  const rates = [2, 3, 5, 7, 10, 15, 20, 25, 30, 40, 50, 60, 80, 100, 150, 200, 300];
  const point = chooseOperatingPoint(val, sessions, rates, (t) => val.map((r) => rateOf(r) >= t));
  return {
    ...point,
    flag: (rows) =>
      confirmFlags(
        rows,
        rows.map((r) => rateOf(r) >= point.knob),
        point.confirm,
      ),
  };
}

function quantile(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))))]!;
}

/** The allowlist rule of quantile `q` fitted on `fit`'s benign windows. */
function profileRule(fit: Row[], features: readonly number[], q: number): (r: Row) => boolean {
  const benign = fit.filter((r) => r.label === 'benign');
  const ranges = (rows: Row[]): Array<[number, number]> =>
    features.map((f) => {
      const v = Float64Array.from(rows, (r) => r.features[f]!).sort();
      return [quantile(v, q), quantile(v, 1 - q)];
    });
  const all = ranges(benign);
  const byRoute = new Map<string, Array<[number, number]>>();
  for (const route of new Set(benign.map((r) => r.route))) byRoute.set(route, ranges(benign.filter((r) => r.route === route)));
  return (r) => {
    const rs = byRoute.get(r.route) ?? all;
    return features.some((f, k) => r.features[f]! < rs[k]![0] - 1e-9 || r.features[f]! > rs[k]![1] + 1e-9);
  };
}

/**
 * Baseline (b): an allowlist profile — per route, the [q, 1 − q] range of each profiled feature
 * over benign windows (a route without benign windows uses all routes'); a window outside any
 * range is high. `q` and the confirmation are chosen out-of-fold on the training sessions by the
 * same rule as the model's threshold; the shipped ranges are fitted on all of them.
 */
export function fitProfile(
  train: Row[],
  sessions: Dataset['sessions'],
  features: readonly number[],
): OperatingPoint<number> & { flag: (rows: Row[]) => boolean[] } {
  const qs = [0, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.02];
  const folds = foldsOf(train);
  const outOfFold = (q: number): boolean[] => {
    const high = new Array<boolean>(train.length).fill(false);
    for (const held of folds) {
      const rule = profileRule(
        train.filter((_, i) => !held.has(i)),
        features,
        q,
      );
      for (const i of held) high[i] = rule(train[i]!);
    }
    return high;
  };
  const point = chooseOperatingPoint(train, sessions, qs, outOfFold);
  const rule = profileRule(train, features, point.knob);
  return { ...point, flag: (rows) => confirmFlags(rows, rows.map(rule), point.confirm) };
}

/** Row indices of each fold: sessions in seed order dealt round-robin. */
function foldsOf(rows: Row[]): Array<Set<number>> {
  const seeds = [...new Set(rows.map((r) => r.session))].sort((a, b) => a - b);
  const foldOf = new Map(seeds.map((s, i) => [s, i % FOLDS]));
  const folds = Array.from({ length: FOLDS }, () => new Set<number>());
  rows.forEach((r, i) => folds[foldOf.get(r.session)!]!.add(i));
  return folds;
}

/** Largest |ONNX − TypeScript reference| over score and contributions, for the given rows. */
export async function parity(bytes: Uint8Array, rows: Row[]): Promise<{ score: number; contributions: number }> {
  const weights = weightsFromModel(await decodeModel(bytes));
  const model = await OnnxModel.load(bytes);
  try {
    const out = await model.runRows({ features: rows.map((r) => r.features) });
    let score = 0;
    let contributions = 0;
    rows.forEach((r, i) => {
      const ref = anomalyReference(weights, r.features);
      score = Math.max(score, Math.abs(out['score']![i]![0]! - ref.score));
      for (let k = 0; k < FEATURE_COUNT; k++)
        contributions = Math.max(contributions, Math.abs(out['contributions']![i]![k]! - ref.contributions[k]!));
    });
    return { score, contributions };
  } finally {
    await model.close();
  }
}

/** The standardised mean benign window: what contributions are measured against. */
function benignReference(rows: Row[], mean: Float64Array, std: Float64Array): Float64Array {
  const benign = rows.filter((r) => r.label === 'benign');
  const ref = new Float64Array(FEATURE_COUNT);
  for (const r of benign)
    for (let i = 0; i < FEATURE_COUNT; i++) ref[i]! += (r.features[i]! - mean[i]!) / std[i]! / benign.length;
  return ref;
}

/** Fits the MLP on `fit` for exactly `o.epochs` epochs (no epoch is chosen: nothing is held out). */
function fitWeights(fit: Row[], o: TrainEvalOptions, label: string): AnomalyWeights {
  const { mean, std } = standardisation(fit.map((r) => r.features));
  const reference = benignReference(fit, mean, std);
  let epochs = 0;
  const result = trainMlp(
    examples(fit, o.benignWeight),
    [],
    { mean, std, reference },
    {
      hidden: o.hidden,
      epochs: o.epochs,
      batch: 128,
      learningRate: o.learningRate,
      weightDecay: o.weightDecay,
      seed: o.seed,
      select: () => epochs++, // the last epoch
      onEpoch: (e, tr) => {
        if (e % 10 === 0) console.log(`${label} epoch ${e}: train loss ${tr.toFixed(4)}`);
      },
    },
  );
  return result.weights;
}

/**
 * Out-of-fold scores of the training rows, the operating point chosen on them, and the model
 * fitted on all training rows.
 */
function fitModel(
  train: Row[],
  sessions: Dataset['sessions'],
  o: TrainEvalOptions,
): { weights: AnomalyWeights; point: OperatingPoint<number> } {
  const scores = new Float64Array(train.length);
  foldsOf(train).forEach((held, k) => {
    const w = fitWeights(
      train.filter((_, i) => !held.has(i)),
      o,
      `fold ${k + 1}/${FOLDS}`,
    );
    for (const i of held) scores[i] = anomalyReference(w, train[i]!.features).score;
  });
  const point = chooseOperatingPoint(train, sessions, THRESHOLDS, (t) => Array.from(scores, (x) => x >= t));
  return { weights: fitWeights(train, o, 'all'), point };
}

/** A metrics table as Markdown: one row per kind and the overall row. */
export function metricsTable(name: string, m: Metrics): string {
  const pct = (x: number): string => `${(100 * x).toFixed(1)}`;
  const lines = [
    `| ${name} | precision % | recall % | F1 % | attacks detected | clients flagged | median s to first flag |`,
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const kind of ATTACKS) {
    const k = m.kinds[kind];
    const detect = k.medianDetectSeconds === null ? '—' : k.medianDetectSeconds.toFixed(0);
    lines.push(
      `| ${kind} | ${pct(k.precision)} | ${pct(k.recall)} | ${pct(k.f1)} | ${k.attacksDetected}/${k.attacks} | ${k.clientsFlagged}/${k.clients} | ${detect} |`,
    );
  }
  const o = m.overall;
  lines.push(
    `| **overall** | ${pct(o.precision)} | ${pct(o.recall)} | ${pct(o.f1)} | | benign: ${o.benignClientsFlagged}/${o.benignClients} | FP windows ${o.falsePositives}/${o.benignWindows} |`,
  );
  return lines.join('\n');
}

function summary(rows: Row[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of rows) out[r.label] = (out[r.label] ?? 0) + 1;
  return out;
}

/** The model at its operating point and the baselines at theirs, all chosen on training sessions, scored on `test`. */
function compare(
  weights: AnomalyWeights,
  point: OperatingPoint<number>,
  train: Row[],
  test: Row[],
  sessions: Dataset['sessions'],
) {
  const scores = test.map((r) => anomalyReference(weights, r.features).score);
  const at = (t: number, confirm: number): Metrics =>
    evaluate(
      test,
      confirmFlags(
        test,
        scores.map((s) => s >= t),
        confirm,
      ),
      sessions,
    );
  const model = at(point.knob, point.confirm);
  const rate = fitRateRule(train, sessions);
  const profile = fitProfile(train, sessions, [FEATURE_NAMES.indexOf('rate'), FEATURE_NAMES.indexOf('routeSurge')]);
  const fullProfile = fitProfile(
    train,
    sessions,
    FEATURE_NAMES.map((_, i) => i),
  );
  const knob = (p: OperatingPoint<unknown>, what: string): string =>
    `${what}, ${p.confirm} window${p.confirm > 1 ? 's' : ''} in a row${p.withinBudget ? '' : ' (no knob met the budget on the training sessions)'}`;
  const baselines = {
    rate: { knob: knob(rate, `rate ≥ ${rate.knob} req/s`), metrics: evaluate(test, rate.flag(test), sessions) },
    routeRateProfile: {
      knob: knob(profile, `allowlist: per-route ranges of client rate and route surge, q = ${profile.knob}`),
      metrics: evaluate(test, profile.flag(test), sessions),
    },
    fullProfile: {
      knob: knob(fullProfile, `allowlist: per-route ranges of all ${FEATURE_COUNT} features, q = ${fullProfile.knob}`),
      metrics: evaluate(test, fullProfile.flag(test), sessions),
    },
  };
  // For the card only (chosen out-of-fold, not here): what other operating points do on test.
  const sweep = [0.8, 0.9, 0.95, 0.98, 0.99, 0.995].flatMap((t) =>
    [1, 2, 3].map((confirm) => {
      const m = at(t, confirm);
      return { threshold: t, confirm, ...m.overall, macroRecall: macroRecall(m) };
    }),
  );
  return { model, baselines, sweep };
}

function printComparison(c: ReturnType<typeof compare>, point: OperatingPoint<number>): void {
  console.log(
    `\nHeld-out sessions, threshold ${point.knob}, ${point.confirm} windows in a row:\n${metricsTable('petri anomaly model', c.model)}`,
  );
  for (const [name, b] of Object.entries(c.baselines)) console.log(`\n${b.knob}:\n${metricsTable(name, b.metrics)}`);
  console.log('\nthreshold × confirmation sweep on the test sessions (overall):');
  for (const s of c.sweep)
    console.log(
      `  ${s.threshold} × ${s.confirm}: precision ${(100 * s.precision).toFixed(1)} %, recall ${(100 * s.recall).toFixed(1)} %, ` +
        `macro recall ${(100 * s.macroRecall).toFixed(1)} %, benign clients flagged ${s.benignClientsFlagged}/${s.benignClients}, ` +
        `FP windows ${s.falsePositives}/${s.benignWindows}`,
    );
}

/** Fits the model and the baselines, scores the held-out sessions, prints tables, writes files. */
export async function trainAndEvaluate(dataset: Dataset, o: TrainEvalOptions): Promise<void> {
  const started = performance.now();
  const split = new Map(dataset.sessions.map((s) => [s.seed, s.split]));
  const train = dataset.rows.filter((r) => split.get(r.session) === 'train');
  const test = dataset.rows.filter((r) => split.get(r.session) === 'test');
  console.log(
    `windows: train ${train.length} ${JSON.stringify(summary(train))}; test ${test.length} ${JSON.stringify(summary(test))}`,
  );
  const fitted = fitModel(train, dataset.sessions, o);
  const seconds = (performance.now() - started) / 1000;
  const point = fitted.point;
  const v = point.validation;
  console.log(
    `\ntrained in ${seconds.toFixed(1)} s; operating point out-of-fold: threshold ${point.knob}, ${point.confirm} windows in a row ` +
      `(${point.withinBudget ? 'within' : 'NOT within'} the budget: benign clients ${v.benignClientsFlagged}/${v.benignClients}, ` +
      `windows ${v.falsePositives}/${v.benignWindows}; macro recall ${(100 * v.macroRecall).toFixed(1)} %)`,
  );
  const comparison = compare(fitted.weights, point, train, test, dataset.sessions);
  printComparison(comparison, point);
  const metadata = {
    trainedOn: `${train.length} windows from ${new Set(train.map((r) => r.session)).size} sessions`,
    seed: String(o.seed),
    threshold: String(point.knob),
    confirmWindows: String(point.confirm),
    ...(o.datasetBytes ? { dataset: createHash('sha256').update(o.datasetBytes).digest('hex').slice(0, 16) } : {}),
  };
  const bytes = await encodeModel(anomalyGraph(fitted.weights, metadata));
  const check = await parity(
    bytes,
    test.filter((_, i) => i % 7 === 0),
  );
  console.log(
    `\nONNX vs TypeScript reference: max |Δscore| ${check.score.toExponential(2)}, max |Δcontribution| ${check.contributions.toExponential(2)}`,
  );
  console.log(`model ${bytes.length} bytes`);
  if (!o.out) return;
  writeFileSync(o.out, bytes);
  const { datasetBytes: _bytes, ...options } = o;
  const report = {
    options: { ...options, out: relative(join(import.meta.dirname, '..', '..'), o.out) },
    windows: { train: summary(train), test: summary(test) },
    trainingSeconds: seconds,
    budget: BUDGET,
    model: {
      threshold: point.knob,
      confirmWindows: point.confirm,
      outOfFold: point.validation,
      metrics: comparison.model,
      sweep: comparison.sweep,
    },
    baselines: comparison.baselines,
    parity: check,
  };
  const evalFile = join(o.out, '..', 'anomaly.eval.json');
  writeFileSync(
    evalFile,
    `${JSON.stringify(report, (_, v: unknown) => (typeof v === 'number' ? Math.round(v * 1e6) / 1e6 : v), 1)}\n`,
  );
  console.log(`wrote ${o.out} and ${evalFile}`);
}
