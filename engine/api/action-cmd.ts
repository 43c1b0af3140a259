/**
 * `petri traffic|fault|attack …`: what users do to a running organism, from a terminal. Specs are
 * written as flags (`--kind latency --cell inventory --add 150ms --for 30s`) and validated by the
 * engine exactly as API bodies are; output is a short table, or JSON with --json.
 */
import { parseArgs } from 'node:util';
import { errorMessage } from '../errors.ts';
import { ApiError, type ApiClient } from './client.ts';
import { remoteClient } from './remote.ts';
import type { FaultView, StreamView } from './schema.ts';

const CONNECT = {
  api: { type: 'string' },
  token: { type: 'string' },
  data: { type: 'string' },
  json: { type: 'boolean' },
} as const;
const SPEC_FLAGS = {
  name: { type: 'string' },
  kind: { type: 'string' },
  route: { type: 'string' },
  rate: { type: 'string' },
  clients: { type: 'string' },
  for: { type: 'string' },
  arrival: { type: 'string' },
  cell: { type: 'string' },
  op: { type: 'string' },
  replica: { type: 'string' },
  to: { type: 'string' },
  add: { type: 'string' },
  jitter: { type: 'string' },
  status: { type: 'string' },
  probability: { type: 'string' },
  mode: { type: 'string' },
  timeout: { type: 'string' },
  classes: { type: 'string' },
} as const;

const HELP: Record<string, string> = {
  traffic: `petri traffic start --name N --route "GET /products" --rate 100/s [--clients 20] [--arrival poisson|constant] [--for 60s]
petri traffic set NAME RATE        change a stream's rate (0 pauses it)
petri traffic stop NAME
petri traffic ls`,
  fault: `petri fault inject --kind latency|error|crash|hang|partition|throttle|leak|bus-outage [--cell C] [--op O] [--replica R]
                   [--to CELL] [--add 150ms] [--jitter 20ms] [--rate X] [--status 503] [--probability 0.5] [--mode pause|stop] [--for 30s]
petri fault clear ID
petri fault ls`,
  attack: `petri attack start --kind flood|distributed-flood|credential-stuffing|injection|scraping|forged-token|slowloris
                   [--route "GET /products"] --rate 800/s [--clients 2] [--for 20s] [--classes sqli,xss]
petri attack stop NAME
petri attack ls`,
};

/** Numbers where the engine expects numbers; everything else stays text. */
function specFrom(values: Record<string, string | boolean | undefined>): Record<string, unknown> {
  const spec: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(values)) {
    if (v === undefined || k in CONNECT) continue;
    if (['clients', 'status'].includes(k)) spec[k] = Number(v);
    else if (k === 'probability' || (k === 'rate' && /^\d+(\.\d+)?$/.test(String(v)))) spec[k] = Number(v);
    else if (k === 'classes') spec[k] = String(v).split(',').filter(Boolean);
    else spec[k] = v;
  }
  return spec;
}

function table(rows: string[][]): string {
  if (!rows.length) return '(none)\n';
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return (
    rows
      .map((r) =>
        r
          .map((c, i) => c.padEnd(widths[i]!))
          .join('  ')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
}

function streamsTable(streams: StreamView[]): string {
  return table([
    ['NAME', 'KIND', 'ROUTE', 'RATE', 'CLIENTS', 'ADDRESSES'],
    ...streams.map((s) => [
      s.name,
      s.kind,
      s.route,
      `${s.rate}/s`,
      String(s.clients),
      `${s.addresses.first}…${s.addresses.last}`,
    ]),
  ]);
}

function faultsTable(faults: FaultView[]): string {
  return table([
    ['ID', 'KIND', 'TARGET', 'ENDS'],
    ...faults.map((f) => [
      f.id,
      f.spec.kind,
      [f.spec.cell, f.spec.op, f.spec.replica, f.spec.to].filter(Boolean).join(' '),
      f.endsAt ? new Date(f.endsAt).toISOString() : 'when cleared',
    ]),
  ]);
}

async function run(
  domain: string,
  verb: string | undefined,
  positionals: string[],
  spec: Record<string, unknown>,
  api: ApiClient,
): Promise<unknown> {
  const base = domain === 'fault' ? '/api/faults' : domain === 'attack' ? '/api/attacks' : '/api/traffic';
  const start = (domain === 'fault' && verb === 'inject') || (domain !== 'fault' && verb === 'start');
  if (start) return api.request('POST', base, spec);
  if (verb === 'ls') return api.request('GET', base);
  if (verb === 'set' && domain === 'traffic')
    return api.request('PATCH', `${base}/${encodeURIComponent(positionals[0] ?? '')}`, {
      rate: specFrom({ rate: positionals[1] }).rate,
    });
  if ((verb === 'stop' || verb === 'clear') && positionals[0])
    return api.request('DELETE', `${base}/${encodeURIComponent(positionals[0])}`);
  return undefined;
}

/** Runs `petri traffic|fault|attack VERB …`; resolves to the exit code. */
export async function actionCommand(domain: string, args: string[]): Promise<number> {
  const [verb, ...rest] = args;
  if (!verb || verb === 'help') {
    process.stdout.write(
      `${HELP[domain]}\nConnect with --api URL --token T, PETRI_API/PETRI_TOKEN, or --data DIR of a running 'petri serve'.\n`,
    );
    return verb ? 0 : 2;
  }
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options: { ...CONNECT, ...SPEC_FLAGS }, allowPositionals: true, strict: true });
  } catch (err) {
    process.stderr.write(`petri ${domain}: ${errorMessage(err)}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  try {
    const api = remoteClient(values);
    const out = await run(domain, verb, positionals, specFrom(values), api);
    if (out === undefined && !['stop', 'clear'].includes(verb)) {
      process.stderr.write(`petri ${domain}: unknown verb or missing argument\n${HELP[domain]}\n`);
      return 2;
    }
    if (values.json) process.stdout.write(`${JSON.stringify(out ?? { ok: true }, null, 2)}\n`);
    else if (verb === 'ls') {
      const o = out as { streams?: StreamView[]; attacks?: StreamView[]; faults?: FaultView[] };
      process.stdout.write(o.faults ? faultsTable(o.faults) : streamsTable(o.streams ?? o.attacks ?? []));
    } else if (out)
      process.stdout.write(domain === 'fault' ? faultsTable([out as FaultView]) : streamsTable([out as StreamView]));
    else process.stdout.write('ok\n');
    return 0;
  } catch (err) {
    if (err instanceof ApiError && err.status === 400) {
      for (const e of err.problem?.errors ?? [{ path: '', message: err.message }])
        process.stderr.write(`petri ${domain}: ${e.path || '(spec)'}: ${e.message}\n`);
      return 2;
    }
    process.stderr.write(`petri ${domain}: ${errorMessage(err)}\n`);
    return err instanceof ApiError && err.status === 404 ? 2 : 1;
  }
}
