/**
 * Supervises a real nats-server child with JetStream: spawns it on a loopback port with its store
 * under the data dir, waits until it is ready, restarts it with backoff when it dies, and makes
 * sure it never outlives the engine (stop on shutdown, parent-death signal on Linux, stale pid
 * file cleanup on the next start).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { createWriteStream, mkdirSync, readFileSync, rmSync, writeFileSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { DependencyError, drop } from '../errors.ts';
import type { Logger } from '../log.ts';
import { findNatsServer, which } from './find-server.ts';

/** Options of {@link NatsSupervisor}. */
export interface SupervisorOptions {
  /** Directory for the JetStream store, pid file and server log. */
  dir: string;
  logger: Logger;
  /** Port to listen on; 0 lets the server pick one (kept across restarts). */
  port?: number;
  /** Restart when the server dies unexpectedly (default true). */
  restart?: boolean;
  /** Milliseconds to wait for the ready line (default 10 s). */
  readyTimeoutMs?: number;
}

/** Events: `down` (unexpected exit, with code/signal), `up` (ready again after a restart). */
export class NatsSupervisor extends EventEmitter {
  readonly #opts: Required<Omit<SupervisorOptions, 'port'>> & { port: number };
  #child: ChildProcess | undefined;
  #stopping = false;
  #port = 0;
  #restarts = 0;
  #backoffMs = 100;
  #restartTimer: NodeJS.Timeout | undefined;
  #log: WriteStream | undefined;
  #paused = false;
  #down = false;
  #held = false;

  constructor(options: SupervisorOptions) {
    super();
    this.#opts = { restart: true, readyTimeoutMs: 10_000, port: 0, ...options };
  }

  /** `nats://127.0.0.1:PORT` once started. */
  get url(): string {
    return `nats://127.0.0.1:${this.#port}`;
  }

  get port(): number {
    return this.#port;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  get restarts(): number {
    return this.#restarts;
  }

  get running(): boolean {
    return this.#child !== undefined && this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /** Spawns the server and resolves once it accepts connections. */
  async start(): Promise<void> {
    mkdirSync(this.#opts.dir, { recursive: true });
    killStale(this.#pidFile, this.#opts.logger);
    this.#log = createWriteStream(join(this.#opts.dir, 'nats-server.log'), { flags: 'a' });
    this.#port = await this.#spawn(this.#opts.port);
  }

  /** Stops the server (SIGTERM, then SIGKILL after 3 s) and disables restarts. */
  async stop(): Promise<void> {
    this.#stopping = true;
    clearTimeout(this.#restartTimer);
    const child = this.#child;
    if (child && child.exitCode === null && child.signalCode === null) {
      if (this.#paused) child.kill('SIGCONT');
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(this.#pidFile, { force: true });
    await new Promise<void>((resolve) => (this.#log ? this.#log.end(resolve) : resolve()));
  }

  /** Kills the server with SIGKILL, as a crash would (tests and the bus-outage fault). */
  kill(): void {
    this.#child?.kill('SIGKILL');
  }

  /** Freezes the server process (SIGSTOP): clients see a hung broker, not a closed socket. */
  pause(): void {
    if (this.#child && !this.#paused) {
      this.#child.kill('SIGSTOP');
      this.#paused = true;
    }
  }

  /** Stops the server and keeps it down (no restarts) until {@link release}: the bus-outage fault. */
  holdDown(): void {
    this.#held = true;
    clearTimeout(this.#restartTimer);
    this.#child?.kill('SIGKILL');
  }

  /** Ends a {@link holdDown}: the server starts again at once. */
  release(): void {
    if (!this.#held) return;
    this.#held = false;
    if (!this.running && !this.#stopping) {
      this.#backoffMs = 100;
      drop(this.#restart());
    }
  }

  /** Thaws a paused server (SIGCONT). */
  resume(): void {
    if (this.#child && this.#paused) {
      this.#child.kill('SIGCONT');
      this.#paused = false;
    }
  }

  get #pidFile(): string {
    return join(this.#opts.dir, 'nats-server.pid');
  }

  #spawn(port: number): Promise<number> {
    const bin = findNatsServer();
    const args = ['-a', '127.0.0.1', '-p', port === 0 ? '-1' : String(port), '-js', '-sd', join(this.#opts.dir, 'jetstream')];
    args.push('-n', `petri-${process.pid}`);
    // On Linux, setpriv makes the kernel kill the server if the engine dies without cleanup.
    const setpriv = process.platform === 'linux' ? which('setpriv') : undefined;
    const [cmd, argv] = setpriv ? [setpriv, ['--pdeathsig', 'SIGKILL', bin, ...args]] : [bin, args];
    // Its own process group: a terminal's Ctrl-C reaches the engine, which then stops the server in
    // order, instead of killing both at once (the supervisor would see a crash and restart it).
    const child = spawn(cmd, argv, { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    this.#child = child;
    this.#paused = false;
    return new Promise<number>((resolve, reject) => {
      let buf = '';
      let ready = false;
      let chosen = port;
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new DependencyError(`nats-server did not become ready within ${this.#opts.readyTimeoutMs} ms`));
      }, this.#opts.readyTimeoutMs);
      child.stderr!.on('data', (chunk: Buffer) => {
        this.#log?.write(chunk);
        if (ready) return;
        buf += chunk.toString();
        const m = /Listening for client connections on [^\s]+:(\d+)/.exec(buf);
        if (m) chosen = Number(m[1]);
        if (/Server is ready/.test(buf)) {
          ready = true;
          buf = '';
          clearTimeout(timer);
          writeFileSync(this.#pidFile, String(child.pid));
          resolve(chosen);
        }
      });
      child.once('error', (err) => {
        clearTimeout(timer);
        reject(new DependencyError(`cannot start nats-server: ${err.message}`, { cause: err }));
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        if (!ready) {
          const last = buf.trim().split('\n').slice(-2).join(' | ');
          reject(new DependencyError(`nats-server exited before it was ready (code ${code}, signal ${signal}): ${last}`));
          return;
        }
        if (this.#child === child) this.#onExit(code, signal);
      });
    });
  }

  #onExit(code: number | null, signal: NodeJS.Signals | null): void {
    this.#child = undefined;
    if (this.#stopping || !this.#opts.restart) return;
    this.#opts.logger.warn('nats-server exited; restarting', { code, signal, backoffMs: this.#backoffMs });
    if (!this.#down) {
      this.#down = true;
      this.emit('down', { code, signal, held: this.#held });
    }
    if (this.#held) return;
    const delay = this.#backoffMs;
    this.#backoffMs = Math.min(this.#backoffMs * 2, 5000);
    this.#restartTimer = setTimeout(() => drop(this.#restart()), delay);
  }

  async #restart(): Promise<void> {
    if (this.#stopping || this.#held) return;
    try {
      await this.#spawn(this.#port);
      this.#restarts++;
      this.#down = false;
      this.emit('up', { restarts: this.#restarts });
      const child = this.#child;
      // Reset the backoff once the server has stayed up for a while.
      setTimeout(() => {
        if (this.#child === child) this.#backoffMs = 100;
      }, 10_000).unref();
    } catch (err) {
      this.#opts.logger.error('nats-server restart failed', { err });
      this.#onExit(null, null);
    }
  }
}

/** Kills a nats-server left behind by an engine that died without cleanup. */
function killStale(pidFile: string, logger: Logger): void {
  let pid: number;
  try {
    pid = Number(readFileSync(pidFile, 'utf8').trim());
  } catch {
    return;
  }
  if (!Number.isInteger(pid) || pid <= 1) return;
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (!cmdline.includes('nats-server')) return;
  } catch {
    if (process.platform === 'linux') return; // no such process
  }
  try {
    process.kill(pid, 'SIGKILL');
    logger.warn('killed a stale nats-server from an earlier run', { pid });
  } catch {
    // already gone
  }
  rmSync(pidFile, { force: true });
}
