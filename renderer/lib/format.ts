/** Number and time formatting for the UI: short, stable widths, no locale surprises. */

/** Requests per second: `0`, `0.4`, `12.9`, `128`, `1.2k`. */
export function formatRps(rps: number): string {
  if (!Number.isFinite(rps) || rps <= 0) return '0';
  if (rps < 10) return rps.toFixed(1).replace(/\.0$/, '');
  if (rps < 1000) return String(Math.round(rps));
  if (rps < 10_000) return `${(rps / 1000).toFixed(1).replace(/\.0$/, '')}k`;
  return `${Math.round(rps / 1000)}k`;
}

/** Milliseconds: `0.4 ms`, `12 ms`, `1.25 s`. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms) || ms <= 0) return '0 ms';
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 10) return `${ms.toFixed(1).replace(/\.0$/, '')} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

/** The line under a cell in the topology: `12 rps · p99 4.1 ms`, or `idle` without traffic. */
export function formatCellTraffic(stats: { rps: number; p99: number } | undefined): string {
  return stats && stats.rps > 0 ? `${formatRps(stats.rps)} rps · p99 ${formatMs(stats.p99)}` : 'idle';
}

/** A share as a percentage: `0%`, `0.1%`, `2.5%`, `37%`. */
export function formatPct(share: number): string {
  if (!Number.isFinite(share) || share <= 0) return '0%';
  const pct = share * 100;
  if (pct < 0.1) return '<0.1%';
  if (pct < 10) return `${pct.toFixed(1).replace(/\.0$/, '')}%`;
  return `${Math.round(pct)}%`;
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** Wall-clock time of an event: `14:03:27.118`. */
export function formatClock(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

/** A compact one-line summary of an event's data: `replica=catalog-3 reason=api`. */
export function summarizeData(data: Record<string, unknown>, maxLength = 140): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(data)) {
    const text = typeof v === 'string' ? v : typeof v === 'number' ? String(Math.round(v * 1000) / 1000) : JSON.stringify(v);
    parts.push(`${k}=${text}`);
    if (parts.join(' ').length > maxLength) break;
  }
  const line = parts.join(' ');
  return line.length > maxLength ? `${line.slice(0, maxLength - 1)}…` : line;
}

/** Uptime-style duration: `42s`, `3m 05s`, `2h 10m`. */
export function formatUptime(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${pad(s % 60)}s`;
  return `${Math.floor(s / 3600)}h ${pad(Math.floor((s % 3600) / 60))}m`;
}
