// The ONNX adapter end to end: a graph written by engine/models runs in onnxruntime-node and
// gives the numbers a hand computation gives.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { GraphBuilder, OnnxModel, attr, decodeModel, encodeModel } from '../../engine/models/index.ts';
import { tempDir } from '../helpers/tmp.ts';

async function tinyMlp(): Promise<Uint8Array> {
  // y = relu(x·W1 + b1)·W2 + b2 ; plus a ReduceMean output to exercise attributes.
  const g = new GraphBuilder('tiny');
  const x = g.input('x', ['batch', 3]);
  const h = g.op('Relu', [g.linear(x, 'l1', [1, 0, -1, 0, 1, 1], [0, -1], 3, 2)]);
  g.output('y', ['batch', 1]);
  g.op('Add', [g.op('MatMul', [h, g.constant('w2', [2, 3], [2, 1])]), g.constant('b2', [0.5], [1])], {}, 'y');
  g.output('mean', ['batch', 1]);
  g.op('ReduceMean', [x], { axes: attr.ints([1]), keepdims: attr.int(1) }, 'mean');
  return encodeModel(g.model({ metadata: { purpose: 'test' } }));
}

function reference(x: number[]): number {
  const h0 = Math.max(0, x[0]! * 1 + x[1]! * -1 + x[2]! * 1 + 0);
  const h1 = Math.max(0, x[0]! * 0 + x[1]! * 0 + x[2]! * 1 - 1);
  return h0 * 2 + h1 * 3 + 0.5;
}

test('a graph written in TypeScript runs in onnxruntime and matches the hand computation', async () => {
  const bytes = await tinyMlp();
  const decoded = await decodeModel(bytes);
  assert.equal(decoded.irVersion, 8);
  assert.equal(decoded.opset, 17);
  assert.deepEqual(decoded.metadata, { purpose: 'test' });
  assert.deepEqual(decoded.ops, ['MatMul', 'Add', 'Relu', 'MatMul', 'Add', 'ReduceMean']);
  assert.deepEqual([...decoded.initializers['w2']!.data], [2, 3]);

  const model = await OnnxModel.load(bytes);
  try {
    assert.deepEqual(
      model.inputs.map((p) => [p.name, [...p.shape]]),
      [['x', ['batch', 3]]],
    );
    const rows = [
      [1, 2, 3],
      [0.5, -1, 4],
      [-2, 0, 0],
    ];
    const out = await model.runRows({ x: rows });
    rows.forEach((row, i) => {
      assert.ok(Math.abs(out['y']![i]![0]! - reference(row)) < 1e-5, `row ${i}`);
      assert.ok(Math.abs(out['mean']![i]![0]! - (row[0]! + row[1]! + row[2]!) / 3) < 1e-6);
    });
  } finally {
    await model.close();
  }
});

test('loading from a file works and a broken file is a DependencyError naming it', async () => {
  using dir = tempDir();
  const file = join(dir.path, 'tiny.onnx');
  writeFileSync(file, await tinyMlp());
  const model = await OnnxModel.load(file);
  const out = await model.run({ x: { data: Float32Array.from([1, 2, 3]), dims: [1, 3] } });
  assert.deepEqual(out['y']!.dims, [1, 1]);
  await model.close();
  const bad = join(dir.path, 'bad.onnx');
  writeFileSync(bad, 'not a model');
  await assert.rejects(OnnxModel.load(bad), (err: Error) => err.name === 'DependencyError' && err.message.includes('bad.onnx'));
});
