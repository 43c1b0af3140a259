import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isNamedError, type Issue, type ValidationError } from '../errors.ts';
import { parseOrganism } from './load.ts';

const GOOD = `apiVersion: petri/v1
kind: Organism
metadata: { name: shop }
cells:
  - name: catalog
    replicas: 2
    operations:
      - name: list
        latency: { p50: 20ms, p99: 120ms }
        calls: [ { cell: inventory, op: stock, timeout: 200ms, retries: 1 } ]
  - name: inventory
    operations: [ { name: stock, latency: { p50: 5ms, p99: 40ms } } ]
pathways:
  - route: GET /products
    to: catalog.list
signals:
  - { key: catalog.latencyFactor, type: number, value: 1.0 }
recycling:
  - { name: event-retention, schedule: "*/30 * * * * *", action: prune-events, olderThan: 10m }
`;

/** Replaces one line (1-based) of GOOD and returns the issues of the result. */
function issuesWith(line: number, replacement: string): Issue[] {
  const lines = GOOD.split('\n');
  lines[line - 1] = replacement;
  try {
    parseOrganism(lines.join('\n'), 'shop.yaml');
  } catch (err) {
    assert.ok(isNamedError(err, 'ValidationError'), String(err));
    return (err as ValidationError).issues;
  }
  assert.fail('expected a validation error');
}

function only(issues: Issue[]): Issue {
  assert.equal(issues.length, 1, JSON.stringify(issues, null, 1));
  return issues[0]!;
}

test('the reference manifest is valid and normalised', () => {
  const { spec } = parseOrganism(GOOD, 'shop.yaml');
  assert.equal(spec.cells[0]!.operations[0]!.p99Ms, 120);
  assert.equal(spec.cells[0]!.operations[0]!.calls[0]!.timeoutMs, 200);
  assert.equal(spec.cells[1]!.replicas, 1, 'default replicas');
  assert.equal(spec.pathways[0]!.method, 'GET');
  assert.equal(spec.recycling[0]!.olderThanMs, 600_000);
});

test('a wrong type points at the value', () => {
  const i = only(issuesWith(6, '    replicas: two'));
  assert.deepEqual([i.file, i.line, i.col, i.path], ['shop.yaml', 6, 15, 'cells[0].replicas']);
  assert.match(i.message, /must be an integer/);
});

test('an unknown key points at the key and suggests the close one', () => {
  const i = only(issuesWith(6, '    replica: 2'));
  assert.deepEqual([i.line, i.col, i.path], [6, 5, 'cells[0].replica']);
  assert.match(i.message, /unknown key 'replica' \(did you mean 'replicas'\?\)/);
});

test('a bad duration names the expected form', () => {
  const i = only(issuesWith(9, '        latency: { p50: 20 ms, p99: 120ms }'));
  assert.deepEqual([i.line, i.path], [9, 'cells[0].operations[0].latency.p50']);
  assert.match(i.message, /a duration like 250ms/);
});

test('a call to an unknown cell points at the call and suggests', () => {
  const i = only(issuesWith(10, '        calls: [ { cell: inventroy, op: stock } ]'));
  assert.deepEqual([i.line, i.path], [10, 'cells[0].operations[0].calls[0].cell']);
  assert.match(i.message, /unknown cell 'inventroy' \(did you mean 'inventory'\?\)/);
});

test('a pathway to a missing operation lists the operations that exist', () => {
  const i = only(issuesWith(15, '    to: catalog.lst'));
  assert.deepEqual([i.line, i.col, i.path], [15, 9, 'pathways[0].to']);
  assert.match(i.message, /has no operation 'lst'; it has: list/);
});

test('p99 below p50 is refused', () => {
  const i = only(issuesWith(9, '        latency: { p50: 200ms, p99: 120ms }'));
  assert.equal(i.path, 'cells[0].operations[0].latency.p99');
  assert.equal(i.line, 9);
});

test('a missing required key points at the enclosing mapping', () => {
  const i = only(issuesWith(9, '        errorRate: 0.1'));
  assert.equal(i.path, 'cells[0].operations[0]');
  assert.equal(i.line, 8);
  assert.match(i.message, /missing required key 'latency'/);
});

test('an invalid cron schedule is reported on its line', () => {
  const i = only(issuesWith(19, '  - { name: event-retention, schedule: "every minute", action: prune-events, olderThan: 10m }'));
  assert.deepEqual([i.line, i.path], [19, 'recycling[0].schedule']);
  assert.match(i.message, /invalid cron expression/);
});

test('a signal value of the wrong type is refused', () => {
  const i = only(issuesWith(17, '  - { key: catalog.latencyFactor, type: number, value: fast }'));
  assert.deepEqual([i.line, i.path], [17, 'signals[0].value']);
});

test('an enum literal lists the allowed values', () => {
  const lines = GOOD.replace('    replicas: 2\n', '    replicas: 2\n    scaling: { policy: magic }\n');
  assert.throws(
    () => parseOrganism(lines, 'shop.yaml'),
    (err: ValidationError) => {
      const i = only(err.issues);
      assert.equal(i.line, 7);
      assert.match(i.message, /must be one of: "none", "hpa", "queue-lag", "predictive"/);
      return true;
    },
  );
});

test('several mistakes are all reported, each on its own line', () => {
  const text = GOOD.replace('replicas: 2', 'replicas: -1').replace('to: catalog.list', 'to: catalog.list\n    auth: maybe');
  try {
    parseOrganism(text, 'shop.yaml');
    assert.fail('expected errors');
  } catch (err) {
    const issues = (err as ValidationError).issues;
    assert.deepEqual(
      issues.map((i) => [i.line, i.path]).sort(),
      [
        [16, 'pathways[0].auth'],
        [6, 'cells[0].replicas'],
      ].sort(),
    );
  }
});

test('duplicate cells and call cycles are refused', () => {
  const dup = GOOD.replace('  - name: inventory', '  - name: catalog');
  assert.throws(() => parseOrganism(dup, 'x.yaml'), /duplicate cell 'catalog'/);
  const cycle = GOOD.replace(
    'operations: [ { name: stock, latency: { p50: 5ms, p99: 40ms } } ]',
    'operations: [ { name: stock, latency: { p50: 5ms, p99: 40ms }, calls: [ { cell: catalog, op: list } ] } ]',
  );
  assert.throws(() => parseOrganism(cycle, 'x.yaml'), /call cycle: catalog\.list → inventory\.stock → catalog\.list/);
});

test('YAML syntax errors carry their position', () => {
  const i = issuesWith(6, '    replicas: [2')[0]!;
  assert.equal(i.file, 'shop.yaml');
  assert.ok(i.line !== undefined && i.line >= 6, `line ${i.line}`);
});
