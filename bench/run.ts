/**
 * `npm run bench -- [name…]`: runs the named benchmarks (all by default). Each prints figures and
 * ratios against baselines measured in the same run.
 */
import { coldStart } from './cold-start.ts';
import { events } from './events.ts';
import { gateway } from './gateway.ts';
import { traffic } from './traffic.ts';
import { scenarioBench } from './scenario.ts';
import { immune } from './immune.ts';
import { anomaly } from './anomaly.ts';

const BENCHES: Record<string, () => Promise<void>> = {
  'cold-start': () => coldStart(),
  events: () => events(),
  gateway: () => gateway(),
  traffic: () => traffic(),
  scenario: () => scenarioBench(),
  immune: () => immune(),
  anomaly: () => anomaly(),
};

const wanted = process.argv.slice(2);
const names = wanted.length ? wanted : Object.keys(BENCHES);
for (const name of names) {
  const fn = BENCHES[name];
  if (!fn) {
    console.error(`unknown benchmark '${name}'; available: ${Object.keys(BENCHES).join(', ')}`);
    process.exit(2);
  }
  console.log(`\n=== ${name} ===`);
  await fn();
}
process.exit(0);
