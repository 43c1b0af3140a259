// Trains the request-rate forecaster on NASA July 1995 and evaluates it on NASA August 1995
// against seasonal-naive, persistence and linear autoregression; writes models/forecast.onnx and
// models/forecast.eval.json (the numbers in models/README.md).
//
//   node --import tsx models/train-forecast.ts [--epochs 40] [--hidden 32] [--seed 7] [--out models/forecast.onnx]
//
// Seeded and single-threaded: the same flags give the same bytes.
import { writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { encodeModel, OnnxModel } from '../engine/models/index.ts';
import { forecastGraph, forecastReference, type ForecastWeights } from '../engine/scaling/index.ts';
import { loadTrace, minuteOfDay, TRACES_DIR, type Trace } from '../engine/traces/index.ts';
import { fitLinearAr, historyOf, predictLinearAr, trainForecaster, windows, type Window } from './lib/forecast-train.ts';
import { ErrorTally } from './lib/metrics.ts';

const { values: flags } = parseArgs({
  options: {
    epochs: { type: 'string', default: '40' },
    hidden: { type: 'string', default: '32' },
    history: { type: 'string', default: '60' },
    horizon: { type: 'string', default: '10' },
    'level-power': { type: 'string', default: '1' },
    quantiles: { type: 'string', default: '0.9,0.95,0.99' },
    lr: { type: 'string', default: '0.001' },
    decay: { type: 'string', default: '0.0001' },
    seed: { type: 'string', default: '7' },
    out: { type: 'string', default: join(import.meta.dirname, 'forecast.onnx') },
    'no-write': { type: 'boolean', default: false },
  },
});
const N = Number(flags.history);
const QUANTILES = flags.quantiles ? flags.quantiles.split(',').map(Number) : [];
const H = Number(flags.horizon);
const DAY = 1440;
/** July days 1–21 train, days 22–28 validate (model selection); August is never looked at until the end. */
const TRAIN_END = 21 * DAY;

type Predict = (w: Window) => ArrayLike<number>;

/** MAE of the in-sample seasonal-naive (m = 1 day) one-step forecast: the MASE denominator. */
function naiveScale(trace: Trace, to: number): number {
  const t = new ErrorTally();
  for (let i = DAY; i < to; i++) if (trace.valid[i] && trace.valid[i - DAY]) t.add(trace.counts[i - DAY]!, trace.counts[i]!);
  return t.mae;
}

interface Score {
  mase: number[];
  smape: number[];
  maseMean: number;
  smapeMean: number;
}

function score(ws: Window[], predict: Predict, scale: number): Score {
  const tallies = Array.from({ length: H }, () => new ErrorTally());
  for (const w of ws) {
    const f = predict(w);
    for (let h = 0; h < H; h++) tallies[h]!.add(f[h]!, w.trace.counts[w.t + h]!);
  }
  const mase = tallies.map((t) => t.mase(scale));
  const smape = tallies.map((t) => t.smape);
  const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
  return { mase, smape, maseMean: mean(mase), smapeMean: mean(smape) };
}

function seasonalNaive(w: Window): Float64Array {
  return w.trace.counts.slice(w.t - DAY, w.t - DAY + H);
}

/** Windows where the seasonal-naive forecast exists (the previous day is not in a gap). */
function withPreviousDay(ws: Window[]): Window[] {
  return ws.filter((w) => {
    for (let h = 0; h < H; h++) if (w.t + h - DAY < 0 || !w.trace.valid[w.t + h - DAY]) return false;
    return true;
  });
}

async function checkOnnx(weights: ForecastWeights, bytes: Uint8Array, sample: Window[]): Promise<number> {
  const model = await OnnxModel.load(bytes);
  try {
    const rows = sample.map((w) => historyOf(w, N));
    const clock = sample.map((w) => {
      const a = (2 * Math.PI * minuteOfDay(w.trace, w.t - 1)) / DAY;
      return [Math.sin(a), Math.cos(a)];
    });
    const out = await model.runRows({ history: rows, clock });
    let worst = 0;
    sample.forEach((w, i) => {
      const ref = forecastReference(weights, historyOf(w, N), minuteOfDay(w.trace, w.t - 1));
      for (const head of weights.heads)
        for (let h = 0; h < H; h++)
          worst = Math.max(worst, Math.abs(out[head.name]![i]![h]! - ref[head.name]![h]!) / Math.max(1, ref[head.name]![h]!));
    });
    return worst;
  } finally {
    await model.close();
  }
}

interface QuantileScore {
  coverage: number;
  /** Mean pinball loss over all horizons, divided by the MASE scale. */
  scaledPinball: number;
  /** Mean forecast relative to the mean actual (how much capacity the percentile asks for). */
  relativeLevel: number;
}

function quantileScore(ws: Window[], predict: Predict, q: number, scale: number): QuantileScore {
  let covered = 0;
  let pinball = 0;
  let sumF = 0;
  let sumA = 0;
  let n = 0;
  for (const w of ws) {
    const f = predict(w);
    for (let h = 0; h < H; h++) {
      const a = w.trace.counts[w.t + h]!;
      const u = a - f[h]!;
      pinball += u >= 0 ? q * u : (q - 1) * u;
      if (a <= f[h]!) covered++;
      sumF += f[h]!;
      sumA += a;
      n++;
    }
  }
  return { coverage: covered / n, scaledPinball: pinball / n / scale, relativeLevel: sumF / sumA };
}

/** Linear AR plus a constant residual percentile (from the training windows): the quantile baseline. */
function arQuantile(ar: ReturnType<typeof fitLinearAr>, train: Window[], q: number): Predict {
  const offsets = Array.from({ length: H }, (_, h) => {
    const r = train.map((w) => w.trace.counts[w.t + h]! - predictLinearAr(ar, historyOf(w, N))[h]!).sort((a, b) => a - b);
    return r[Math.floor(q * (r.length - 1))]!;
  });
  return (w) => predictLinearAr(ar, historyOf(w, N)).map((v, h) => Math.max(0, v + offsets[h]!));
}

function quantileTable(rows: Array<[string, number, QuantileScore]>): string {
  const lines = [
    '| model | percentile | coverage | scaled pinball loss | mean forecast / mean actual |',
    '| --- | --- | --- | --- | --- |',
  ];
  for (const [name, q, s] of rows)
    lines.push(
      `| ${name} | ${q} | ${(100 * s.coverage).toFixed(1)} % | ${s.scaledPinball.toFixed(4)} | ${s.relativeLevel.toFixed(3)} |`,
    );
  return lines.join('\n');
}

function table(rows: Array<[string, Score]>): string {
  const f = (x: number): string => x.toFixed(3);
  const lines = [
    '| model | MASE h=1 | MASE h=5 | MASE h=10 | MASE mean | sMAPE mean % |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  for (const [name, s] of rows)
    lines.push(
      `| ${name} | ${f(s.mase[0]!)} | ${f(s.mase[4] ?? NaN)} | ${f(s.mase[H - 1]!)} | ${f(s.maseMean)} | ${s.smapeMean.toFixed(2)} |`,
    );
  return lines.join('\n');
}

async function main(): Promise<void> {
  const started = performance.now();
  const jul = loadTrace(join(TRACES_DIR, 'nasa_jul95_1min.csv'));
  const aug = loadTrace(join(TRACES_DIR, 'nasa_aug95_1min.csv'));
  const train = windows(jul, 0, TRAIN_END, N, H);
  const val = windows(jul, TRAIN_END - N, jul.counts.length, N, H);
  const test = withPreviousDay(windows(aug, 0, aug.counts.length, N, H));
  const valScored = withPreviousDay(val);
  console.log(`windows: train ${train.length}, validation ${val.length}, test (August) ${test.length}`);

  const scale = naiveScale(jul, TRAIN_END);
  const ar = fitLinearAr(train, N, H);
  const log: Array<{ head: string; epoch: number; val: number }> = [];
  const { weights, heads } = trainForecaster(train, val, {
    history: N,
    horizon: H,
    hidden: Number(flags.hidden),
    quantiles: QUANTILES,
    epochs: Number(flags.epochs),
    batch: 128,
    learningRate: Number(flags.lr),
    weightDecay: Number(flags.decay),
    levelPower: Number(flags['level-power']),
    seed: Number(flags.seed),
    onEpoch: (head, epoch, va) => {
      log.push({ head, epoch, val: va });
      if (epoch % 10 === 0) console.log(`${head} epoch ${epoch}: validation loss ${va.toFixed(4)} × the linear start`);
    },
  });
  const trainSeconds = (performance.now() - started) / 1000;

  const mlp: Predict = (w) => forecastReference(weights, historyOf(w, N), minuteOfDay(w.trace, w.t - 1))['forecast']!;
  const models: Array<[string, Predict]> = [
    ['seasonal naive (1 day)', seasonalNaive],
    ['persistence (last minute)', (w) => new Float64Array(H).fill(w.trace.counts[w.t - 1]!)],
    [`linear AR(${N})`, (w) => predictLinearAr(ar, historyOf(w, N))],
    ['petri forecaster (ONNX)', mlp],
  ];
  const testRows = models.map(([name, p]): [string, Score] => [name, score(test, p, scale)]);
  const valRows = models.map(([name, p]): [string, Score] => [name, score(valScored, p, scale)]);
  console.log(`\nAugust 1995 (held out), ${test.length} windows, MASE scale = in-sample seasonal-naive MAE ${scale.toFixed(2)}:`);
  console.log(table(testRows));
  console.log(`\nJuly days 22–28 (validation), ${valScored.length} windows:`);
  console.log(table(valRows));

  const quantileRows: Array<[string, number, QuantileScore]> = [];
  for (const q of QUANTILES) {
    const name = `q${Math.round(q * 100)}`;
    const model: Predict = (w) => forecastReference(weights, historyOf(w, N), minuteOfDay(w.trace, w.t - 1))[name]!;
    quantileRows.push([`linear AR(${N}) + July residual percentile`, q, quantileScore(test, arQuantile(ar, train, q), q, scale)]);
    quantileRows.push(['petri forecaster (ONNX)', q, quantileScore(test, model, q, scale)]);
  }
  if (quantileRows.length) console.log(`\nAugust percentile heads:\n${quantileTable(quantileRows)}`);

  const bytes = await encodeModel(
    forecastGraph(weights, {
      trainedOn: 'nasa_jul95_1min.csv days 1-21',
      seed: String(flags.seed),
    }),
  );
  const parity = await checkOnnx(
    weights,
    bytes,
    test.filter((_, i) => i % 97 === 0),
  );
  for (const h of heads)
    console.log(`${h.name}: best epoch ${h.bestEpoch}, validation loss ${h.relativeValLoss.toFixed(4)} × linear`);
  console.log(`ONNX vs TypeScript reference: max relative difference ${parity.toExponential(2)}`);
  console.log(`trained and evaluated in ${trainSeconds.toFixed(1)} s; model ${bytes.length} bytes`);
  if (flags['no-write']) return;
  writeFileSync(flags.out, bytes);
  const evalFile = join(import.meta.dirname, 'forecast.eval.json');
  const report = {
    // the output path relative to the repository, so the file does not depend on where it was trained
    flags: { ...flags, out: relative(join(import.meta.dirname, '..'), flags.out) },
    windows: { train: train.length, validation: val.length, test: test.length },
    scale,
    heads,
    parity,
    log,
  };
  const quantiles = quantileRows.map(([name, q, sc]) => ({ name, q, ...sc }));
  writeFileSync(
    evalFile,
    `${JSON.stringify({ ...report, test: Object.fromEntries(testRows), validation: Object.fromEntries(valRows), quantiles }, null, 1)}\n`,
  );
  console.log(`wrote ${flags.out} and ${evalFile}`);
}

await main();
