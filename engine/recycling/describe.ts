/**
 * Cron schedules in words, for the API and the Recycling view: `*\/30 * * * * *` → "every 30
 * seconds", `0 3 * * 1-5` → "at 03:00, Monday through Friday". Covers the shapes people write;
 * anything else is still described field by field rather than echoed back.
 */
import { splitCron, type CronFields } from '../util/cron.ts';

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const MONTHS = [
  '',
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const DAY_NAMES: Record<string, number> = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 };
const MONTH_NAMES: Record<string, number> = {
  jan: 1,
  feb: 2,
  mar: 3,
  apr: 4,
  may: 5,
  jun: 6,
  jul: 7,
  aug: 8,
  sep: 9,
  oct: 10,
  nov: 11,
  dec: 12,
};

const isNum = (s: string): boolean => /^\d+$/.test(s);
const stepOf = (s: string): number | undefined => (/^\*\/(\d+)$/.exec(s) ? Number(s.slice(2)) : undefined);
const pad = (n: number): string => String(n).padStart(2, '0');
const plural = (n: number, unit: string): string => (n === 1 ? `every ${unit}` : `every ${n} ${unit}s`);

function list(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** Words for one field value (`5`, `1-5`, `*\/10`, `1,15`) given how to name a single value. */
function fieldWords(field: string, name: (n: number) => string, unit: string): string {
  return list(
    field.split(',').map((part) => {
      const step = /^(.+)\/(\d+)$/.exec(part);
      if (step) {
        const base = step[1] === '*' ? '' : ` from ${rangeWords(step[1]!, name)}`;
        return `every ${ordinal(Number(step[2]))} ${unit}${base}`;
      }
      return rangeWords(part, name);
    }),
  );
}

function rangeWords(part: string, name: (n: number) => string): string {
  const range = /^(\w+)-(\w+)$/.exec(part);
  if (range) return `${name(toNumber(range[1]!))} through ${name(toNumber(range[2]!))}`;
  return isNum(part) || DAY_NAMES[part.toLowerCase()] !== undefined || MONTH_NAMES[part.toLowerCase()] !== undefined
    ? name(toNumber(part))
    : part;
}

function toNumber(token: string): number {
  const t = token.toLowerCase();
  return DAY_NAMES[t] ?? MONTH_NAMES[t] ?? Number(token);
}

function ordinal(n: number): string {
  if (n === 1) return '';
  const suffix = n % 100 >= 11 && n % 100 <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
}

/** The time-of-day part; `clock` when it names times of day (so "every day" reads well before it). */
function timeWords(f: CronFields): { text: string; clock: boolean } {
  const { second: s, minute: m, hour: h } = f;
  const atSecond = s === '0' ? '' : ` at second ${s}`;
  if (s === '*' && m === '*' && h === '*') return { text: 'every second', clock: false };
  const sStep = stepOf(s);
  if (sStep && m === '*' && h === '*') return { text: plural(sStep, 'second'), clock: false };
  if (isNum(s) && m === '*' && h === '*') return { text: `every minute${atSecond}`, clock: false };
  const mStep = stepOf(m);
  if (isNum(s) && mStep && h === '*') return { text: `${plural(mStep, 'minute')}${atSecond}`, clock: false };
  if (isNum(s) && isNum(m)) {
    const clock = (hour: number): string => `${pad(hour)}:${pad(Number(m))}${s === '0' ? '' : `:${pad(Number(s))}`}`;
    if (h === '*')
      return { text: m === '0' && s === '0' ? 'every hour, on the hour' : `every hour at minute ${m}${atSecond}`, clock: false };
    const hStep = stepOf(h);
    if (hStep) return { text: `${plural(hStep, 'hour')} at minute ${m}${atSecond}`, clock: false };
    if (/^\d+(,\d+)*$/.test(h)) return { text: `at ${list(h.split(',').map((x) => clock(Number(x))))}`, clock: true };
    const range = /^(\d+)-(\d+)$/.exec(h);
    if (range) return { text: `every hour from ${clock(Number(range[1]))} through ${clock(Number(range[2]))}`, clock: false };
  }
  return { text: genericTime(s, m, h), clock: false };
}

/** Field-by-field words for shapes the cases above do not name. */
function genericTime(s: string, m: string, h: string): string {
  const unitWords = (field: string, unit: string): string => {
    if (field === '*') return `every ${unit}`;
    const step = stepOf(field);
    return step ? plural(step, unit) : `at ${unit} ${fieldWords(field, String, unit)}`;
  };
  const parts = [s === '0' ? '' : unitWords(s, 'second'), unitWords(m, 'minute')].filter(Boolean);
  if (h !== '*') parts.push(`during hour ${fieldWords(h, String, 'hour')}`);
  return parts.join(', ');
}

/** The calendar part (empty for "every day"). */
function dateWords(f: CronFields): string {
  const parts: string[] = [];
  if (f.dayOfMonth !== '*' && f.dayOfMonth !== '?') {
    const dom = f.dayOfMonth === 'L' ? 'the last day' : `day ${fieldWords(f.dayOfMonth, String, 'day')}`;
    parts.push(`on ${dom} of the month`);
  }
  if (f.dayOfWeek !== '*' && f.dayOfWeek !== '?') parts.push(`on ${fieldWords(f.dayOfWeek, (n) => DAYS[n] ?? String(n), 'day')}`);
  if (f.month !== '*') parts.push(`in ${fieldWords(f.month, (n) => MONTHS[n] ?? String(n), 'month')}`);
  return parts.join(', ');
}

/** A cron expression in English. */
export function describeCron(expression: string): string {
  const f = splitCron(expression);
  const time = timeWords(f);
  const date = dateWords(f);
  if (!date) return time.clock ? `every day ${time.text}` : time.text;
  return `${time.text}, ${date}`;
}
