/** `petri runs` and `petri report RUN --html FILE`: recorded runs, read straight from SQLite. */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NotFoundError } from '../errors.ts';
import { htmlReport, type ScenarioReport } from '../scenario/index.ts';
import { EventsRepo, MetricsRepo, openDb, RunsRepo } from '../store/index.ts';
import { dataDir } from './remote.ts';
import { parseFlags, UsageError } from './usage.ts';

function open(dir: string): ReturnType<typeof openDb> {
  const file = join(dir, 'petri.db');
  if (!existsSync(file)) throw new NotFoundError(`no recorded runs in ${dir} (${file})`);
  return openDb(file);
}

/** `petri runs [--data DIR] [--json]`. */
export function runsCommand(args: string[]): number {
  const { values } = parseFlags(args, { data: { type: 'string' }, json: { type: 'boolean' }, limit: { type: 'string' } });
  const db = open(dataDir(values.data));
  try {
    const runs = new RunsRepo(db).list(values.limit ? Number(values.limit) : 50);
    if (values.json) {
      process.stdout.write(`${JSON.stringify(runs, null, 2)}\n`);
      return 0;
    }
    const rows = [['RUN', 'KIND', 'NAME', 'ORGANISM', 'STATUS', 'STARTED', 'SECONDS', 'EVENTS']].concat(
      runs.map((r) => [
        String(r.id),
        r.kind,
        r.name,
        r.organism ?? '',
        r.status,
        new Date(r.startedAt).toISOString().replace('T', ' ').slice(0, 19),
        r.endedAt ? ((r.endedAt - r.startedAt) / 1000).toFixed(0) : '',
        String(r.events),
      ]),
    );
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
    for (const r of rows)
      process.stdout.write(
        `${r
          .map((c, i) => c.padEnd(widths[i]!))
          .join('  ')
          .trimEnd()}\n`,
      );
    return 0;
  } finally {
    db.close();
  }
}

/** `petri report RUN --html FILE [--data DIR]`. */
export function reportCommand(args: string[]): number {
  const { values, positionals } = parseFlags(args, { data: { type: 'string' }, html: { type: 'string' } }, true);
  const id = Number(positionals[0]);
  if (positionals.length !== 1 || !Number.isInteger(id)) throw new UsageError('give one run id (see petri runs)');
  if (!values.html) throw new UsageError('give --html FILE');
  const db = open(dataDir(values.data));
  try {
    const run = new RunsRepo(db).get(id);
    if (!run) throw new NotFoundError(`run ${id}`);
    const metrics = new MetricsRepo(db);
    const t0 = run.startedAt;
    const html = htmlReport({
      run,
      report: (run.result as ScenarioReport | null) ?? null,
      t0,
      routes: metrics.query({ runId: id, scope: 'route' }).filter((r) => r.key !== '(unmatched)'),
      streams: metrics.query({ runId: id, scope: 'stream' }),
      cells: metrics.query({ runId: id, scope: 'cell' }),
      events: new EventsRepo(db).query({ runId: id, limit: 5000 }),
    });
    writeFileSync(values.html, html);
    process.stdout.write(`wrote ${values.html} (run ${id}, ${(html.length / 1024).toFixed(0)} KB)\n`);
    return 0;
  } finally {
    db.close();
  }
}
