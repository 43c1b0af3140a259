/**
 * A self-contained, offline HTML report of a recorded run: verdicts, steps, charts (inline SVG,
 * no scripts, no external assets) and the event timeline.
 */
import type { PetriEvent } from '../api/events.ts';
import { hash32 } from '../clock.ts';
import type { RunView } from '../api/schema.ts';
import type { RollupRow } from '../store/index.ts';
import type { ScenarioReport } from './player.ts';
import { formatExpected, formatValue } from './report.ts';

/** One line of a chart. */
export interface Series {
  name: string;
  points: Array<[number, number]>;
}

const COLORS = ['#2f7ed8', '#e4572e', '#17a398', '#f3a712', '#8e44ad', '#5b6c5d', '#d81159', '#3e92cc'];

/** The same name has the same colour in every chart. */
function color(name: string): string {
  return COLORS[hash32(name) % COLORS.length]!;
}

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A line chart as an SVG string; x is seconds since the run started. */
export function svgChart(title: string, unit: string, series: Series[], width = 640, height = 200): string {
  const pad = { l: 48, r: 12, t: 24, b: 24 };
  const all = series.flatMap((s) => s.points);
  if (!all.length) return `<figure><figcaption>${esc(title)}</figcaption><p class="empty">no data</p></figure>`;
  const maxX = Math.max(1, ...all.map((p) => p[0]));
  const maxY = Math.max(1e-9, ...all.map((p) => p[1])) * 1.1;
  const x = (v: number): number => pad.l + (v / maxX) * (width - pad.l - pad.r);
  const y = (v: number): number => height - pad.b - (v / maxY) * (height - pad.t - pad.b);
  const lines = series.map((s) => {
    const d = s.points.map((p, j) => `${j ? 'L' : 'M'}${x(p[0]).toFixed(1)},${y(p[1]).toFixed(1)}`).join('');
    return `<path d="${d}" fill="none" stroke="${color(s.name)}" stroke-width="1.5"/>`;
  });
  const ticks = [0, 0.5, 1].map(
    (f) => `<text x="${pad.l - 4}" y="${y(maxY * f) + 4}" text-anchor="end">${+(maxY * f).toPrecision(3)}</text>`,
  );
  const xTicks = [0, 0.25, 0.5, 0.75, 1].map(
    (f) => `<text x="${x(maxX * f)}" y="${height - 6}" text-anchor="middle">${Math.round(maxX * f)}s</text>`,
  );
  const legend = series.map((s) => `<span><i style="background:${color(s.name)}"></i>${esc(s.name)}</span>`).join('');
  return `<figure><figcaption>${esc(title)} <small>(${esc(unit)})</small></figcaption>
<svg viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(title)}"><line x1="${pad.l}" y1="${height - pad.b}" x2="${width - pad.r}" y2="${height - pad.b}" class="axis"/>${ticks.join('')}${xTicks.join('')}${lines.join('')}</svg>
<div class="legend">${legend}</div></figure>`;
}

/** Series of one rollup field, per key. */
export function seriesOf(rows: RollupRow[], t0: number, field: (r: RollupRow) => number | null | undefined): Series[] {
  const byKey = new Map<string, Array<[number, number]>>();
  for (const r of rows) {
    const v = field(r);
    if (v === null || v === undefined) continue;
    const list = byKey.get(r.key) ?? [];
    list.push([(r.t - t0) / 1000, v]);
    byKey.set(r.key, list);
  }
  return [...byKey].map(([name, points]) => ({ name, points }));
}

const CSS = `body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:1000px;padding:0 1rem;color:#1d232a;background:#fff}
h1{margin-bottom:.2rem}table{border-collapse:collapse;width:100%;margin:1rem 0}td,th{border-bottom:1px solid #e3e6ea;padding:.3rem .5rem;text-align:left;vertical-align:top}
.pass{color:#17803d}.fail{color:#c62828}figure{margin:1rem 0}svg{width:100%;height:auto;font-size:10px;fill:#59636e}.axis{stroke:#c9d1d9}
.legend span{margin-right:1rem;font-size:12px}.legend i{display:inline-block;width:10px;height:10px;margin-right:4px;border-radius:2px}
.empty{color:#888}code{font-size:12px}small{color:#59636e}
@media (prefers-color-scheme:dark){body{background:#0d1117;color:#e6edf3}td,th{border-color:#30363d}}`;

/** What a report is built from. */
export interface HtmlReportInput {
  run: RunView;
  report: ScenarioReport | null;
  t0: number;
  routes: RollupRow[];
  streams: RollupRow[];
  cells: RollupRow[];
  events: PetriEvent[];
}

function verdictsTable(report: ScenarioReport | null): string {
  if (!report) return '<p class="empty">This run was not a scenario: no expectations.</p>';
  const rows = report.expectations.map(
    (v) =>
      `<tr><td class="${v.passed ? 'pass' : 'fail'}">${v.passed ? '✔ pass' : '✖ fail'}</td><td>${esc(v.name)}</td><td>${esc(formatValue(v.observed, v.unit))}</td><td>${esc(formatExpected(v))}</td><td><small>${esc(v.detail)}</small></td></tr>`,
  );
  const steps = report.steps.map(
    (s) =>
      `<tr><td>${(s.atMs / 1000).toFixed(1)}s</td><td>${esc(s.label)}</td><td>${s.ok ? '<span class="pass">ok</span>' : `<span class="fail">${esc(s.error ?? 'failed')}</span>`}</td><td>${s.lateMs} ms late</td></tr>`,
  );
  return `<h2>Expectations</h2><table><tr><th></th><th>name</th><th>observed</th><th>expected</th><th>measured</th></tr>${rows.join('')}</table>
<h2>Steps</h2><table><tr><th>at</th><th>action</th><th>outcome</th><th>timing</th></tr>${steps.join('')}</table>`;
}

/** The whole HTML document. */
export function htmlReport(input: HtmlReportInput): string {
  const { run, report, t0 } = input;
  const status = report
    ? report.passed
      ? '<span class="pass">passed</span>'
      : `<span class="fail">${report.aborted ? 'aborted' : 'failed'}</span>`
    : esc(run.status);
  const charts = [
    svgChart(
      'Requests per second by route',
      'req/s',
      seriesOf(input.routes, t0, (r) => (r.count * 1000) / r.span),
    ),
    svgChart(
      'p99 latency by route',
      'ms',
      seriesOf(input.routes, t0, (r) => (r.count ? r.p99 : null)),
    ),
    svgChart(
      'Error rate by route',
      'share',
      seriesOf(input.routes, t0, (r) => (r.count ? (r.count - r.ok) / r.count : null)),
    ),
    svgChart(
      'Traffic streams: p99 as their clients saw it',
      'ms',
      seriesOf(input.streams, t0, (r) => (r.count ? r.p99 : null)),
    ),
    svgChart(
      'Traffic streams: error rate',
      'share',
      seriesOf(input.streams, t0, (r) => (r.count ? (r.count - r.ok) / r.count : null)),
    ),
    svgChart(
      'Replicas per cell',
      'replicas',
      seriesOf(input.cells, t0, (r) => r.replicas),
    ),
    svgChart(
      'Utilization per cell',
      'busy slots / concurrency',
      seriesOf(input.cells, t0, (r) => r.utilization),
    ),
  ];
  const events = input.events.map(
    (e) =>
      `<tr><td>${((e.time - t0) / 1000).toFixed(2)}s</td><td><code>${esc(e.type)}</code></td><td>${esc(e.cell ?? '')}</td><td><small>${esc(JSON.stringify(e.data).slice(0, 200))}</small></td></tr>`,
  );
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Petri run ${run.id}: ${esc(run.name)}</title>
<meta name="viewport" content="width=device-width,initial-scale=1"><style>${CSS}</style></head><body>
<h1>${esc(run.name)} — ${status}</h1>
<p>Run ${run.id} (${esc(run.kind)}) of organism <b>${esc(run.organism ?? '?')}</b>, started ${new Date(run.startedAt).toISOString()}${run.seed !== null ? `, seed ${run.seed}` : ''}${report?.scenario.description ? `. ${esc(report.scenario.description)}` : ''}</p>
${verdictsTable(report)}
<h2>Charts</h2>${charts.join('\n')}
<h2>Events (${input.events.length})</h2><table><tr><th>t</th><th>type</th><th>cell</th><th>data</th></tr>${events.join('')}</table>
<footer><small>Generated by Petri. Self-contained: no scripts, no external assets.</small></footer></body></html>
`;
}
