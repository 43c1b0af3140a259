// Child process of bench/traffic.ts: autocannon at the same rate, printing requests and CPU time.
import autocannon from 'autocannon';
const [target, rate, seconds] = process.argv.slice(-3);
const cpu0 = process.cpuUsage();
autocannon({ url: target + '/x', connections: 50, overallRate: Number(rate), duration: Number(seconds) }, (_err, r) => {
  const cpu = process.cpuUsage(cpu0);
  console.log(JSON.stringify({ requests: r.requests.total, cpuSeconds: (cpu.user + cpu.system) / 1e6 }));
  process.exit(0);
});
