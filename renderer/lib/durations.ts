/** Time spans for people: how long ago, how long left, how long something took. Pure. */

/** A span: `850 ms`, `12s`, `4m 05s`, `2h 10m`. */
export function formatSpan(ms: number): string {
  if (!Number.isFinite(ms)) return '–';
  const abs = Math.max(0, ms);
  if (abs < 1000) return `${Math.round(abs)} ms`;
  const s = Math.floor(abs / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** Time left until `end` (ms): `4m 05s left`, `ending`, or `until cleared` without an end. */
export function timeLeft(end: number | null | undefined, now: number): string {
  if (end === null || end === undefined) return 'until cleared';
  const left = end - now;
  return left <= 0 ? 'ending' : `${formatSpan(Math.ceil(left / 1000) * 1000)} left`;
}

/** How long ago `t` was: `just now`, `12s ago`, `4m 05s ago`. */
export function ago(t: number, now: number): string {
  const d = now - t;
  return d < 1000 ? 'just now' : `${formatSpan(d)} ago`;
}

/** Bytes: `0 B`, `512 B`, `1.5 kB`, `12 MB`. */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n <= 0) return '0 B';
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i += 1;
  }
  return i === 0 ? `${v} B` : `${v < 10 ? v.toFixed(1).replace(/\.0$/, '') : Math.round(v)} ${units[i]}`;
}
