/**
 * `npm run bench -- [name…]`: runs the named benchmarks (all but the 30-minute soak by default).
 * Each prints figures and ratios against baselines measured in the same run. The benches that
 * take their own flags run as scripts too (`node --import tsx bench/waf.ts --help`).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { coldStart } from './cold-start.ts';
import { events } from './events.ts';
import { gateway } from './gateway.ts';
import { traffic } from './traffic.ts';
import { scenarioBench } from './scenario.ts';
import { immune } from './immune.ts';
import { memory } from './memory.ts';
import { anomaly } from './anomaly.ts';
import { scalingValidate } from './scaling-validate.ts';

const BENCHES: Record<string, () => Promise<void>> = {
  'cold-start': () => coldStart(),
  events: () => events(),
  gateway: () => gateway(),
  traffic: () => traffic(),
  scenario: () => scenarioBench(),
  immune: () => immune(),
  memory: () => memory(),
  waf: () => script('waf.ts'),
  signals: () => script('signals.ts'),
  scaling: () => script('scaling.ts'),
  'scaling-validate': () => scalingValidate(),
  ui: () => script('ui.ts'),
  'soak-recycling': () => script('soak-recycling.ts'),
  anomaly: () => anomaly(),
};
/** Benches left out of a plain `npm run bench` because of their length. */
const ON_REQUEST = new Set(['soak-recycling', 'scaling-validate']);

/** Runs a bench script in its own process (they parse their own flags and exit when done). */
async function script(file: string): Promise<void> {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, file)], { stdio: 'inherit' });
  // A bench that misses its bar exits 1 after printing why: say so, and go on with the others.
  if (r.status !== 0) console.log(`bench/${file} exited with ${r.status ?? r.signal} (a bar missed, or an error above)`);
}

const wanted = process.argv.slice(2);
const names = wanted.length ? wanted : Object.keys(BENCHES).filter((n) => !ON_REQUEST.has(n));
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
