/**
 * The engine as a child process of the desktop app. It runs under the system Node (better-sqlite3
 * and onnxruntime-node are built for Node's ABI, not Electron's), so native modules and crashes
 * stay out of the UI process. Plain Node: no 'electron' import, so this is unit-tested directly.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

/** What the engine's ready line says (DESIGN.md: `petri ready ui=… api=… gateway=…`). */
export interface ReadyInfo {
  /** The UI URL including `#token=…`. */
  ui: string;
  /** The UI origin, e.g. `http://127.0.0.1:4710`. */
  origin: string;
  token: string;
  api: string;
  gateway: string;
}

const READY = /^petri ready ui=(\S+) api=(\S+) gateway=(\S+)\s*$/;

/** Parses one line of the engine's stdout; undefined unless it is the ready line. */
export function parseReadyLine(line: string): ReadyInfo | undefined {
  const m = READY.exec(line.trim());
  if (!m) return undefined;
  let url: URL;
  try {
    url = new URL(m[1]!);
  } catch {
    return undefined;
  }
  const token = /(?:^#|&)token=([^&]+)/.exec(url.hash)?.[1];
  if (!token || (url.protocol !== 'http:' && url.protocol !== 'https:')) return undefined;
  return { ui: m[1]!, origin: url.origin, token: decodeURIComponent(token), api: m[2]!, gateway: m[3]! };
}

/** `petri serve` flags the desktop app passes through to the engine. */
const FORWARDED = new Set(['organism', 'data', 'nats-url', 'speed', 'seed', 'port', 'gateway-port']);

/**
 * The serve flags in an argument list (`--data DIR` or `--data=DIR`); everything else (Chromium
 * switches, the app path) is dropped.
 */
export function forwardedFlags(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([\w-]+)(?:=(.*))?$/.exec(argv[i]!);
    if (!m || !FORWARDED.has(m[1]!)) continue;
    if (m[2] !== undefined) out.push(`--${m[1]}`, m[2]);
    else if (i + 1 < argv.length && !argv[i + 1]!.startsWith('--')) out.push(`--${m[1]}`, argv[++i]!);
  }
  return out;
}

/** How to start the engine. */
export interface EngineCommand {
  command: string;
  args: string[];
  env: Record<string, string | undefined>;
  cwd: string;
}

/**
 * The engine's command line: `node ROOT/bin/petri.mjs serve --port 0 --gateway-port 0 …flags`
 * (free ports, so a second window or a running `petri serve` never collides; explicit flags
 * come last and win). Node is `PETRI_NODE` or `node` on the PATH.
 */
export function engineCommand(root: string, argv: readonly string[], env: NodeJS.ProcessEnv): EngineCommand {
  const { ELECTRON_RUN_AS_NODE: _drop, ...rest } = env;
  return {
    command: env.PETRI_NODE || 'node',
    args: [join(root, 'bin', 'petri.mjs'), 'serve', '--port', '0', '--gateway-port', '0', ...forwardedFlags(argv)],
    env: { ...rest, PETRI_ROOT: root },
    cwd: root,
  };
}

/** Why the engine did not become ready (shown to the user as is). */
export class EngineStartError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EngineStartError';
  }
}

/** Options of {@link EngineProcess.start}. */
export interface StartOptions {
  /** How long to wait for the ready line (default 30 s: a first run compiles TypeScript). */
  readyTimeoutMs?: number;
  /** Called when the engine exits after it was ready (a crash, unless we stopped it). */
  onExit?: (code: number | null, signal: NodeJS.Signals | null) => void;
}

/** Last lines of a process's stderr, for error messages. */
function tail(text: string, lines = 12): string {
  return text.trim().split('\n').slice(-lines).join('\n');
}

/** A running engine child. */
export class EngineProcess {
  readonly child: ChildProcess;
  readonly ready: ReadyInfo;
  #stderr: () => string;
  #stopping = false;

  private constructor(child: ChildProcess, ready: ReadyInfo, stderr: () => string) {
    this.child = child;
    this.ready = ready;
    this.#stderr = stderr;
  }

  /** Recent stderr output of the engine. */
  get stderr(): string {
    return tail(this.#stderr());
  }

  /** Whether {@link stop} was called (an exit then is expected). */
  get stopping(): boolean {
    return this.#stopping;
  }

  /** Starts the engine and resolves once it printed its ready line. */
  static start(cmd: EngineCommand, options: StartOptions = {}): Promise<EngineProcess> {
    const child = spawn(cmd.command, cmd.args, { cwd: cmd.cwd, env: cmd.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let stdout = '';
    child.stderr!.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-16_384)));
    return new Promise((resolve, reject) => {
      const fail = (message: string, cause?: unknown): void => {
        clearTimeout(timer);
        child.kill('SIGKILL');
        reject(new EngineStartError(message, { cause }));
      };
      const timer = setTimeout(
        () =>
          fail(
            `the engine printed no ready line within ${Math.round((options.readyTimeoutMs ?? 30_000) / 1000)} s\n${tail(stderr)}`,
          ),
        options.readyTimeoutMs ?? 30_000,
      );
      child.once('error', (err: NodeJS.ErrnoException) =>
        fail(
          err.code === 'ENOENT'
            ? `cannot run '${cmd.command}': Petri's engine needs Node.js 20 or newer on the PATH (or set PETRI_NODE)`
            : `cannot start the engine: ${err.message}`,
          err,
        ),
      );
      const onEarlyExit = (code: number | null, signal: NodeJS.Signals | null): void =>
        fail(`the engine exited before it was ready (${signal ?? `exit code ${code}`})\n${tail(stderr)}`);
      child.once('exit', onEarlyExit);
      child.stdout!.on('data', (c: Buffer) => {
        stdout += c.toString();
        const lines = stdout.split('\n');
        stdout = lines.pop() ?? '';
        for (const line of lines) {
          const info = parseReadyLine(line);
          if (!info) continue;
          clearTimeout(timer);
          child.off('exit', onEarlyExit);
          const engine = new EngineProcess(child, info, () => stderr);
          child.once('exit', (code, signal) => options.onExit?.(code, signal));
          resolve(engine);
          return;
        }
      });
    });
  }

  /** Stops the engine: SIGTERM (it persists its events and exits), SIGKILL after `graceMs`. */
  stop(graceMs = 6000): Promise<void> {
    this.#stopping = true;
    const child = this.child;
    if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      const kill = setTimeout(() => child.kill('SIGKILL'), graceMs);
      child.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      child.kill('SIGTERM');
    });
  }
}
