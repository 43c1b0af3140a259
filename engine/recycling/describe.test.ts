import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeCron } from './describe.ts';

const CASES: Array<[string, string]> = [
  ['* * * * * *', 'every second'],
  ['*/30 * * * * *', 'every 30 seconds'],
  ['*/5 * * * * *', 'every 5 seconds'],
  ['0 * * * * *', 'every minute'],
  ['* * * * *', 'every minute'],
  ['15 * * * * *', 'every minute at second 15'],
  ['*/15 * * * *', 'every 15 minutes'],
  ['10 */5 * * * *', 'every 5 minutes at second 10'],
  ['0 * * * *', 'every hour, on the hour'],
  ['@hourly', 'every hour, on the hour'],
  ['20 * * * *', 'every hour at minute 20'],
  ['0 */2 * * *', 'every 2 hours at minute 0'],
  ['30 3 * * *', 'every day at 03:30'],
  ['@daily', 'every day at 00:00'],
  ['0 9,17 * * *', 'every day at 09:00 and 17:00'],
  ['0 9-17 * * *', 'every hour from 09:00 through 17:00'],
  ['0 3 * * 1-5', 'at 03:00, on Monday through Friday'],
  ['5 4 * * sun', 'at 04:05, on Sunday'],
  ['0 30 2 * * mon,fri', 'at 02:30, on Monday and Friday'],
  ['0 0 1 * *', 'at 00:00, on day 1 of the month'],
  ['0 0 L * *', 'at 00:00, on the last day of the month'],
  ['0 0 1 1 *', 'at 00:00, on day 1 of the month, in January'],
  ['0 6 * jan-mar *', 'at 06:00, in January through March'],
  ['*/10 5 * * *', 'every 10 minutes, during hour 5'],
];

test('cron expressions read as English', () => {
  for (const [expr, words] of CASES) assert.equal(describeCron(expr), words, expr);
});
