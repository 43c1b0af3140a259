// The shipped forecaster (models/forecast.onnx) through engine/models' runtime gives what the
// TypeScript reference forward pass gives on the same weights, on real August windows.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { decodeModel } from '../../engine/models/index.ts';
import {
  DEFAULT_FORECAST_MODEL,
  OnnxForecaster,
  forecastReference,
  localMinuteOfDay,
  weightsFromModel,
} from '../../engine/scaling/index.ts';
import { loadTrace, TRACES_DIR } from '../../engine/traces/index.ts';

test('models/forecast.onnx matches the TypeScript reference on August windows, in one batch', async () => {
  const weights = weightsFromModel(await decodeModel(new Uint8Array(readFileSync(DEFAULT_FORECAST_MODEL))));
  assert.ok(weights.heads.length >= 1 && weights.heads[0]!.name === 'forecast');
  const aug = loadTrace(join(TRACES_DIR, 'nasa_aug95_1min.csv'));
  const forecaster = await OnnxForecaster.load(DEFAULT_FORECAST_MODEL, { utcOffsetMinutes: aug.utcOffsetMinutes });
  try {
    assert.equal(forecaster.history, weights.history);
    assert.equal(forecaster.horizon, weights.horizon);
    const startMinute = Math.floor(aug.startMs / 60_000);
    // 64 windows spread over the month after the outage, scaled to req/s of a busy cell
    const ends = Array.from({ length: 64 }, (_, i) => 3_300 + i * 640);
    const requests = ends.map((end) => ({
      history: aug.counts.slice(end - weights.history, end).map((c) => c * 2.5),
      lastMinute: startMinute + end - 1,
    }));
    const started = performance.now();
    const out = await forecaster.forecast(requests);
    const batchMs = performance.now() - started;
    let worst = 0;
    requests.forEach((r, i) => {
      const ref = forecastReference(weights, r.history, localMinuteOfDay(r.lastMinute, aug.utcOffsetMinutes));
      assert.equal(out[i]!.firstMinute, r.lastMinute + 1);
      for (const head of weights.heads)
        for (let h = 0; h < weights.horizon; h++) {
          const a = out[i]!.heads[head.name]![h]!;
          const b = ref[head.name]![h]!;
          worst = Math.max(worst, Math.abs(a - b) / Math.max(1, Math.abs(b)));
        }
    });
    assert.ok(worst < 1e-4, `largest relative difference ${worst}`);
    // sanity: forecasts are on the scale of the history (the model is scale-free)
    const level = requests[10]!.history.reduce((a, b) => a + b, 0) / weights.history;
    const f = out[10]!.heads['forecast']![0]!;
    assert.ok(f > 0.3 * level && f < 3 * level, `forecast ${f} vs level ${level}`);
    assert.ok(batchMs < 1000, `a batch of 64 took ${batchMs} ms`);
  } finally {
    await forecaster.close();
  }
});
