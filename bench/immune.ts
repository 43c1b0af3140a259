/**
 * The immune chain's cost: the same engine and gateway, measured with the full chain (memory,
 * quarantine, bearer-token auth, rate limits, WAF) and with its layers taken out, in one run.
 * Throughput closed-loop (autocannon) — bar: ratio ≥ 0.85 — and added p50 open-loop at
 * 1,000 req/s from 50 distinct clients — bar: < 0.5 ms.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { ApiClient } from '../engine/api/client.ts';
import { silentLogger } from '../engine/log.ts';
import { TrafficGenerator } from '../engine/traffic/index.ts';
import { aggregate } from '../engine/metrics/index.ts';
import { bar, serve, sleep, table, tmp } from './lib.ts';

const ORGANISM = `apiVersion: petri/v1
kind: Organism
metadata: { name: guarded }
cells:
  - name: api
    replicas: 2
    concurrency: 512
    queue: 4096
    operations: [ { name: get, latency: { p50: 0ms, p99: 0ms }, response: { body: { ok: true } } } ]
pathways:
  - { route: GET /items/:id, to: api.get, auth: jwt, scopes: [items:read] }
immune:
  rateLimit: { perClient: { rps: 1000000, burst: 1000000 } }
  waf: { mode: block, paranoia: 1 }
  connections: { perClient: 1024 }
`;

function cannon(url: string, token: string, seconds: number): Promise<{ rps: number; p50: number; non2xx: number }> {
  return new Promise((resolve, reject) =>
    autocannon(
      {
        url,
        connections: 32,
        duration: seconds,
        headers: {
          authorization: `Bearer ${token}`,
          'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) bench',
          accept: 'application/json',
        },
      },
      (err, r) => (err ? reject(err) : resolve({ rps: r.requests.average, p50: r.latency.p50, non2xx: r.non2xx })),
    ),
  );
}

async function openLoopP50(gateway: string, token: string, seconds: number): Promise<number> {
  const gen = new TrafficGenerator({ speed: 1, seed: 3, now: () => Date.now(), logger: silentLogger, target: gateway });
  await gen.ready;
  gen.start({
    name: 'p50',
    kind: 'traffic',
    route: 'GET /items/:id',
    rate: 1000,
    clients: 50,
    durationMs: seconds * 1000,
    data: { token },
  });
  const samples = [];
  for (let i = 0; i < seconds + 1; i++) {
    await sleep(1000);
    samples.push(...gen.take());
  }
  await gen.close();
  const rows = samples.slice(1).map((x) => ({
    t: 0,
    span: 1000,
    count: x.stats.count,
    ok: x.stats.ok,
    c4xx: 0,
    c5xx: 0,
    timeouts: 0,
    blocked: 0,
    max: x.stats.max,
    hist: x.hist,
  }));
  return aggregate(rows).p50;
}

export async function immune(): Promise<void> {
  const dir = tmp();
  writeFileSync(join(dir, 'guarded.yaml'), ORGANISM);
  // The engine runs in its own process, as it does for users; load comes from this one.
  const s = await serve(['--organism', join(dir, 'guarded.yaml'), '--data', join(dir, 'data')]);
  const api = new ApiClient(s.ui, s.token);
  try {
    const tokenRes = await fetch(`${s.gateway}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credentials', client_id: 'bench', scope: 'items:read' }),
    });
    const token = ((await tokenRes.json()) as { access_token: string }).access_token;
    const url = `${s.gateway}/items/42`;
    const results: Record<string, { rps: number; p50: number; non2xx: number; openP50: number }> = {};
    // Alternate and repeat so drift on a noisy machine does not favour one side.
    for (const round of [0, 1]) {
      for (const variant of round === 0 ? ['with', 'without'] : ['without', 'with']) {
        await api.request('PUT', '/api/immune', { enabled: variant === 'with' });
        await cannon(url, token, 2); // warm up
        const c = await cannon(url, token, 8);
        const openP50 = await openLoopP50(s.gateway, token, 6);
        const prev = results[variant];
        results[variant] = prev
          ? {
              rps: (prev.rps + c.rps) / 2,
              p50: (prev.p50 + c.p50) / 2,
              non2xx: prev.non2xx + c.non2xx,
              openP50: (prev.openP50 + openP50) / 2,
            }
          : { ...c, openP50 };
      }
    }
    const w = results.with!;
    const wo = results.without!;
    table('Immune chain cost (one engine process, chain switched off and on; two rounds each, alternated)', [
      {
        chain: 'none (baseline)',
        req_per_s: wo.rps,
        closed_p50_ms: wo.p50,
        open_loop_p50_ms: wo.openP50,
        non2xx: wo.non2xx,
        throughput_ratio: 1,
      },
      {
        chain: 'memory+quarantine+auth+rate-limit+WAF',
        req_per_s: w.rps,
        closed_p50_ms: w.p50,
        open_loop_p50_ms: w.openP50,
        non2xx: w.non2xx,
        throughput_ratio: w.rps / wo.rps,
      },
    ]);
    bar('full chain throughput ≥ 0.85× none', w.rps / wo.rps >= 0.85, `${(w.rps / wo.rps).toFixed(3)}×`);
    bar('added p50 < 0.5 ms (open loop, 1,000 req/s)', w.openP50 - wo.openP50 < 0.5, `${(w.openP50 - wo.openP50).toFixed(3)} ms`);
  } finally {
    await s.stop();
  }
}
