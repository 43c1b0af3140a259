/**
 * Cold start: `petri serve` (demo organism, fresh data dir) to its ready line. Baselines measured
 * in the same run: a bare `node` process printing a line, and a bare nats-server with JetStream
 * reaching "Server is ready". Bar: < 1.5 s.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { findNatsServer } from '../engine/bus/index.ts';
import { bar, median, quantile, serve, table, tmp } from './lib.ts';

function timeToLine(cmd: string, args: string[], pattern: RegExp, stream: 'stdout' | 'stderr'): Promise<number> {
  const started = performance.now();
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let buf = '';
    child[stream].on('data', (c: Buffer) => {
      buf += c.toString();
      if (pattern.test(buf)) {
        resolve(performance.now() - started);
        child.kill('SIGKILL');
      }
    });
    child.once('exit', () => reject(new Error(`${cmd} exited before ${pattern}`)));
  });
}

export async function coldStart(runs = 7): Promise<void> {
  const node: number[] = [];
  const nats: number[] = [];
  const petri: number[] = [];
  for (let i = 0; i < runs; i++) {
    node.push(await timeToLine(process.execPath, ['-e', 'console.log("ready")'], /ready/, 'stdout'));
    const dir = tmp();
    nats.push(
      await timeToLine(
        findNatsServer(),
        ['-a', '127.0.0.1', '-p', '-1', '-js', '-sd', join(dir, 'js')],
        /Server is ready/,
        'stderr',
      ),
    );
    const s = await serve(['--data', join(tmp(), 'data')]);
    petri.push(s.readyMs);
    await s.stop();
  }
  const row = (name: string, xs: number[]) => ({
    what: name,
    median_ms: median(xs),
    p90_ms: quantile(xs, 0.9),
    vs_node: median(xs) / median(node),
  });
  table('Cold start (spawn → ready line)', [
    row('node -e (baseline)', node),
    row('nats-server -js (baseline)', nats),
    row('petri serve (demo organism)', petri),
  ]);
  bar(
    'cold start < 1.5 s',
    median(petri) < 1500,
    `median ${median(petri).toFixed(0)} ms, p90 ${quantile(petri, 0.9).toFixed(0)} ms over ${runs} runs`,
  );
}
