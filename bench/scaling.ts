// petri bench scaling: HPA vs predictive vs queue-lag on a per-minute trace, in the fast-forward
// simulator. Prints SLO-violation minutes, replica-minutes and scale events per policy, each as a
// ratio against the HPA measured in the same run, plus simulator speed and forecaster cost.
//
//   node --import tsx bench/scaling.ts [--trace FILE] [--from MIN] [--to MIN] [--peak-rps N]
//        [--slo MS] [--seed N] [--policies hpa,predictive,queue-lag] [--organism FILE --cell NAME]
//        [--model FILE] [--json FILE]
//
// Exit code 0 when the run completed (the verdict line says whether the bar was met), 2 on bad input.
import { parseArgs } from 'node:util';
import { errorMessage, isNamedError } from '../engine/errors.ts';
import { benchScaling, type ScalingBenchOptions } from '../engine/scaling/index.ts';
import type { PolicyName } from '../engine/scaling/index.ts';

const POLICIES: PolicyName[] = ['hpa', 'predictive', 'queue-lag', 'none'];

function options(argv: string[]): ScalingBenchOptions {
  const { values: v } = parseArgs({
    args: argv,
    options: {
      trace: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      'peak-rps': { type: 'string' },
      slo: { type: 'string' },
      seed: { type: 'string' },
      policies: { type: 'string' },
      organism: { type: 'string' },
      cell: { type: 'string' },
      model: { type: 'string' },
      json: { type: 'string' },
    },
  });
  const num = (name: string, text: string | undefined): number | undefined => {
    if (text === undefined) return undefined;
    const n = Number(text);
    if (!Number.isFinite(n) || n < 0) throw new RangeError(`--${name} must be a non-negative number, got '${text}'`);
    return n;
  };
  const policies = v.policies?.split(',').map((p) => p.trim()) as PolicyName[] | undefined;
  const unknown = policies?.find((p) => !POLICIES.includes(p));
  if (unknown) throw new RangeError(`--policies: unknown policy '${unknown}' (hpa, predictive, queue-lag, none)`);
  return {
    trace: v.trace,
    from: num('from', v.from),
    to: num('to', v.to),
    peakRps: num('peak-rps', v['peak-rps']),
    sloMs: num('slo', v.slo),
    seed: num('seed', v.seed),
    policies,
    organism: v.organism,
    cell: v.cell,
    forecasterFile: v.model,
    json: v.json,
  };
}

try {
  await benchScaling(options(process.argv.slice(2)));
} catch (err) {
  console.error(`petri bench scaling: ${errorMessage(err)}`);
  process.exitCode = isNamedError(err, 'ValidationError') || err instanceof RangeError || err instanceof TypeError ? 2 : 1;
}
