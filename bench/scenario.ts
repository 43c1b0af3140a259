/**
 * Scenarios: start-up overhead (process start → first request at the gateway, and → engine ready)
 * over several `petri run`s, against a bare `node` start measured in the same run; and the
 * player's timing accuracy: how late 60 steps (every 100 ms) run against their schedule, p50/p99.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bar, median, PETRI, quantile, table, tmp } from './lib.ts';

const ORGANISM = `apiVersion: petri/v1
kind: Organism
metadata: { name: bench }
cells:
  - name: api
    replicas: 2
    operations: [ { name: get, latency: { p50: 2ms, p99: 6ms } } ]
pathways:
  - { route: GET /item, to: api.get }
`;

function scenario(steps: number): string {
  const lines = Array.from(
    { length: steps },
    (_, i) => `  - { at: ${200 + i * 100}ms, scale: { cell: api, replicas: ${2 + (i % 3)} } }`,
  );
  return `apiVersion: petri/v1
kind: Scenario
metadata: { name: timing }
organism: bench.yaml
duration: ${Math.ceil((300 + steps * 100) / 1000) + 1}s
seed: 1
traffic:
  - { name: users, route: GET /item, rate: 50/s, clients: 5 }
steps:
${lines.join('\n')}
expect:
  - { name: served, metric: errorRate, traffic: users, below: 0.05 }
`;
}

function run(args: string[]): Promise<number> {
  const started = performance.now();
  return new Promise((resolve) =>
    spawn(process.execPath, args, { stdio: 'ignore' }).on('exit', () => resolve(performance.now() - started)),
  );
}

export async function scenarioBench(runs = 5): Promise<void> {
  const dir = tmp();
  writeFileSync(join(dir, 'bench.yaml'), ORGANISM);
  writeFileSync(join(dir, 'timing.yaml'), scenario(60));
  const node: number[] = [];
  const ready: number[] = [];
  const first: number[] = [];
  const late: number[] = [];
  for (let i = 0; i < runs; i++) {
    node.push(await run(['-e', '0']));
    const json = join(dir, `r${i}.json`);
    await run([PETRI, 'run', join(dir, 'timing.yaml'), '--data', join(dir, `data${i}`), '--json', json, '--quiet']);
    const r = JSON.parse(readFileSync(json, 'utf8')) as {
      timing: { startupMs: number; firstRequestMs: number | null; stepLateMs: number[] };
    };
    ready.push(r.timing.startupMs);
    if (r.timing.firstRequestMs !== null) first.push(r.timing.firstRequestMs);
    late.push(...r.timing.stepLateMs);
  }
  table(`Scenario start-up (${runs} runs of petri run; times from process start)`, [
    { what: 'bare node process (baseline)', median_ms: median(node), p90_ms: quantile(node, 0.9), vs_node: 1 },
    {
      what: 'engine ready (scenario validated, organism grown)',
      median_ms: median(ready),
      p90_ms: quantile(ready, 0.9),
      vs_node: median(ready) / median(node),
    },
    {
      what: 'first request at the gateway',
      median_ms: median(first),
      p90_ms: quantile(first, 0.9),
      vs_node: median(first) / median(node),
    },
  ]);
  table(`Player timing: ${late.length} steps scheduled every 100 ms`, [
    { what: 'step executed − scheduled', p50_ms: median(late), p99_ms: quantile(late, 0.99), max_ms: Math.max(...late) },
  ]);
  bar('steps run on time (p99 lateness < 20 ms)', quantile(late, 0.99) < 20, `p99 ${quantile(late, 0.99)} ms`);
}
