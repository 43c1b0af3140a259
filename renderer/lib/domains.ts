/** A colour per event domain, so the timeline reads at a glance (CSS uses `--d-<domain>`). */

const HUES: Record<string, string> = {
  cell: 'var(--ok)',
  replica: 'var(--ok)',
  fault: 'var(--bad)',
  attack: 'var(--bad)',
  immune: '#a855f7',
  incident: '#a855f7',
  signal: 'var(--info)',
  scaling: '#14b8a6',
  recycling: '#b45309',
  breaker: 'var(--warn)',
  traffic: 'var(--idle)',
  scenario: '#6366f1',
  bus: 'var(--warn)',
  engine: 'var(--idle)',
};

/** The colour of a domain (unknown domains get a neutral one). */
export function domainColor(domain: string): string {
  return HUES[domain] ?? 'var(--idle)';
}

/** Series colours for charts: distinct on light and dark backgrounds. */
export const SERIES_COLORS = [
  '#3b82f6',
  '#10b981',
  '#f59e0b',
  '#ef4444',
  '#8b5cf6',
  '#06b6d4',
  '#ec4899',
  '#84cc16',
  '#f97316',
  '#6366f1',
  '#14b8a6',
  '#eab308',
] as const;
