// Trains the anomaly model (engine/immune/anomaly) on behaviour windows of labelled traffic the
// project generates with its own load generator and attack kinds against a real engine; evaluates
// it on held-out sessions against two baselines (a request-rate threshold, a per-route allowlist
// profile); writes models/anomaly.onnx and models/anomaly.eval.json (the numbers in README.md).
//
//   node --import tsx models/train-anomaly.ts              train from models/anomaly.dataset.json.gz
//   node --import tsx models/train-anomaly.ts --generate   first regenerate the data set (≈ 30 min)
//
// Training from the committed data set is seeded and single-threaded: the same flags give the
// same bytes. Generating runs real traffic on a shared machine, so a new data set differs in
// timing details (and the metrics by a little); the committed one is what the model card is from.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { FEATURE_NAMES } from '../engine/immune/anomaly/index.ts';
import { decodeDataset, encodeDataset, planSessions, runSession, type Dataset } from './lib/anomaly-data.ts';
import { trainAndEvaluate } from './lib/anomaly-eval.ts';

const { values: flags } = parseArgs({
  options: {
    generate: { type: 'boolean', default: false },
    'train-sessions': { type: 'string', default: '16' },
    'test-sessions': { type: 'string', default: '6' },
    data: { type: 'string', default: join(import.meta.dirname, 'anomaly.dataset.json.gz') },
    epochs: { type: 'string', default: '20' },
    hidden: { type: 'string', default: '32,16' },
    lr: { type: 'string', default: '0.003' },
    decay: { type: 'string', default: '0.0001' },
    'benign-weight': { type: 'string', default: '2' },
    seed: { type: 'string', default: '7' },
    out: { type: 'string', default: join(import.meta.dirname, 'anomaly.onnx') },
    'no-write': { type: 'boolean', default: false },
  },
});

async function generate(file: string): Promise<Dataset> {
  const started = performance.now();
  const load = loadavg()[0]!;
  const plans = [
    ...planSessions(1, Number(flags['train-sessions']), 'train'),
    ...planSessions(101, Number(flags['test-sessions']), 'test'),
  ];
  const sessions: Dataset['sessions'] = [];
  const rows: Dataset['rows'] = [];
  for (const [i, plan] of plans.entries()) {
    const result = await runSession(plan, (line) => console.log(`[${i + 1}/${plans.length}] ${line}`));
    sessions.push({ ...plan, observed: result.observed });
    rows.push(...result.rows);
  }
  const seconds = Math.round((performance.now() - started) / 1000);
  const dataset: Dataset = {
    format: 'petri-anomaly-dataset/1',
    features: [...FEATURE_NAMES],
    generated: { by: 'node --import tsx models/train-anomaly.ts --generate', seconds, loadAverageAtStart: load },
    sessions,
    rows,
  };
  writeFileSync(file, encodeDataset(dataset));
  console.log(`wrote ${file}: ${rows.length} rows from ${sessions.length} sessions in ${seconds} s`);
  return dataset;
}

async function main(): Promise<void> {
  const file = flags.data;
  if (!flags.generate && !existsSync(file)) throw new Error(`${file} does not exist: run with --generate first`);
  const dataset = flags.generate ? await generate(file) : decodeDataset(readFileSync(file));
  if (dataset.features.join(',') !== FEATURE_NAMES.join(','))
    throw new Error(
      `${file} has features [${dataset.features.join(', ')}], the extractor computes [${FEATURE_NAMES.join(', ')}]: regenerate it`,
    );
  await trainAndEvaluate(dataset, {
    epochs: Number(flags.epochs),
    hidden: flags.hidden.split(',').map(Number) as [number, number],
    seed: Number(flags.seed),
    learningRate: Number(flags.lr),
    weightDecay: Number(flags.decay),
    benignWeight: Number(flags['benign-weight']),
    out: flags['no-write'] ? undefined : flags.out,
    datasetBytes: readFileSync(file),
  });
}

await main();
