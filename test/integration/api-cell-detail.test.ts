// GET /api/cells/:name: a cell with its replicas' latest statistics, and — on request — their
// latency buckets, which the UI's cell panel turns into a histogram.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError } from '../../engine/api/client.ts';
import { ECHO_ORGANISM, eventually, startEngine } from '../helpers/engine.ts';
import { http } from '../helpers/http.ts';

describe('cell detail and metrics parts API', () => {
  it('returns replica stats, with histograms only when asked', async () => {
    await using t = await startEngine({ yaml: ECHO_ORGANISM, api: true });
    const api = t.api!;
    // One interval under the test's control: no timer tick may split the requests.
    t.engine.collector.stop();
    t.engine.collector.tick();
    for (let i = 0; i < 20; i++) assert.equal((await http(`${t.gateway}/hello`)).status, 200);
    t.engine.collector.tick();
    const withHist = await api.cell('echo', { histograms: true });
    assert.equal(withHist.name, 'echo');
    assert.equal(withHist.t, t.engine.collector.latest!.t);
    assert.equal(withHist.replicaStats.length, 1);
    const r = withHist.replicaStats[0]!;
    assert.equal(r.count, 20);
    const buckets = r.histogram ?? [];
    assert.equal(
      buckets.reduce((s, [, c]) => s + c, 0),
      20,
      'the buckets hold every request of the interval',
    );
    assert.ok(buckets.every(([ms]) => ms >= 0 && ms < 100));

    const plain = await api.cell('echo');
    assert.equal(plain.replicaStats[0]!.histogram, undefined);
    const frame = (await api.metrics()).frames.at(-1)!;
    assert.equal(frame.replicas[0]!.histogram, undefined, 'frames on the stream stay small');

    // A history of routes and cells only, for the UI's charts.
    const slim = (await api.metrics(undefined, ['routes', 'cells'])).frames.at(-1)!;
    assert.equal(slim.t, frame.t);
    assert.deepEqual(slim.cells, frame.cells);
    assert.deepEqual(slim.routes, frame.routes);
    assert.deepEqual([slim.replicas, slim.edges, slim.streams], [[], [], []]);
  });

  it('refuses a bad histograms flag and an unknown cell', async () => {
    await using t = await startEngine({ yaml: ECHO_ORGANISM, api: true });
    const bad = await t.api!.request('GET', '/api/cells/echo?histograms=maybe').catch((e: unknown) => e);
    assert.ok(bad instanceof ApiError);
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.problem?.errors?.[0]?.path, 'histograms');
    const parts = await t.api!.request('GET', '/api/metrics?parts=routes,bogus').catch((e: unknown) => e);
    assert.equal((parts as ApiError).status, 400);
    assert.match((parts as ApiError).message, /unknown part\(s\) bogus/);
    const missing = await t.api!.cell('nope').catch((e: unknown) => e);
    assert.equal((missing as ApiError).status, 404);
    assert.ok(await eventually(() => t.engine.collector.latest !== undefined, 3000));
  });
});
