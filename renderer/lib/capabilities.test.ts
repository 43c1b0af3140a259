// Pure logic of the Faults & Attacks, Immune, Signals, Recycling and Scaling views.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { IncidentView, JobRunView, ScalingCellView, StreamStats } from '../../engine/api/schema.ts';
import type { PetriEvent } from '../../engine/api/events.ts';
import { ago, formatBytes, formatSpan, timeLeft } from './durations.ts';
import type { EventRow } from './event-log.ts';
import { buildAttackSpec, buildFaultSpec, describeFault, FAULT_FIELDS } from './fault-form.ts';
import { containedInMs, evidenceLines, firstQuarantines, refusedBy } from './immune-figures.ts';
import { addOutcomes, formatCount, freedTable, loadTable, replicasTable } from './series.ts';
import { describeChange, editorKind, parseInput, showRollout, showValue, sliderStep } from './signal-edit.ts';

const row = (seq: number, type: string, data: Record<string, unknown>, time = seq * 1000): EventRow => ({
  seq,
  domain: type.split('.')[0]!,
  event: { seq, id: String(seq), time, type, data, runId: 1 } as unknown as PetriEvent,
});

describe('durations', () => {
  it('formats spans, time left and ago', () => {
    assert.equal(formatSpan(850), '850 ms');
    assert.equal(formatSpan(12_400), '12s');
    assert.equal(formatSpan(245_000), '4m 05s');
    assert.equal(formatSpan(7_800_000), '2h 10m');
    assert.equal(timeLeft(null, 0), 'until cleared');
    assert.equal(timeLeft(10_000, 0), '10s left');
    assert.equal(timeLeft(10_000, 9_100), '1s left', 'rounds up: never says 0s while running');
    assert.equal(timeLeft(10_000, 10_001), 'ending');
    assert.equal(ago(1000, 1500), 'just now');
    assert.equal(ago(0, 65_000), '1m 05s ago');
  });

  it('formats bytes', () => {
    assert.equal(formatBytes(0), '0 B');
    assert.equal(formatBytes(512), '512 B');
    assert.equal(formatBytes(1500), '1.5 kB');
    assert.equal(formatBytes(12_345_678), '12 MB');
  });
});

describe('fault and attack forms', () => {
  it('every fault kind names its fields, and the ones it needs', () => {
    assert.deepEqual(
      FAULT_FIELDS.latency.filter((f) => f.required).map((f) => f.field),
      ['cell', 'add'],
    );
    assert.deepEqual(
      FAULT_FIELDS.partition.filter((f) => f.required).map((f) => f.field),
      ['cell', 'to'],
    );
    assert.deepEqual(
      FAULT_FIELDS['bus-outage'].map((f) => f.field),
      ['mode', 'for'],
    );
  });

  it('builds a spec from the kind’s fields only, numbers as numbers, empties left out', () => {
    const values = { cell: 'inventory', add: '150ms', jitter: '', probability: '0.5', to: 'cart', for: '30s', name: ' ' };
    assert.deepEqual(buildFaultSpec('latency', values), {
      kind: 'latency',
      cell: 'inventory',
      add: '150ms',
      probability: 0.5,
      for: '30s',
    });
    assert.deepEqual(buildFaultSpec('error', { cell: 'payments', rate: '0.3', status: '503' }), {
      kind: 'error',
      cell: 'payments',
      rate: 0.3,
      status: 503,
    });
    assert.deepEqual(buildFaultSpec('throttle', { cell: 'catalog', rate: '20/s' }), {
      kind: 'throttle',
      cell: 'catalog',
      rate: '20/s',
    });
  });

  it('builds attack specs with a default rate', () => {
    assert.deepEqual(buildAttackSpec('flood', { route: 'GET /products', rate: '400/s', clients: '2', for: '20s' }), {
      kind: 'flood',
      route: 'GET /products',
      rate: '400/s',
      clients: 2,
      for: '20s',
    });
    assert.deepEqual(buildAttackSpec('injection', {}), { kind: 'injection', rate: 100 });
    // A number input binds a number, not text.
    assert.deepEqual(buildAttackSpec('flood', { rate: 50, clients: 3, for: null }), { kind: 'flood', rate: 50, clients: 3 });
  });

  it('describes faults in a line', () => {
    assert.equal(
      describeFault({ kind: 'latency', cell: 'inventory', op: 'stock', add: '150ms', probability: 0.5 }),
      '+150ms on inventory.stock, p 0.5',
    );
    assert.equal(describeFault({ kind: 'partition', cell: 'cart', to: 'inventory' }), 'cart ⟷ inventory cut');
    assert.equal(describeFault({ kind: 'bus-outage', for: '5s' }), 'nats-server paused');
    assert.equal(describeFault({ kind: 'error', cell: 'payments', rate: 0.3, status: 503 }), '30% of requests → 503 on payments');
  });
});

describe('signal editors', () => {
  it('picks the control from the type and bounds', () => {
    assert.equal(editorKind({ type: 'number', secret: false, min: 0, max: 10 }), 'slider');
    assert.equal(editorKind({ type: 'number', secret: false, min: 0 }), 'number');
    assert.equal(editorKind({ type: 'flag', secret: false }), 'toggle');
    assert.equal(editorKind({ type: 'bool', secret: false }), 'toggle');
    assert.equal(editorKind({ type: 'enum', secret: false, values: ['a', 'b'] }), 'select');
    assert.equal(editorKind({ type: 'duration', secret: false }), 'text');
    assert.equal(editorKind({ type: 'string', secret: true }), 'secret');
  });

  it('chooses a round slider step of about a hundredth of the range', () => {
    assert.equal(sliderStep(0, 1), 0.01);
    assert.equal(sliderStep(0, 1000), 10);
    assert.equal(sliderStep(0.01, 1), 0.001);
    assert.equal(sliderStep(5, 5), 1);
  });

  it('parses typed values and says what is wrong', () => {
    assert.deepEqual(parseInput('number', ' 2.5 '), { value: 2.5 });
    assert.deepEqual(parseInput('number', ''), { value: null });
    assert.deepEqual(parseInput('number', 'abc'), { error: '“abc” is not a number' });
    assert.deepEqual(parseInput('flag', 'on'), { value: true });
    assert.deepEqual(parseInput('duration', '5m'), { value: '5m' });
  });

  it('shows values and changes', () => {
    assert.equal(showValue(null), 'not set');
    assert.equal(showValue(true, 'flag'), 'on');
    assert.equal(showValue(0.1 + 0.2), '0.3');
    assert.equal(describeChange(undefined, 1), 'set to 1');
    assert.equal(describeChange(1, 2.5), '1 → 2.5 (+150%)');
    assert.equal(describeChange(2, 1), '2 → 1 (-50%)');
    assert.equal(describeChange(false, true, 'flag'), 'off → on');
    assert.equal(describeChange(null, 0.2), 'not set → 0.2');
    assert.equal(describeChange('5m', '5m'), '5m (unchanged)');
    assert.equal(showRollout(0.1), '10%');
    assert.equal(showRollout(undefined), 'everyone');
  });
});

describe('immune figures', () => {
  const rows = [
    row(1, 'immune.blocked', { client: 'a', layer: 'connections', kind: 'rate-abuse', count: 12 }),
    row(2, 'immune.throttled', { client: 'a', layer: 'rate-limit', kind: 'rate-abuse', count: 21 }),
    row(3, 'immune.blocked', { client: 'b', layer: 'waf', evidence: { classes: ['sqli', 'xss'] } }),
    row(4, 'immune.quarantined', { client: 'a' }, 4000),
    row(5, 'immune.quarantined', { client: 'b' }, 5500),
    row(6, 'cell.spawned', { count: 99 }),
  ];

  it('counts refused requests by layer and class', () => {
    const r = refusedBy(rows);
    assert.equal(r.total, 34);
    assert.deepEqual(r.layers, [
      { key: 'rate-limit', count: 21 },
      { key: 'connections', count: 12 },
      { key: 'waf', count: 1 },
    ]);
    assert.deepEqual(r.classes, [
      { key: 'rate-abuse', count: 33 },
      { key: 'sqli', count: 1 },
    ]);
  });

  it('measures containment from the incident’s opening to its last client’s quarantine', () => {
    const incident: IncidentView = {
      id: 'i',
      kind: 'rate-abuse',
      openedAt: 3000,
      closedAt: null,
      clients: ['a', 'b'],
      routes: [],
      decisions: 3,
      evidence: [{ client: 'a', layer: 'connections', reason: 'too many' }],
    };
    const first = firstQuarantines(rows, [
      { id: 'q', client: 'c', fingerprint: 'f', kind: 'rate-abuse', reason: '', startedAt: 9000, until: 1e9 },
    ]);
    assert.equal(containedInMs(incident, first), 2500);
    assert.equal(containedInMs({ ...incident, clients: ['a', 'd'] }, first), undefined, 'd is not quarantined');
    assert.equal(containedInMs({ ...incident, openedAt: 6000 }, first), 0, 'quarantined before it opened');
    assert.equal(first.get('c'), 9000);
    assert.deepEqual(evidenceLines(incident), ['a · connections: too many']);
  });
});

describe('chart tables', () => {
  const run = (id: number, at: number, rows: number, bytes: number, outcome: JobRunView['outcome'] = 'ok'): JobRunView => ({
    id,
    job: 'j',
    action: 'prune-events',
    trigger: 'manual',
    runId: 1,
    startedAt: at,
    endedAt: at + 10,
    durationMs: 10,
    outcome,
    rows,
    bytes,
    error: null,
    reason: null,
    details: {},
  });

  it('plots freed rows and bytes of finished runs, oldest first', () => {
    const t = freedTable([run(3, 3000, 5, 500), run(2, 2000, 0, 0, 'skipped'), run(1, 1000, 7, 700)]);
    assert.deepEqual(t, [
      [1.01, 3.01],
      [7, 5],
      [700, 500],
    ]);
  });

  it('plots replicas, load and forecast of a scaled cell', () => {
    const cell: Pick<ScalingCellView, 'decisions' | 'forecast'> = {
      decisions: [
        { cell: 'c', t: 120_000, policy: 'hpa', current: 2, desired: 3, reason: 'r', message: '', inputs: { rps: 40 } },
        { cell: 'c', t: 60_000, policy: 'hpa', current: 2, desired: 2, reason: 'r', message: '', inputs: { rps: null } },
      ],
      forecast: { firstMinute: 2, heads: { forecast: [50, 60], q95: [70, 80] } },
    };
    assert.deepEqual(replicasTable(cell), [
      [60, 120],
      [2, 2],
      [2, 3],
    ]);
    assert.deepEqual(loadTable(cell), [
      [60, 120, 180],
      [null, 40, null],
      [null, 50, 60],
    ]);
  });

  it('sums stream outcomes over frames', () => {
    const s = (name: string, ok: number, blocked: number, rps: number): StreamStats =>
      ({
        name,
        sent: ok + blocked,
        count: ok + blocked,
        rps,
        ok,
        c4xx: blocked,
        c5xx: 0,
        blocked,
        timeouts: 0,
        errors: 0,
      }) as StreamStats;
    let totals = addOutcomes(new Map(), [s('shoppers', 20, 0, 20), s('flood-1', 10, 300, 310)]);
    totals = addOutcomes(totals, [s('shoppers', 19, 1, 20)]);
    assert.deepEqual(totals.get('shoppers'), { sent: 40, ok: 39, c4xx: 1, c5xx: 0, blocked: 1, timeouts: 0, errors: 0, rps: 20 });
    assert.equal(totals.get('flood-1')!.blocked, 300);
  });

  it('formats counts', () => {
    assert.equal(formatCount(12), '12');
    assert.equal(formatCount(1234), '1.2k');
    assert.equal(formatCount(3_400_000), '3.4M');
  });
});
