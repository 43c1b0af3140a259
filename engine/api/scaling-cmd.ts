/**
 * `petri bench scaling` (HPA vs predictive vs queue-lag on a trace, in the fast-forward simulator)
 * and `petri export hpa` (autoscaling/v2 HPA or KEDA ScaledObject YAML per cell).
 */
import { writeFileSync } from 'node:fs';
import { loadOrganismFile } from '../organism/index.ts';
import { benchScaling, exportScaling, type PolicyName, type ScalingBenchOptions } from '../scaling/index.ts';
import { DEMO_ORGANISM_PATH } from './paths.ts';
import { parseFlags, UsageError } from './usage.ts';

const POLICIES: PolicyName[] = ['hpa', 'predictive', 'queue-lag', 'none'];

/** Parses `petri bench scaling` flags. */
export function scalingBenchOptions(argv: string[]): ScalingBenchOptions {
  const { values: v } = parseFlags(argv, {
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
  });
  const num = (name: string, text: string | undefined): number | undefined => {
    if (text === undefined) return undefined;
    const n = Number(text);
    if (!Number.isFinite(n) || n < 0) throw new UsageError(`--${name} must be a non-negative number, got '${text}'`);
    return n;
  };
  const policies = v.policies?.split(',').map((p) => p.trim()) as PolicyName[] | undefined;
  const unknown = policies?.find((p) => !POLICIES.includes(p));
  if (unknown) throw new UsageError(`--policies: unknown policy '${unknown}' (hpa, predictive, queue-lag, none)`);
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

/** `petri bench scaling …`. */
export async function benchCommand(args: string[]): Promise<number> {
  const [what, ...rest] = args;
  if (what !== 'scaling')
    throw new UsageError(`petri bench knows 'scaling' (the engine's own benchmarks run with npm run bench)`);
  await benchScaling(scalingBenchOptions(rest));
  return 0;
}

/** `petri export hpa [--organism FILE] [--namespace NS] [--out FILE|-]`. */
export async function exportHpaCommand(args: string[]): Promise<number> {
  const { values } = parseFlags(args, { organism: { type: 'string' }, namespace: { type: 'string' }, out: { type: 'string' } });
  const { spec } = await loadOrganismFile(values.organism ?? DEMO_ORGANISM_PATH);
  const yaml = exportScaling(spec, values.namespace ? { namespace: values.namespace } : {});
  if (!values.out || values.out === '-') process.stdout.write(yaml);
  else {
    writeFileSync(values.out, yaml);
    process.stderr.write(`wrote ${values.out}\n`);
  }
  return 0;
}
