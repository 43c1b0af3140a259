import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../../clock.ts';
import type { GatewayRequest } from '../../gateway/index.ts';
import { encodeModel, GraphBuilder, OnnxModel } from '../../models/index.ts';
import type { PathwaySpec } from '../../organism/index.ts';
import { AnomalyDetector, rawFeature, type AnomalyEvidence } from './detector.ts';
import { FEATURE_COUNT, FEATURE_NAMES } from './features.ts';
import { anomalyGraph, anomalyReference, initialWeights, type AnomalyWeights } from './model.ts';

/**
 * A model whose logit is 20·(rate − 0.5): a client above ~32 req/s scores over 0.8 (rate feature
 * 0.5 is 31.6 req/s), one at a few req/s scores near 0.
 */
function rateModel(): AnomalyWeights {
  const w = initialWeights([2, 1], () => 0.5);
  w.w1.fill(0);
  w.w1[0 * 2 + 0] = 1; // rate → unit 0
  w.w2.fill(0);
  w.w2[0] = 1;
  w.w3.fill(20);
  w.b3[0] = -10;
  w.reference.fill(0);
  return w;
}

const ROUTE = { route: 'GET /items/:id', method: 'GET', path: '/items/:id' } as unknown as PathwaySpec;

function request(client: string, now: number): GatewayRequest {
  return {
    method: 'GET',
    path: '/items/3',
    query: '',
    headers: {},
    client,
    pathway: ROUTE,
    params: { id: '3' },
    body: undefined,
    now,
    notes: {},
  };
}

test('the reference forward pass and onnxruntime agree, contributions included', async () => {
  let s = 1;
  const random = (): number => (s = (s * 16807) % 2147483647) / 2147483647;
  const w = initialWeights([8, 4], random);
  w.mean = Float64Array.from({ length: FEATURE_COUNT }, () => random() * 0.5);
  w.std = Float64Array.from({ length: FEATURE_COUNT }, () => 0.1 + random());
  w.reference = Float64Array.from({ length: FEATURE_COUNT }, () => random() - 0.5);
  w.w3 = w.w3.map(() => random() * 2 - 1);
  const model = await OnnxModel.load(await encodeModel(anomalyGraph(w)));
  try {
    const rows = Array.from({ length: 64 }, () => Float32Array.from({ length: FEATURE_COUNT }, () => random()));
    const out = await model.runRows({ features: rows });
    rows.forEach((row, i) => {
      const ref = anomalyReference(w, row);
      assert.ok(Math.abs(out['score']![i]![0]! - ref.score) < 1e-5, `score of row ${i}`);
      for (let k = 0; k < FEATURE_COUNT; k++)
        assert.ok(Math.abs(out['contributions']![i]![k]! - ref.contributions[k]!) < 1e-4, `contribution ${k} of row ${i}`);
    });
  } finally {
    await model.close();
  }
});

test('the detector scores active clients in one batch and reports those at the live threshold', async () => {
  const clock = new ManualClock();
  const model = await OnnxModel.load(await encodeModel(anomalyGraph(rateModel())));
  let threshold = 0.8;
  const flagged: Array<{ client: string; score: number; evidence: AnomalyEvidence; at: number }> = [];
  const detector = await AnomalyDetector.create({
    clock,
    model,
    threshold: () => threshold,
    confirmMs: 0,
    onScore: (client, score, evidence, at) => flagged.push({ client, score, evidence, at }),
  });
  try {
    detector.start();
    const t0 = clock.now();
    // 200 req/s for the 2 s before the first round: rates are counted over at least 2 s
    for (let i = 0; i < 400; i++) {
      const r = request('10.0.0.1', t0 - 2000 + i * 5);
      assert.equal(detector.inspect(r), undefined, 'the detector never refuses');
      detector.observe(r, 200);
    }
    for (let i = 0; i < 3; i++) detector.observe(request('10.0.0.2', t0 + i * 300), 200);
    await clock.advance(1000);
    // onnxruntime answers on its own thread: a round started by the timer finishes later. scoreNow
    // waits for it, then scores the clients seen since (none).
    const empty = await detector.scoreNow();
    assert.equal(empty.clients.length, 0);
    assert.deepEqual(
      flagged.map((f) => f.client),
      ['10.0.0.1'],
      'only the fast client, once: nothing new was observed after the first round',
    );
    const { evidence, score, at } = flagged[0]!;
    assert.ok(score > 0.99 && evidence.score === score && evidence.threshold === 0.8);
    assert.equal(at, t0 + 250, 'scored at the first round');
    assert.equal(evidence.top[0]?.feature, 'rate');
    assert.equal(evidence.route, 'GET /items/:id');
    assert.ok(Math.abs(evidence.top[0]!.raw - 200) < 60, `raw rate ${evidence.top[0]!.raw} req/s`);
    assert.deepEqual(Object.keys(evidence.features), [...FEATURE_NAMES]);
    assert.equal(detector.stats().lastBatch, 0);
    assert.ok(detector.stats().scored === 2 && detector.stats().flagged === 1);

    threshold = 0; // read live: everyone observed since the last round is reported now
    detector.observe(request('10.0.0.2', clock.now()), 200);
    const round = await detector.scoreNow();
    assert.deepEqual(round.clients, ['10.0.0.2']);
    assert.equal(flagged.at(-1)?.client, '10.0.0.2');
    assert.ok(flagged.at(-1)!.score < 0.01);
  } finally {
    await detector.close();
    await model.close();
  }
  assert.equal(clock.pending, 0, 'close stops the timer');
});

test('a model of the wrong shape is refused with a clear error', async () => {
  const g = new GraphBuilder('other');
  g.input('features', ['batch', 3]);
  g.output('score', ['batch', 3]);
  g.op('Sigmoid', ['features'], {}, 'score');
  const other = await OnnxModel.load(await encodeModel(g.model()));
  const options = { clock: new ManualClock(), threshold: () => 0.8, onScore: () => {} };
  try {
    await assert.rejects(AnomalyDetector.create({ ...options, model: other }), /not an anomaly model for this engine/);
  } finally {
    await other.close();
  }
  await assert.rejects(AnomalyDetector.create({ ...options, model: '/nonexistent.onnx' }), /cannot load ONNX model/);
});

test('raw feature values are given back in their units', () => {
  assert.ok(Math.abs(rawFeature('rate', Math.log1p(50) / Math.log1p(1000)).raw - 50) < 1e-9);
  assert.equal(rawFeature('routeSurge', 0.5).raw, 8);
  assert.deepEqual(rawFeature('writes', 0.25), { raw: 0.25, unit: 'share' });
});

test('a client is reported only once it stays high for the confirmation time; one low round starts it over', async () => {
  const clock = new ManualClock();
  const model = await OnnxModel.load(await encodeModel(anomalyGraph(rateModel())));
  const flagged: Array<{ client: string; at: number; sustainedMs: number }> = [];
  const detector = await AnomalyDetector.create({
    clock,
    model,
    threshold: () => 0.8,
    confirmMs: 1500,
    onScore: (client, _score, evidence, at) => flagged.push({ client, at, sustainedMs: evidence.sustainedMs }),
  });
  try {
    const t0 = clock.now();
    // A burst: 120 requests in a second, then one a second — high for two rounds 1 s apart (60 req/s
    // over the 2 s minimum span), low from the third on (122 requests over 3 s).
    const rounds: number[] = [];
    for (let i = 0; i < 120; i++) detector.observe(request('10.0.0.3', t0 - 1000 + i * 8), 200);
    rounds.push((await detector.scoreNow(t0)).scores[0]!);
    for (let s = 1; s <= 5; s++) {
      detector.observe(request('10.0.0.3', t0 + s * 1000 - 500), 200);
      rounds.push((await detector.scoreNow(t0 + s * 1000)).scores[0]!);
    }
    assert.ok(rounds[0]! >= 0.8 && rounds[1]! >= 0.8 && rounds[2]! < 0.8, `scores ${rounds.map((x) => x.toFixed(2)).join(', ')}`);
    assert.equal(flagged.length, 0, 'a burst high for 1 s (< 1.5 s) is not reported');
    // A flood: 200 req/s, scored every 250 ms.
    const t1 = t0 + 20_000;
    for (let r = 0; r < 8; r++) {
      for (let i = 0; i < 50; i++) detector.observe(request('10.0.0.4', t1 - 2000 + r * 250 + i * 5), 200);
      await detector.scoreNow(t1 - 2000 + r * 250 + 250);
    }
    for (let r = 0; r < 6; r++) {
      for (let i = 0; i < 50; i++) detector.observe(request('10.0.0.4', t1 + r * 250 + i * 5), 200);
      await detector.scoreNow(t1 + r * 250 + 250);
    }
    assert.ok(flagged.length > 0, 'a sustained flood is reported');
    assert.ok(flagged.every((f) => f.client === '10.0.0.4' && f.sustainedMs >= 1500));
  } finally {
    await detector.close();
    await model.close();
  }
});
