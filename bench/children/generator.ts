// Child process of bench/traffic.ts: the Petri load generator at a fixed rate; prints per-second
// samples and the process's CPU time as JSON.
import { TrafficGenerator } from '../../engine/traffic/index.ts';
import { silentLogger } from '../../engine/log.ts';
const [target, rate, seconds] = process.argv.slice(-3);
const gen = new TrafficGenerator({ speed: 1, seed: 1, now: () => Date.now(), logger: silentLogger, target });
await gen.ready;
const perSecond: Array<{ sent: number; ok: number; lag: number }> = [];
gen.start({
  name: 'load',
  kind: 'traffic',
  route: 'GET /x',
  rate: Number(rate),
  clients: 50,
  law: 'constant',
  durationMs: Number(seconds) * 1000,
});
const cpu0 = process.cpuUsage();
for (let i = 0; i < Number(seconds) + 2; i++) {
  await new Promise((r) => setTimeout(r, 1000));
  for (const s of gen.take()) perSecond.push({ sent: s.stats.sent, ok: s.stats.ok, lag: s.stats.lagMs });
}
const cpu = process.cpuUsage(cpu0);
await gen.close();
console.log(JSON.stringify({ perSecond, cpuSeconds: (cpu.user + cpu.system) / 1e6 }));
process.exit(0);
