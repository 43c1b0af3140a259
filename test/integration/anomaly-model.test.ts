// The shipped anomaly model (models/anomaly.onnx): it reads the extractor's features in the
// extractor's order, onnxruntime gives what the TypeScript reference gives on held-out windows
// of the committed data set, and the model card's figures (anomaly.eval.json) are this model's.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  anomalyReference,
  DEFAULT_ANOMALY_CONFIRM_MS,
  DEFAULT_ANOMALY_MODEL,
  DEFAULT_ANOMALY_THRESHOLD,
  FEATURE_COUNT,
  FEATURE_NAMES,
  weightsFromModel,
} from '../../engine/immune/anomaly/index.ts';
import { decodeModel, OnnxModel } from '../../engine/models/index.ts';
import { decodeDataset } from '../../models/lib/anomaly-data.ts';
import { confirmFlags, evaluate, type Metrics } from '../../models/lib/anomaly-eval.ts';

const MODELS = join(import.meta.dirname, '..', '..', 'models');

test('the shipped anomaly model matches its TypeScript reference and its model card', async () => {
  const bytes = new Uint8Array(readFileSync(DEFAULT_ANOMALY_MODEL));
  const decoded = await decodeModel(bytes);
  assert.equal(decoded.metadata['features'], FEATURE_NAMES.join(','), 'features in the order the extractor writes them');
  assert.equal(decoded.opset, 17);
  assert.deepEqual(decoded.inputs, ['features']);
  assert.deepEqual(decoded.outputs, ['score', 'contributions']);
  const weights = weightsFromModel(decoded);

  const dataset = decodeDataset(readFileSync(join(MODELS, 'anomaly.dataset.json.gz')));
  const testSeeds = new Set(dataset.sessions.filter((s) => s.split === 'test').map((s) => s.seed));
  const rows = dataset.rows.filter((r) => testSeeds.has(r.session));
  assert.ok(rows.length > 1000, `${rows.length} held-out windows`);

  const model = await OnnxModel.load(bytes);
  try {
    const sample = rows.filter((_, i) => i % 11 === 0);
    const out = await model.runRows({ features: sample.map((r) => r.features) });
    let worstScore = 0;
    let worstContribution = 0;
    sample.forEach((r, i) => {
      const ref = anomalyReference(weights, r.features);
      worstScore = Math.max(worstScore, Math.abs(out['score']![i]![0]! - ref.score));
      for (let k = 0; k < FEATURE_COUNT; k++)
        worstContribution = Math.max(worstContribution, Math.abs(out['contributions']![i]![k]! - ref.contributions[k]!));
    });
    assert.ok(worstScore < 1e-5, `max |Δscore| ${worstScore}`);
    assert.ok(worstContribution < 1e-3, `max |Δcontribution| ${worstContribution}`);
  } finally {
    await model.close();
  }

  // The card's held-out figures, recomputed from the shipped file (float32 weights) and the data,
  // at the operating point the engine ships (threshold and confirmation).
  const card = JSON.parse(readFileSync(join(MODELS, 'anomaly.eval.json'), 'utf8')) as {
    model: { metrics: Metrics; threshold: number; confirmWindows: number };
  };
  assert.equal(card.model.threshold, DEFAULT_ANOMALY_THRESHOLD, 'the engine default is the card threshold');
  assert.equal(DEFAULT_ANOMALY_CONFIRM_MS, (card.model.confirmWindows - 1) * 1000, 'the engine confirms as the card does');
  assert.equal(decoded.metadata['threshold'], String(DEFAULT_ANOMALY_THRESHOLD));
  const high = rows.map((r) => anomalyReference(weights, r.features).score >= DEFAULT_ANOMALY_THRESHOLD);
  const m = evaluate(rows, confirmFlags(rows, high, card.model.confirmWindows), dataset.sessions);
  assert.ok(
    Math.abs(m.overall.f1 - card.model.metrics.overall.f1) < 0.002,
    `F1 ${m.overall.f1} vs card ${card.model.metrics.overall.f1}`,
  );
  assert.ok(Math.abs(m.overall.precision - card.model.metrics.overall.precision) < 0.002);
  assert.equal(m.overall.benignClientsFlagged, card.model.metrics.overall.benignClientsFlagged);
});
