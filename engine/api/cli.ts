/**
 * The `petri` command line. Exit codes: 0 success, 1 a run or check failed, 2 invalid input.
 * stdout carries the ready line and command output; diagnostics go to stderr.
 */
import type { ParseArgsConfig } from 'node:util';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { ROOT } from '../util/paths.ts';
import { Engine } from '../engine.ts';
import { errorMessage, formatIssue, isNamedError, type ValidationError, type Issue } from '../errors.ts';
import { loadOrganismFile } from '../organism/index.ts';
import { ControlServer } from './server.ts';
import { validateFiles } from './validate-cmd.ts';
import { startDesktop } from './start-cmd.ts';
import { publishServeInfo } from './remote.ts';
import { actionCommand } from './action-cmd.ts';
import { runCommand } from './run-cmd.ts';
import { reportCommand, runsCommand } from './runs-cmd.ts';
import { parseFlags, UsageError } from './usage.ts';
import { DEMO_ORGANISM_PATH } from './paths.ts';
import { benchCommand, exportHpaCommand } from './scaling-cmd.ts';
import { signalsCommand } from './signals-cmd.ts';
import { exportCommand, recycleCommand } from './export-cmd.ts';

export { ROOT };
/** The organism `petri serve` grows when none is given. */
export const DEMO_ORGANISM = DEMO_ORGANISM_PATH;
/** Default ports: fixed so workshop URLs stay the same; a busy port falls back to a free one. */
export const DEFAULT_PORT = 4710;
export const DEFAULT_GATEWAY_PORT = 4711;

const HELP = `petri — grow bio-driven backend designs on real NATS, SQLite and ONNX

Usage:
  petri serve [--organism FILE] [--port N] [--gateway-port N] [--data DIR] [--nats-url URL] [--speed X] [--seed N]
  petri start [same flags as serve]   open the desktop app (falls back to serve + browser URL)
  petri run SCENARIO [--json FILE] [--junit FILE] [--speed X] [--data DIR]
                                      play a scenario headless: exit 0 pass, 1 fail, 2 invalid
  petri runs [--data DIR]             recorded runs (CLI and UI)
  petri bench scaling [--trace FILE] …   HPA vs predictive vs queue-lag on a trace (simulated)
  petri export hpa [--organism FILE]  autoscaling/v2 HPA / KEDA ScaledObject YAML per cell
  petri report RUN --html FILE        a self-contained offline HTML report of a run
  petri validate FILE...              check organism and scenario files (exit 2 on errors)
  petri traffic start|set|stop|ls     load streams on a running engine (petri traffic help)
  petri fault inject|clear|ls         faults on a running engine (petri fault help)
  petri attack start|stop|ls          attacks on a running engine (petri attack help)
  petri signals list|get|set|history|rollback|import|export …   signals of a running engine
  petri export cronjobs [--organism FILE] [--out DIR|-] [--image IMG] [--api URL] [--namespace NS] [--time-zone TZ]
                                      write the recycling jobs as Kubernetes CronJob manifests
  petri recycle JOB [--api URL --token T | --data DIR] [--no-wait]
                                      run a recycling job now on a running engine (what the CronJobs run)
  petri help

Environment: PETRI_DATA (data dir, default ~/.petri), PETRI_NATS_SERVER (nats-server binary),
PETRI_LOG=debug|info|warn (stderr log level).
`;

const SERVE_OPTIONS = {
  organism: { type: 'string' },
  port: { type: 'string' },
  'gateway-port': { type: 'string' },
  data: { type: 'string' },
  'nats-url': { type: 'string' },
  speed: { type: 'string' },
  seed: { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

function intFlag(name: string, raw: string | undefined, min: number, max: number): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got '${raw}'`);
  return n;
}

/** Parsed options of `serve` (and `start`). */
export interface ServeFlags {
  organism: string;
  port: number | undefined;
  gatewayPort: number | undefined;
  dataDir: string;
  natsUrl: string | undefined;
  speed: number;
  seed: number | undefined;
}

/** Parses serve flags; throws a usage error for bad values. */
export function serveFlags(args: string[]): ServeFlags {
  const { values } = parseFlags(args, SERVE_OPTIONS);
  const speed = values.speed === undefined ? 1 : Number(values.speed);
  if (!(speed > 0 && speed <= 1000)) throw new UsageError(`--speed must be a number in (0, 1000], got '${values.speed}'`);
  const natsUrl = values['nats-url'];
  if (natsUrl !== undefined && !/^(nats|tls|ws|wss):\/\/[^\s]+$|^[\w.-]+:\d+/.test(natsUrl.split(',')[0]!.trim()))
    throw new UsageError(`--nats-url must look like nats://host:port[,nats://host:port…], got '${natsUrl}'`);
  return {
    organism: resolve(values.organism ?? DEMO_ORGANISM),
    port: intFlag('port', values.port, 0, 65535),
    gatewayPort: intFlag('gateway-port', values['gateway-port'], 0, 65535),
    dataDir: resolve(values.data ?? process.env.PETRI_DATA ?? join(homedir(), '.petri')),
    natsUrl,
    speed,
    seed: intFlag('seed', values.seed, 0, 2 ** 32 - 1),
  };
}

/** The ready line of DESIGN.md. */
export function readyLine(uiUrl: string, token: string, gatewayUrl: string): string {
  return `petri ready ui=${uiUrl}/#token=${token} api=${uiUrl}/api gateway=${gatewayUrl}`;
}

function isAddrInUse(err: unknown): boolean {
  return (err as { code?: string } | undefined)?.code === 'EADDRINUSE';
}

/** Starts an engine and its control server; the defaults fall back to free ports when busy. */
export async function serve(
  flags: ServeFlags,
  onReady?: (line: string) => void,
): Promise<{ engine: Engine; server: ControlServer }> {
  const organism = await loadOrganismFile(flags.organism);
  const startEngine = (gatewayPort: number) =>
    Engine.start({ organism, dataDir: flags.dataDir, natsUrl: flags.natsUrl, gatewayPort, speed: flags.speed, seed: flags.seed });
  let engine: Engine;
  try {
    engine = await startEngine(flags.gatewayPort ?? DEFAULT_GATEWAY_PORT);
  } catch (err) {
    if (!(flags.gatewayPort === undefined && isAddrInUse(err))) throw err;
    process.stderr.write(`petri: port ${DEFAULT_GATEWAY_PORT} is busy; the gateway takes a free port\n`);
    engine = await startEngine(0);
  }
  const uiDir = join(ROOT, 'renderer', 'dist');
  const make = (port: number) => new ControlServer({ engine, port, uiDir: existsSync(uiDir) ? uiDir : undefined });
  let server = make(flags.port ?? DEFAULT_PORT);
  try {
    await server.listen();
  } catch (err) {
    if (!(flags.port === undefined && isAddrInUse(err))) {
      await engine.stop();
      throw err;
    }
    process.stderr.write(`petri: port ${DEFAULT_PORT} is busy; the UI takes a free port\n`);
    server = make(0);
    await server.listen();
  }
  engine.onStop(() => server.close());
  const unpublish = publishServeInfo(flags.dataDir, {
    ui: server.url,
    api: `${server.url}/api`,
    token: server.token,
    gateway: engine.gateway.url,
    pid: process.pid,
  });
  engine.onStop(unpublish);
  onReady?.(readyLine(server.url, server.token, engine.gateway.url));
  return { engine, server };
}

/** Stops the engine on SIGINT/SIGTERM; a second signal or 5 s without progress forces exit. */
export function stopOnSignals(stop: () => Promise<void>): Promise<void> {
  return new Promise((resolveDone) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (stopping) process.exit(130);
      stopping = true;
      process.stderr.write(`petri: ${signal}, stopping…\n`);
      const force = setTimeout(() => {
        process.stderr.write('petri: stop took longer than 5 s; exiting\n');
        process.exit(1);
      }, 5000);
      force.unref();
      stop()
        .catch((err: unknown) => process.stderr.write(`petri: error while stopping: ${errorMessage(err)}\n`))
        .finally(() => {
          clearTimeout(force);
          resolveDone();
        });
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
}

async function serveCommand(args: string[]): Promise<number> {
  const flags = serveFlags(args);
  const { engine } = await serve(flags, (line) => process.stdout.write(`${line}\n`));
  await stopOnSignals(() => engine.stop());
  // Everything is closed; if a handle still keeps the loop alive, say so rather than hang.
  setTimeout(() => {
    process.stderr.write('petri: a handle outlived the engine; exiting anyway\n');
    process.exit(0);
  }, 2000).unref();
  return 0;
}

function printIssues(issues: Issue[]): void {
  for (const i of issues) process.stderr.write(`${formatIssue(i)}\n`);
}

/** Runs the CLI; resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'serve':
        return await serveCommand(rest);
      case 'start':
        return await startDesktop(rest, serveCommand);
      case 'validate':
        return await validateFiles(rest, process.stdout, process.stderr);
      case 'traffic':
      case 'fault':
      case 'attack':
        return await actionCommand(command, rest);
      case 'run':
        return await runCommand(rest);
      case 'runs':
        return runsCommand(rest);
      case 'bench':
        return await benchCommand(rest);
      case 'export':
        if (rest[0] === 'hpa') return await exportHpaCommand(rest.slice(1));
        if (rest[0] === 'cronjobs') return await exportCommand(rest, DEMO_ORGANISM);
        throw new UsageError(`petri export knows: hpa, cronjobs`);
      case 'report':
        return reportCommand(rest);
      case 'signals':
        return await signalsCommand(rest);
      case 'recycle':
        return await recycleCommand(rest);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(HELP);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command '${command}'`);
    }
  } catch (err) {
    if (isNamedError(err, 'ValidationError')) {
      printIssues((err as ValidationError).issues);
      return 2;
    }
    if (isNamedError(err, 'NotFoundError')) {
      process.stderr.write(`petri: ${err.message}\n`);
      return 2;
    }
    if (isNamedError(err, 'UsageError')) {
      process.stderr.write(`petri: ${err.message}\nRun 'petri help' for usage.\n`);
      return 2;
    }
    process.stderr.write(`petri: ${errorMessage(err)}\n`);
    return 1;
  }
}
