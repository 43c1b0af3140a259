/**
 * Cron expressions as node-cron reads them (5 fields, or 6 with seconds first, plus `@daily`-style
 * nicknames): splitting into fields and precise validation. Shared by the manifest loader and the
 * recycling domain.
 */
import cron from 'node-cron';

/** Nicknames node-cron resolves before parsing (same table as node-cron and Kubernetes). */
export const CRON_NICKNAMES: Readonly<Record<string, string>> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

/** The six textual fields of an expression; `seconds` says whether it had a seconds field. */
export interface CronFields {
  second: string;
  minute: string;
  hour: string;
  dayOfMonth: string;
  month: string;
  dayOfWeek: string;
  seconds: boolean;
}

const FIELD_NAMES = ['second', 'minute', 'hour', 'dayOfMonth', 'month', 'dayOfWeek'] as const;
const FIELD_LABELS = ['second', 'minute', 'hour', 'day-of-month', 'month', 'day-of-week'] as const;
const FIELD_RANGE: Record<(typeof FIELD_NAMES)[number], [number, number]> = {
  second: [0, 59],
  minute: [0, 59],
  hour: [0, 23],
  dayOfMonth: [1, 31],
  month: [1, 12],
  dayOfWeek: [0, 7],
};

/** Splits an expression into fields (nicknames resolved; a 5-field one gets second `0`). */
export function splitCron(expression: string): CronFields {
  const text = CRON_NICKNAMES[expression.trim().toLowerCase()] ?? expression.trim();
  const raw = text.split(/\s+/);
  const seconds = raw.length === 6;
  const [second, minute, hour, dayOfMonth, month, dayOfWeek] = seconds ? raw : ['0', ...raw];
  return {
    second: second ?? '*',
    minute: minute ?? '*',
    hour: hour ?? '*',
    dayOfMonth: dayOfMonth ?? '*',
    month: month ?? '*',
    dayOfWeek: dayOfWeek ?? '*',
    seconds,
  };
}

/**
 * What is wrong with an expression, field by field; empty when node-cron accepts it. Beyond
 * node-cron's checks, a step wider than its field (`*\/70` seconds, which node-cron silently reads
 * as "at second 0") is refused because it never means what its author meant.
 */
export function cronIssues(expression: string): string[] {
  const detailed = cron.validateDetailed(expression);
  if (!detailed.valid)
    return detailed.errors.map((e) =>
      e.field === 'expression'
        ? `${e.message}: use 5 fields (minute hour day-of-month month day-of-week) or 6 with seconds first, e.g. "*/30 * * * * *"`
        : `${labelOf(e.field)} field ${JSON.stringify(e.value)} is not valid`,
    );
  const fields = splitCron(expression);
  const issues: string[] = [];
  FIELD_NAMES.forEach((name, i) => {
    const [lo, hi] = FIELD_RANGE[name];
    for (const part of fields[name].split(',')) {
      const step = /\/(\d+)$/.exec(part);
      if (step && Number(step[1]) > hi - lo)
        issues.push(
          `${FIELD_LABELS[i]} field ${JSON.stringify(part)} steps by ${step[1]}, wider than the field (${lo}–${hi}): it would fire only once per ${FIELD_LABELS[i + 1] ?? 'period'}`,
        );
      if (step && Number(step[1]) === 0) issues.push(`${FIELD_LABELS[i]} field ${JSON.stringify(part)} has a step of 0`);
    }
  });
  return issues;
}

function labelOf(field: string): string {
  const i = (FIELD_NAMES as readonly string[]).indexOf(field);
  return i === -1 ? field : FIELD_LABELS[i]!;
}
