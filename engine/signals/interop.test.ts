import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detectFormat, envStyle, parseEnv, planEnvImport, toEnv, type InteropSignal } from './interop.ts';
import { planFlagdImport, rolloutWeights, toFlagd } from './flagd.ts';
import { evaluate, murmur3 } from './flags.ts';

const SIGNALS: InteropSignal[] = [
  {
    key: 'catalog.latencyFactor',
    type: 'number',
    value: 1.5,
    secret: false,
    min: 0,
    max: 1000,
    description: 'multiplies latency',
  },
  { key: 'catalog.errorRate', type: 'number', value: null, secret: false, min: 0, max: 1 },
  { key: 'checkout.newFlow', type: 'flag', value: false, secret: false, rollout: 0.1 },
  {
    key: 'checkout.beta',
    type: 'flag',
    value: false,
    secret: false,
    rollout: 0.125,
    targeting: [{ attribute: 'plan', in: ['gold'], value: true }],
  },
  { key: 'search.enabled', type: 'bool', value: true, secret: false },
  { key: 'greeting', type: 'string', value: 'hello "world" # not a comment', secret: false },
  { key: 'motd', type: 'string', value: "it's\nmultiline", secret: false },
  { key: 'cache.ttl', type: 'duration', value: '250ms', secret: false },
  { key: 'mode', type: 'enum', value: 'fast', values: ['fast', 'safe'], secret: false },
  { key: 'tier.limit', type: 'number', value: 10, secret: false, targeting: [{ attribute: 'tier', in: ['pro', 3], value: 100 }] },
  { key: 'db.password', type: 'string', value: 'hunter2-s3cret', secret: true },
];

test('.env round trip: export then import gives back every value; secrets stay out', () => {
  const out = toEnv(SIGNALS, 'organism shop');
  assert.ok(!out.text.includes('hunter2'), 'the secret is not exported');
  assert.deepEqual(out.skipped, [{ key: 'db.password', reason: 'secret' }]);
  const plan = planEnvImport(out.text, SIGNALS);
  assert.deepEqual(plan.issues, []);
  const expected = SIGNALS.filter((s) => !s.secret).map((s) => ({ key: s.key, value: s.value }));
  assert.deepEqual(
    plan.changes.map(({ line: _line, ...c }) => c),
    expected,
  );
});

test('.env import: shell-style names, export prefix, quotes, comments; precise errors with lines', () => {
  const text = [
    '# comment',
    'export CATALOG_LATENCYFACTOR=2 # inline comment',
    "greeting='single # kept'",
    'checkout.newFlow=on',
    'mode=',
    'catalog.errorRate=abc',
    'nope.key=1',
    'search.enabled=maybe',
    'broken line',
    'greeting="unterminated',
  ].join('\n');
  const plan = planEnvImport(text, SIGNALS, 'prod.env');
  assert.deepEqual(plan.changes, [
    { key: 'catalog.latencyFactor', value: 2, line: 2 },
    { key: 'greeting', value: 'single # kept', line: 3 },
    { key: 'checkout.newFlow', value: true, line: 4 },
    { key: 'mode', value: null, line: 5 },
  ]);
  assert.deepEqual(
    plan.issues.map((i) => `${i.file}:${i.line}: ${i.path}: ${i.message}`),
    [
      'prod.env:9: : expected KEY=value, got "broken line"',
      'prod.env:10: greeting: unterminated double quote',
      'prod.env:6: catalog.errorRate: must be a number, got "abc"',
      "prod.env:7: nope.key: no signal 'nope.key' is declared (declare it in the organism manifest)",
      'prod.env:8: search.enabled: must be true or false, got "maybe"',
    ],
  );
  assert.equal(envStyle('checkout.new-flow'), 'CHECKOUT_NEW_FLOW');
  assert.equal(parseEnv('A="x\\ty"').entries[0]!.value, 'x\ty');
});

test('flagd round trip: values, rollouts and targeting come back; secrets and unset values are left out', () => {
  const out = toFlagd(SIGNALS);
  assert.ok(!out.text.includes('hunter2'));
  assert.deepEqual(out.skipped.map((s) => s.key).sort(), ['catalog.errorRate', 'db.password']);
  const doc = JSON.parse(out.text) as { $schema: string; flags: Record<string, Record<string, unknown>> };
  assert.equal(doc.$schema, 'https://flagd.dev/schema/v0/flags.json');
  assert.deepEqual(doc.flags['checkout.newFlow'], {
    state: 'ENABLED',
    variants: { on: true, off: false },
    defaultVariant: 'off',
    targeting: {
      fractional: [
        ['on', 10],
        ['off', 90],
      ],
    },
    metadata: { petriType: 'flag' },
  });
  assert.deepEqual(doc.flags['checkout.beta']!.targeting, {
    if: [
      { in: [{ var: 'plan' }, ['gold']] },
      'on',
      {
        fractional: [
          ['on', 1250],
          ['off', 8750],
        ],
      },
    ],
  });
  const plan = planFlagdImport(out.text, SIGNALS);
  assert.deepEqual(plan.issues, []);
  const byKey = new Map(plan.changes.map((c) => [c.key, c]));
  for (const s of SIGNALS.filter((x) => !x.secret && x.value !== null)) {
    const c = byKey.get(s.key)!;
    assert.deepEqual(c.value, s.value, s.key);
    assert.deepEqual(c.targeting, s.targeting ?? [], `${s.key} targeting`);
    if (s.type === 'flag') assert.equal(c.rollout, s.rollout ?? 0, `${s.key} rollout`);
  }
});

test('flagd import reads files written by hand: == conditions, else-variants, weights by default, DISABLED', () => {
  const text = JSON.stringify({
    flags: {
      'checkout.newFlow': {
        state: 'ENABLED',
        variants: { yes: true, no: false },
        defaultVariant: 'no',
        targeting: {
          if: [
            { '==': [{ var: 'email' }, 'a@b.c'] },
            'yes',
            { fractional: [{ cat: [{ var: '$flagd.flagKey' }, { var: 'targetingKey' }] }, ['yes'], ['no'], ['no'], ['no']] },
          ],
        },
      },
      'search.enabled': { state: 'DISABLED', variants: { on: true, off: false }, defaultVariant: 'on' },
      mode: {
        state: 'ENABLED',
        variants: { a: 'safe', b: 'fast' },
        defaultVariant: 'b',
        targeting: { if: [{ in: [{ var: 'plan' }, ['x']] }, 'a', 'a'] },
      },
      greeting: {
        state: 'ENABLED',
        variants: { d: 'hi' },
        defaultVariant: 'd',
        targeting: { starts_with: [{ var: 'email' }, 'x'] },
      },
      'catalog.latencyFactor': { state: 'ENABLED', variants: { d: 'slow' }, defaultVariant: 'd' },
      'tier.limit': {
        state: 'ENABLED',
        variants: { d: 1, on: true },
        defaultVariant: 'd',
        targeting: {
          fractional: [
            ['on', 1],
            ['d', 1],
          ],
        },
      },
      unknown: { state: 'ENABLED', variants: { d: 1 }, defaultVariant: 'd' },
    },
  });
  const plan = planFlagdImport(text, SIGNALS, 'flags.json');
  assert.deepEqual(plan.changes, [
    { key: 'checkout.newFlow', value: false, rollout: 0.25, targeting: [{ attribute: 'email', in: ['a@b.c'], value: true }] },
    { key: 'mode', value: 'safe', targeting: [{ attribute: 'plan', in: ['x'], value: 'safe' }] },
  ]);
  assert.deepEqual(plan.skipped, [{ key: 'search.enabled', reason: 'flagd state DISABLED' }]);
  assert.deepEqual(
    plan.issues.map((i) => `${i.path}: ${i.message}`),
    [
      "flags.greeting.targeting: Petri understands an 'if' chain of 'in' or '==' conditions on a context attribute, and a 'fractional' on/off split",
      `flags.catalog.latencyFactor: 'catalog.latencyFactor' is a number signal: a number variant is needed, got "slow"`,
      "flags.tier.limit.targeting: fractional variant 'd' must be a boolean variant",
      "flags.unknown: no signal 'unknown' is declared (declare it in the organism manifest)",
    ],
  );
  assert.equal(planFlagdImport('{', SIGNALS).issues[0]!.message.startsWith('not valid JSON'), true);
});

test('an exported rollout splits the same clients as flagd does (weights are exact)', () => {
  assert.deepEqual(rolloutWeights(0.1), [10, 90]);
  assert.deepEqual(rolloutWeights(0.125), [1250, 8750]);
  assert.deepEqual(rolloutWeights(0.07), [7, 93]);
  // Parts per ten thousand: Petri's share test and flagd's integer split agree for every client.
  for (let i = 0; i < 500; i++) {
    const client = `c${i}`;
    const petri = evaluate('checkout.beta', false, { type: 'flag', rollout: 0.125 }, { targetingKey: client }).value;
    const hash = BigInt(murmur3(`checkout.beta${client}`));
    assert.equal(petri, (hash * 10_000n) >> 32n < 1250n, client);
  }
});

test('format detection', () => {
  assert.equal(detectFormat('flags.json', ''), 'flagd');
  assert.equal(detectFormat('.env.production', '{'), 'env');
  assert.equal(detectFormat('signals.txt', ' {"flags":{}}'), 'flagd');
  assert.equal(detectFormat('signals.txt', 'A=1'), 'env');
});
