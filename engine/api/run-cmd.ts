/**
 * `petri run SCENARIO`: plays a scenario headless, with progress while it plays, a pass/fail line
 * per expectation, and `--json` / `--junit` reports. Exit 0 when every expectation holds, 1 when
 * one fails, 2 on invalid input (nothing is started then).
 */
import { writeFileSync } from 'node:fs';
import { Engine } from '../engine.ts';
import { errorMessage } from '../errors.ts';
import { junitXml, loadScenarioFile, playScenario, verdictLine, type Progress, type ScenarioReport } from '../scenario/index.ts';
import { dataDir } from './remote.ts';
import { parseFlags, UsageError } from './usage.ts';

const OPTIONS = {
  junit: { type: 'string' },
  json: { type: 'string' },
  speed: { type: 'string' },
  data: { type: 'string' },
  'nats-url': { type: 'string' },
  quiet: { type: 'boolean' },
} as const;

/** A progress reporter: a redrawn bar on a terminal, a line per step (and every 10 %) otherwise. */
function progressPrinter(quiet: boolean): (p: Progress) => void {
  const tty = process.stderr.isTTY === true;
  let lastTenth = -1;
  return (p) => {
    if (quiet) return;
    const share = Math.min(1, p.elapsedMs / p.durationMs);
    const secs = `${(p.elapsedMs / 1000).toFixed(0)}s/${(p.durationMs / 1000).toFixed(0)}s`;
    const note = p.step
      ? `${p.step.ok ? '▶' : '✖'} ${p.step.label}${p.step.ok ? '' : `: ${p.step.error}`}`
      : p.verdict
        ? `${p.verdict.passed ? '✔' : '✖'} ${p.verdict.name}`
        : '';
    if (tty) {
      const width = 30;
      const bar = '█'.repeat(Math.round(share * width)).padEnd(width, '░');
      process.stderr.write(`\r\x1b[2K${bar} ${secs}${note ? `  ${note}` : ''}`);
      if (note) process.stderr.write('\n');
      return;
    }
    const tenth = Math.floor(share * 10);
    if (note) process.stderr.write(`[${secs}] ${note}\n`);
    else if (tenth !== lastTenth) process.stderr.write(`[${secs}] ${tenth * 10} %\n`);
    lastTenth = tenth;
  };
}

/** Runs the command; resolves to the exit code. Validation errors propagate (exit 2 in main). */
export async function runCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseFlags(args, OPTIONS, true);
  if (positionals.length !== 1) throw new UsageError('give exactly one scenario file');
  const speed = values.speed === undefined ? 1 : Number(values.speed);
  if (!(speed > 0 && speed <= 100)) throw new UsageError(`--speed must be a number in (0, 100], got '${values.speed}'`);
  const plan = await loadScenarioFile(positionals[0]!);
  const engine = await Engine.start({
    organism: plan.organism,
    dataDir: dataDir(values.data),
    natsUrl: values['nats-url'],
    seed: plan.seed,
    speed,
    run: { kind: 'scenario', name: plan.name },
  });
  let report: ScenarioReport;
  // Start-up overhead as a user feels it: from process start to the first request at the gateway.
  let firstRequestMs: number | undefined;
  engine.gateway.layers.unshift({
    name: 'first-request',
    inspect: () => {
      firstRequestMs ??= performance.now();
      return undefined;
    },
  });
  const stopOnSignal = (): void => controller.abort();
  const controller = new AbortController();
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);
  try {
    const startupMs = performance.now();
    if (!values.quiet)
      process.stderr.write(
        `petri run: ${plan.name} (${plan.durationMs / 1000} s, seed ${plan.seed}), engine ready in ${startupMs.toFixed(0)} ms\n`,
      );
    report = await playScenario(engine, plan, { onProgress: progressPrinter(values.quiet ?? false), signal: controller.signal });
    const timing = {
      startupMs: Math.round(startupMs),
      firstRequestMs: firstRequestMs === undefined ? null : Math.round(firstRequestMs),
      stepLateMs: report.steps.map((s) => s.lateMs),
    };
    report = { ...report, timing } as ScenarioReport;
  } finally {
    process.off('SIGINT', stopOnSignal);
    process.off('SIGTERM', stopOnSignal);
    await engine.stop();
  }
  for (const v of report.expectations) process.stdout.write(`${verdictLine(v)}\n`);
  for (const s of report.steps.filter((x) => !x.ok))
    process.stdout.write(`✖ STEP  ${s.label} at ${s.atMs} ms failed: ${s.error}\n`);
  process.stdout.write(
    `${report.passed ? 'PASSED' : report.aborted ? 'ABORTED' : 'FAILED'}: ${plan.name} — ${report.expectations.filter((v) => v.passed).length}/${report.expectations.length} expectations hold (run ${report.runId})\n`,
  );
  try {
    if (values.json) writeFileSync(values.json, `${JSON.stringify(report, null, 2)}\n`);
    if (values.junit) writeFileSync(values.junit, junitXml(report));
  } catch (err) {
    process.stderr.write(`petri run: cannot write the report: ${errorMessage(err)}\n`);
    return 1;
  }
  return report.passed ? 0 : 1;
}
