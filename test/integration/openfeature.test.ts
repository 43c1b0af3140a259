import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OpenFeature, ProviderEvents, type EventDetails } from '@openfeature/server-sdk';
import { connect } from '@nats-io/transport-node';
import { Kvm } from '@nats-io/kv';
import { SIGNALS_BUCKET } from '../../engine/bus/index.ts';
import { rolloutBucket } from '../../engine/signals/index.ts';
import { PetriProvider } from '../../engine/signals/openfeature.ts';
import { eventually, startEngine } from '../helpers/engine.ts';
import { SIGNALS_ORGANISM } from '../helpers/signals.ts';

test('the OpenFeature SDK reads Petri signals over NATS KV, with reasons, variants and change events', async () => {
  await using t = await startEngine({ yaml: SIGNALS_ORGANISM, api: true });
  const api = t.api!;
  const provider = new PetriProvider({ servers: t.engine.bus.servers, name: 'shop-svc' });
  await OpenFeature.setProviderAndWait('petri-test', provider);
  try {
    const client = OpenFeature.getClient('petri-test');

    // Flags: targeting, the sticky rollout (same bucketing as the engine), no targeting key.
    const gold = await client.getBooleanDetails('checkout.newFlow', false, { targetingKey: 'u1', plan: 'gold' });
    assert.deepEqual([gold.value, gold.reason, gold.variant], [true, 'TARGETING_MATCH', 'on']);
    const inside = Array.from({ length: 200 }, (_, i) => `user-${i}`).find((u) => rolloutBucket('checkout.newFlow', u) < 0.1)!;
    const outside = Array.from({ length: 200 }, (_, i) => `user-${i}`).find((u) => rolloutBucket('checkout.newFlow', u) >= 0.1)!;
    const on = await client.getBooleanDetails('checkout.newFlow', false, { targetingKey: inside });
    assert.deepEqual([on.value, on.reason, on.variant], [true, 'SPLIT', 'on']);
    assert.deepEqual(t.engine.signals.evaluate('checkout.newFlow', { targetingKey: inside }).value, true, 'the engine agrees');
    const off = await client.getBooleanDetails('checkout.newFlow', true, { targetingKey: outside });
    assert.deepEqual([off.value, off.reason, off.variant], [false, 'SPLIT', 'off']);
    const anonymous = await client.getBooleanDetails('checkout.newFlow', true);
    assert.deepEqual([anonymous.value, anonymous.reason], [false, 'DEFAULT']);

    // Other types, metadata, unset values, errors.
    const factor = await client.getNumberDetails('echo.latencyFactor', 0);
    assert.deepEqual([factor.value, factor.reason, factor.variant], [1, 'STATIC', 'default']);
    assert.equal(factor.flagMetadata.author, 'organism');
    assert.equal(typeof factor.flagMetadata.revision, 'number');
    assert.equal(await client.getStringValue('api.mode', 'x'), 'fast');
    assert.equal(await client.getStringValue('cache.ttl', 'x'), '250ms');
    assert.equal(await client.getBooleanValue('promo.banner', true), false);
    assert.equal(await client.getStringValue('db.password', ''), 'initial-pass-0001', 'the service gets its secret');
    const unset = await client.getNumberDetails('echo.errorRate', 0.25);
    assert.deepEqual([unset.value, unset.reason], [0.25, 'DEFAULT']);
    const missing = await client.getBooleanDetails('no.such.flag', true);
    assert.deepEqual([missing.value, missing.reason, missing.errorCode], [true, 'ERROR', 'FLAG_NOT_FOUND']);
    const mismatch = await client.getNumberDetails('greeting', 3);
    assert.deepEqual([mismatch.value, mismatch.errorCode], [3, 'TYPE_MISMATCH']);
    const object = await client.getObjectDetails('greeting', {});
    assert.equal(object.errorCode, 'TYPE_MISMATCH');

    // Change events, and the engine counts the service as a subscriber.
    const changes: Array<EventDetails<ProviderEvents.ConfigurationChanged>> = [];
    client.addHandler(ProviderEvents.ConfigurationChanged, (d) => void changes.push(d!));
    assert.ok(await eventually(() => t.engine.signals.tracker.subscribersOf('greeting').includes('openfeature:shop-svc')));
    const set = await api.setSignal('echo.latencyFactor', 5, { author: 'ui' });
    assert.ok(
      await eventually(() => changes.some((c) => c.flagsChanged?.includes('echo.latencyFactor'))),
      'ConfigurationChanged fired',
    );
    assert.equal(await client.getNumberValue('echo.latencyFactor', 0), 5);
    const p = await eventually(() => {
      const last = t.engine.signals.lastPropagation('echo.latencyFactor');
      return last?.revision === set.revision ? last : undefined;
    });
    assert.deepEqual(p?.delays.map((d) => d.subscriber).sort(), ['cell:echo', 'openfeature:shop-svc']);
    assert.equal(p?.complete, true);

    await api.changeSignal('checkout.newFlow', { rollout: 1, author: 'ui' });
    assert.ok(
      await eventually(async () => (await client.getBooleanValue('checkout.newFlow', false, { targetingKey: outside })) === true),
    );

    // A bad raw value is refused by the provider as well: the last good one stays.
    const nc = await connect({ servers: t.engine.bus.servers });
    try {
      const before = changes.length;
      await (await new Kvm(nc).open(SIGNALS_BUCKET)).put('echo.latencyFactor', '"fast"');
      await eventually(async () => (await api.signalHistory('echo.latencyFactor', { limit: 2 })).entries[0]!.author === 'engine');
      assert.equal(await client.getNumberValue('echo.latencyFactor', 0), 5);
      assert.ok(
        changes.slice(before).every((c) => c.metadata?.author !== 'external'),
        'no change event for the refused value',
      );
    } finally {
      await nc.close();
    }
  } finally {
    await OpenFeature.close();
  }
  assert.ok(
    await eventually(() => !t.engine.signals.tracker.subscribersOf('greeting').includes('openfeature:shop-svc')),
    'closing the provider unregisters it',
  );
});
