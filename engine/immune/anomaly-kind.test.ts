import { test } from 'node:test';
import assert from 'node:assert/strict';
import { anomalyKind } from './system.ts';

test('an anomaly incident is named after the feature that pushed its score up most', () => {
  assert.equal(anomalyKind('rate'), 'rate-abuse');
  assert.equal(anomalyKind('authFailureRate'), 'credential-abuse');
  assert.equal(anomalyKind('credentialChurn'), 'credential-abuse');
  assert.equal(anomalyKind('metachars'), 'injection');
  assert.equal(anomalyKind('idEnumeration'), 'anomaly');
  assert.equal(anomalyKind('routeNewClients'), 'anomaly');
  assert.equal(anomalyKind(undefined), 'anomaly');
});
