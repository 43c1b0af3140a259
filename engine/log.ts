/**
 * The engine's logger: JSON lines into `<data>/logs/engine.log` (rotated by the recycling job)
 * and short human lines on stderr for warnings and errors. stdout is reserved for the ready line
 * and command output.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Structured logger handed to every domain. */
export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(bindings: Record<string, unknown>): Logger;
}

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  file?: string;
  /** Lowest level echoed to stderr (default `warn`; `PETRI_LOG=debug` shows more). */
  stderrLevel?: LogLevel;
  /** Hides secret values before anything is written (set by the signals domain). */
  redact?: (text: string) => string;
}

function serialise(fields: Record<string, unknown>): string {
  return JSON.stringify(fields, (_k, v: unknown) => (v instanceof Error ? { name: v.name, message: v.message } : v));
}

/** A logger writing to a file and stderr. Writes are synchronous: lines survive a crash. */
export function createLogger(options: LoggerOptions = {}, bindings: Record<string, unknown> = {}): Logger {
  const envLevel = process.env.PETRI_LOG as LogLevel | undefined;
  const stderrLevel = ORDER[envLevel ?? options.stderrLevel ?? 'warn'] ?? ORDER.warn;
  if (options.file) mkdirSync(dirname(options.file), { recursive: true });
  const redact = options.redact ?? ((t: string) => t);
  const write = (level: LogLevel, msg: string, fields: Record<string, unknown> = {}): void => {
    const all = { ...bindings, ...fields };
    if (options.file) {
      const line = redact(serialise({ t: new Date().toISOString(), level, msg, ...all }));
      try {
        appendFileSync(options.file, `${line}\n`);
      } catch {
        // the log file went away (rotation race, disk full): stderr still gets warnings
      }
    }
    if (ORDER[level] >= stderrLevel) {
      const extra = Object.keys(all).length ? ` ${serialise(all)}` : '';
      process.stderr.write(redact(`petri ${level}: ${msg}${extra}\n`));
    }
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    child: (b) => createLogger(options, { ...bindings, ...b }),
  };
}

/** A logger that discards everything (unit tests). */
export const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  child: () => silentLogger,
};
