// The anomaly layer live in the immune chain of a real engine (nats-server, SQLite, onnxruntime,
// the load generator over loopback HTTP): an organism with `immune.anomaly` and no rate limit or
// WAF, benign populations on every route throughout, attacks launched through the HTTP API.
// Detections are `immune.anomaly-detected` events with the model's evidence, anomaly incidents
// and quarantines of the attack's clients only; the threshold signal at its maximum stops them live.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PetriEvent } from '../../engine/api/events.ts';
import { eventually, startEngine, type TestEngine } from '../helpers/engine.ts';
import { anomalyKind } from '../../engine/immune/system.ts';

const SHOP = `apiVersion: petri/v1
kind: Organism
metadata: { name: shop }
cells:
  - name: catalog
    replicas: 2
    concurrency: 64
    queue: 256
    operations:
      - { name: list, latency: { p50: 4ms, p99: 20ms } }
      - { name: get, latency: { p50: 2ms, p99: 10ms } }
  - name: cart
    replicas: 1
    concurrency: 64
    operations:
      - { name: add, latency: { p50: 3ms, p99: 15ms }, errorRate: 0.01 }
  - name: account
    replicas: 1
    concurrency: 64
    operations:
      - { name: login, latency: { p50: 5ms, p99: 20ms }, errorRate: 0.2, errorStatus: 401 }
pathways:
  - { route: GET /products, to: catalog.list }
  - { route: GET /products/:id, to: catalog.get }
  - { route: POST /cart/items, to: cart.add }
  - { route: POST /login, to: account.login, login: true }
immune:
  anomaly: { action: quarantine, for: 1m }
`;

/** Shoppers at a fraction of a request per second each, on every route. */
const BENIGN = [
  { name: 'browsers', route: 'GET /products', rate: 16, clients: 40 },
  { name: 'viewers', route: 'GET /products/:id', rate: 12, clients: 30 },
  { name: 'carts', route: 'POST /cart/items', rate: 3, clients: 12 },
  { name: 'logins', route: 'POST /login', rate: 1, clients: 8 },
];

/**
 * Route context needs a past: for the first 30 s every client is "new" (the routeNewClients
 * horizon), so a botnet's crowd of new clients does not stand out yet. The model card's sessions
 * warm up for 30 s as well.
 */
const WARM_UP_MS = 32_000;
/** A detection (event and incident) must come this soon after the attack's start. */
const DETECT_WITHIN_MS = 8_000;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Started {
  name: string;
  startedAt: number;
}

function detections(t: TestEngine): PetriEvent[] {
  return t.engine.eventsRepo.query({ types: ['immune.anomaly-detected'], limit: 10_000 });
}

/** ms from the attack's start to its first detection event and to the opening of the incident its clients are in (negative: it joined one already open). */
async function detected(t: TestEngine, attack: Started): Promise<{ eventMs: number; incidentMs: number; event: PetriEvent }> {
  const clients = new Set(t.engine.generator.addresses(attack.name));
  const found = await eventually(
    () => {
      const event = detections(t).find((e) => clients.has(String(e.data.client)));
      const incident = t.engine.immune.incidents
        .list(1000)
        // Named after the detection's top feature (a botnet's is its rate: rate-abuse).
        .find(
          (i) =>
            i.kind === anomalyKind(String((event?.data.top as Array<{ feature: string }> | undefined)?.[0]?.feature)) &&
            i.clients.some((c) => clients.has(c)),
        );
      if (!event || !incident) return undefined;
      return { eventMs: event.time - attack.startedAt, incidentMs: incident.openedAt - attack.startedAt, event };
    },
    DETECT_WITHIN_MS + 4000,
    100,
  );
  assert.ok(found, `${attack.name}: an immune.anomaly-detected event and an anomaly incident for its clients`);
  return found;
}

test('attacks through the API are detected with evidence while benign shoppers never are; threshold 1 stops it live', async () => {
  await using t = await startEngine({ yaml: SHOP, api: true });
  const e = t.engine;
  const api = t.api!;
  assert.ok(e.immune.anomaly, 'the anomaly layer is in the chain');
  assert.equal(
    (await api.signal('immune.anomaly.threshold')).value,
    e.immune.anomalyThreshold,
    'the signal defaults to the card',
  );
  for (const b of BENIGN) await api.request('POST', '/api/traffic', b);
  await sleep(WARM_UP_MS);

  const results: string[] = [];
  for (const attack of [
    { name: 'dflood', kind: 'distributed-flood', route: 'GET /products/:id', rate: 400, clients: 100, for: '12s' },
    { name: 'scraper', kind: 'scraping', route: 'GET /products/:id', rate: 10, clients: 1, for: '10s' },
  ]) {
    const started = await api.request<Started>('POST', '/api/attacks', attack);
    const d = await detected(t, started);
    results.push(
      `${attack.kind}: event after ${Math.round(d.eventMs)} ms, in an anomaly incident opened ${Math.round(d.incidentMs)} ms from its start`,
    );
    assert.ok(d.eventMs <= DETECT_WITHIN_MS, `${attack.kind} detected after ${d.eventMs} ms`);
    assert.ok(d.incidentMs <= DETECT_WITHIN_MS, `${attack.kind} incident after ${d.incidentMs} ms`);
    const data = d.event.data as { score: number; threshold: number; top: Array<{ feature: string; contribution: number }> };
    assert.ok(data.score >= data.threshold, `score ${data.score} ≥ ${data.threshold}`);
    assert.ok(data.top.length > 0 && data.top.every((c) => c.contribution > 0), 'the top feature contributions as evidence');
    await eventually(() => !e.generator.has(attack.name), 15_000, 200);
  }
  console.log(results.join('\n'));

  const benign = new Set(BENIGN.flatMap((b) => e.generator.addresses(b.name)));
  const falseAlarms = detections(t).filter((x) => benign.has(String(x.data.client)));
  assert.deepEqual(
    falseAlarms.map((x) => `${String(x.data.client)} ${JSON.stringify(x.data.top)}`),
    [],
    'no benign client flagged',
  );
  const quarantined = e.immune.quarantines.list().map((q) => q.client);
  assert.ok(quarantined.length > 0 && quarantined.every((c) => !benign.has(c)), `quarantined ${quarantined.length}, none benign`);

  // The threshold at its maximum: a new scraper runs unflagged.
  await api.setSignal('immune.anomaly.threshold', 1);
  await eventually(() => e.immune.anomalyThreshold === 1, 3000);
  const before = detections(t).length;
  await api.request('POST', '/api/attacks', {
    name: 'scraper-2',
    kind: 'scraping',
    route: 'GET /products/:id',
    rate: 10,
    clients: 1,
    for: '6s',
  });
  await sleep(7000);
  assert.equal(detections(t).length, before, 'no detection at threshold 1');
  assert.ok(e.immune.anomaly!.stats().scored > 0, 'still scoring');
});
