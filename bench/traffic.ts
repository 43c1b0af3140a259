/**
 * The load generator: can it hold 2,000 req/s within 2 % of target for 30 s on this machine, and
 * what does each request cost in CPU next to autocannon driving the same target at the same rate
 * (measured in the same run)? Target: a bare node:http server in its own process.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { bar, cpuSeconds, table } from './lib.ts';

function runChild(script: string, args: string[]): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'children', script), ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  return new Promise((resolve) => child.on('exit', () => resolve(out.trim().split('\n').pop() ?? '{}')));
}

async function targetServer(): Promise<{ url: string; pid: number; stop: () => void }> {
  const code = `require('node:http').createServer((q,s)=>{s.writeHead(200,{'content-length':2});s.end('ok')}).listen(0,'127.0.0.1',function(){console.log(this.address().port)})`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolve) => child.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim())));
  return { url: `http://127.0.0.1:${port}`, pid: child.pid!, stop: () => child.kill() };
}

export async function traffic(rate = 2000, seconds = 30): Promise<void> {
  const server = await targetServer();
  const ours = JSON.parse(await runChild('generator.ts', [server.url, String(rate), String(seconds)])) as {
    perSecond: Array<{ sent: number; ok: number; lag: number }>;
    cpuSeconds: number;
  };
  const cannon = JSON.parse(await runChild('autocannon.ts', [server.url, String(rate), String(seconds)])) as {
    requests: number;
    cpuSeconds: number;
  };
  const serverCpu = await cpuSeconds(server.pid);
  server.stop();
  const full = ours.perSecond.filter((s) => s.sent > 0).slice(0, seconds);
  const sent = full.reduce((n, s) => n + s.sent, 0);
  const worst = Math.min(...full.slice(1, -1).map((s) => s.sent));
  const accuracy = sent / (rate * seconds);
  const oursPerReq = (ours.cpuSeconds / sent) * 1e6;
  const cannonPerReq = (cannon.cpuSeconds / cannon.requests) * 1e6;
  table(`Load generator: ${rate} req/s for ${seconds} s against a bare node:http server`, [
    {
      what: 'petri generator (worker thread, open loop, 50 clients)',
      requests: sent,
      achieved_share: accuracy,
      worst_second: worst,
      cpu_us_per_req: oursPerReq,
      ratio: oursPerReq / cannonPerReq,
    },
    {
      what: 'autocannon --overallRate (baseline)',
      requests: cannon.requests,
      achieved_share: cannon.requests / (rate * seconds),
      worst_second: NaN,
      cpu_us_per_req: cannonPerReq,
      ratio: 1,
    },
  ]);
  console.log(`(target server used ${serverCpu.toFixed(1)} CPU-seconds in total)`);
  bar(
    `generator holds ${rate} req/s within 2 %`,
    Math.abs(accuracy - 1) <= 0.02,
    `${(accuracy * 100).toFixed(2)} % of target over ${seconds} s; slowest full second ${worst}`,
  );
}
