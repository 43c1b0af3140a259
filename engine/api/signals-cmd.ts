/**
 * `petri signals …`: list, change, roll back, import and export the signals of a running engine.
 *
 * The command talks to the engine through its control API (`--api URL --token T`, or `PETRI_API`
 * and `PETRI_TOKEN`) rather than opening a data dir: the KV bucket lives in the engine's own
 * nats-server, and every change must pass the engine's validation, land in its history and be
 * followed to its subscribers — a second writer on the data dir would bypass all three.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { errorMessage } from '../errors.ts';
import { fromEnvValue } from '../signals/index.ts';
import { ApiClient, ApiError } from './client.ts';
import type { SignalView } from './schema.ts';

/** Where output goes (tests pass buffers). */
export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
}

const USAGE = `Usage:
  petri signals list [--json]
  petri signals get KEY
  petri signals set KEY VALUE [--note TEXT]
  petri signals history KEY [--limit N]
  petri signals rollback KEY REVISION [--note TEXT]
  petri signals import FILE [--format env|flagd] [--dry-run]
  petri signals export [--format env|flagd] [FILE]
Options: --api URL (or PETRI_API; the api= URL of the ready line), --token T (or PETRI_TOKEN)`;

const OPTIONS = {
  api: { type: 'string' },
  token: { type: 'string' },
  format: { type: 'string' },
  note: { type: 'string' },
  limit: { type: 'string' },
  json: { type: 'boolean' },
  'dry-run': { type: 'boolean' },
} as const;

class Usage extends Error {}

function client(values: { api?: string; token?: string }): ApiClient {
  const api = values.api ?? process.env.PETRI_API ?? 'http://127.0.0.1:4710/api';
  const token = values.token ?? process.env.PETRI_TOKEN;
  if (!token) throw new Usage('a token is needed: --token T or PETRI_TOKEN (it is in the ready line, after #token=)');
  if (!/^https?:\/\//.test(api)) throw new Usage(`--api must be an http(s) URL, got '${api}'`);
  return new ApiClient(api.replace(/\/+$/, '').replace(/\/api$/, ''), token);
}

function show(v: SignalView['value'] | undefined): string {
  return v === undefined ? '?' : JSON.stringify(v);
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return `${rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')}\n`;
}

function format(values: { format?: string }): 'env' | 'flagd' | undefined {
  const f = values.format;
  if (f !== undefined && f !== 'env' && f !== 'flagd') throw new Usage(`--format must be env or flagd, got '${f}'`);
  return f;
}

/** Parses a command-line value by the signal's type (`2` is a number for a number signal, text for a string). */
async function typedValue(api: ApiClient, key: string, raw: string): Promise<unknown> {
  const s = await api.signal(key);
  if (raw === 'null') return null;
  const v = fromEnvValue(s, raw);
  return 'error' in v ? raw : v.value; // the engine explains what is wrong with it
}

async function run(verb: string, args: string[], values: Record<string, string | boolean | undefined>, io: Io): Promise<number> {
  const api = client(values as { api?: string; token?: string });
  const need = (n: number) => {
    if (args.length !== n) throw new Usage(`'signals ${verb}' takes ${n} argument(s)`);
  };
  switch (verb) {
    case 'list': {
      const { signals } = await api.signals();
      if (values.json) io.out(`${JSON.stringify(signals, null, 2)}\n`);
      else
        io.out(
          table([
            ['KEY', 'TYPE', 'VALUE', 'REV', 'AUTHOR', 'SUBSCRIBERS'],
            ...signals.map((s) => [s.key, s.type, show(s.value), String(s.revision), s.author, String(s.subscribers.length)]),
          ]),
        );
      return 0;
    }
    case 'get':
      need(1);
      io.out(`${JSON.stringify(await api.signal(args[0]!), null, 2)}\n`);
      return 0;
    case 'set': {
      need(2);
      const s = await api.setSignal(
        args[0]!,
        await typedValue(api, args[0]!, args[1]!),
        values.note ? { note: String(values.note) } : {},
      );
      io.out(`${s.key} = ${show(s.value)} (revision ${s.revision})\n`);
      return 0;
    }
    case 'history': {
      need(1);
      const limit = values.limit === undefined ? undefined : Number(values.limit);
      if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) throw new Usage('--limit must be a positive integer');
      const h = await api.signalHistory(args[0]!, { limit });
      const rows = h.entries.map((e) => [
        String(e.revision),
        new Date(e.at).toISOString(),
        e.author,
        show(e.value),
        e.refused ? `refused: ${e.refused}` : (e.note ?? ''),
      ]);
      io.out(table([['REV', 'TIME', 'AUTHOR', 'VALUE', 'NOTE'], ...rows]));
      return 0;
    }
    case 'rollback': {
      need(2);
      const rev = Number(args[1]);
      if (!Number.isInteger(rev) || rev < 1) throw new Usage(`REVISION must be a positive integer, got '${args[1]}'`);
      const s = await api.rollbackSignal(args[0]!, rev, values.note as string | undefined);
      io.out(`${s.key} = ${show(s.value)} (revision ${s.revision}, rolled back to ${rev})\n`);
      return 0;
    }
    case 'import': {
      need(1);
      const file = args[0]!;
      const text = await readFile(file, 'utf8');
      const r = await api.importSignals({
        text,
        file: basename(file),
        format: format(values),
        dryRun: Boolean(values['dry-run']),
      });
      for (const s of r.skipped) io.err(`petri: ${s.key}: ${s.reason}\n`);
      io.out(`${values['dry-run'] ? 'would change' : 'changed'} ${r.changes.length} signal(s) from ${file} (${r.format})\n`);
      return 0;
    }
    case 'export': {
      if (args.length > 1) throw new Usage("'signals export' takes at most a FILE");
      const r = await api.exportSignals(format(values) ?? (args[0]?.endsWith('.json') ? 'flagd' : 'env'));
      for (const s of r.skipped) io.err(`petri: left out ${s.key} (${s.reason})\n`);
      if (args[0]) await writeFile(args[0], r.text);
      else io.out(r.text);
      return 0;
    }
    default:
      throw new Usage(`unknown signals command '${verb}'`);
  }
}

/** Runs `petri signals ARGS`; resolves to the exit code (2 for invalid input, 1 when the engine failed). */
export async function signalsCommand(
  argv: string[],
  io: Io = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) },
): Promise<number> {
  try {
    let parsed;
    try {
      parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
    } catch (err) {
      throw new Usage(errorMessage(err));
    }
    const [verb, ...args] = parsed.positionals;
    if (!verb || verb === 'help') {
      io.out(`${USAGE}\n`);
      return verb ? 0 : 2;
    }
    return await run(verb, args, parsed.values, io);
  } catch (err) {
    if (err instanceof Usage) {
      io.err(`petri: ${err.message}\n${USAGE}\n`);
      return 2;
    }
    if (err instanceof ApiError) {
      const lines = err.problem?.errors?.length
        ? err.problem.errors.map((e) => `${e.path ? `${e.path}: ` : ''}${e.message}`)
        : [err.message];
      for (const l of lines) io.err(`petri: ${l}\n`);
      return err.status >= 400 && err.status < 500 ? 2 : 1;
    }
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const code = (err as { code?: string }).code;
    if (code === 'ENOENT' || code === 'EISDIR') {
      io.err(`petri: ${errorMessage(err)}\n`);
      return 2;
    }
    if (errorMessage(err) === 'fetch failed')
      io.err(
        `petri: cannot reach the engine's API (${cause?.code ?? cause?.message ?? 'no answer'}): start one with 'petri serve', or pass --api\n`,
      );
    else io.err(`petri: ${errorMessage(err)}\n`);
    return 1;
  }
}
