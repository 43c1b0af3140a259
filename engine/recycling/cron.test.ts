import { test } from 'node:test';
import assert from 'node:assert/strict';
import cron from 'node-cron';
import { CronMatcher, cronIssues, splitCron } from './cron.ts';

test('the engine-clock matcher agrees with node-cron on the next fire times', () => {
  for (const expr of [
    '*/5 * * * * *',
    '*/30 * * * * *',
    '*/15 * * * *',
    '0 3 * * 1-5',
    '0 0 L * *',
    '30 2 * * mon,fri',
    '@hourly',
  ]) {
    const matcher = new CronMatcher(expr);
    const task = cron.createTask(expr, () => {});
    try {
      // Both start from the same instant; retry once if a second boundary fell between them.
      for (let attempt = 0; attempt < 2; attempt++) {
        const from = Date.now();
        const theirs = task.getNextRuns(3).map((d) => d.getTime());
        if (Math.floor(Date.now() / 1000) !== Math.floor(from / 1000)) continue;
        const ours: number[] = [];
        let t = from;
        for (let i = 0; i < 3; i++) ours.push((t = matcher.next(t)!));
        assert.deepEqual(ours, theirs, expr);
        break;
      }
    } finally {
      matcher.dispose();
      void task.destroy();
    }
  }
});

test('the matcher walks a fixed timeline: every 5 s from a given instant', () => {
  const m = new CronMatcher('*/5 * * * * *');
  try {
    const start = new Date(2026, 0, 1, 12, 0, 3).getTime();
    const a = m.next(start)!;
    const b = m.next(a)!;
    assert.equal(a - start, 2000);
    assert.equal(b - a, 5000);
    assert.equal(m.next(a - 1), a, 'strictly after, not at');
  } finally {
    m.dispose();
  }
});

test('cron issues name the field and what to do', () => {
  assert.deepEqual(cronIssues('*/30 * * * * *'), []);
  assert.deepEqual(cronIssues('@daily'), []);
  assert.match(cronIssues('* * * *')[0]!, /expected 5 or 6 fields but got 4: use 5 fields/);
  assert.match(cronIssues('61 * * * *')[0]!, /^minute field "61" is not valid$/);
  assert.match(cronIssues('*/70 * * * * *')[0]!, /second field "\*\/70" steps by 70, wider than the field \(0–59\)/);
  assert.match(cronIssues('0 0 * * 9')[0]!, /day-of-week field "9"/);
});

test('expressions split into six fields, nicknames resolved', () => {
  assert.deepEqual(splitCron('*/5 * * * *'), {
    second: '0',
    minute: '*/5',
    hour: '*',
    dayOfMonth: '*',
    month: '*',
    dayOfWeek: '*',
    seconds: false,
  });
  assert.equal(splitCron('@weekly').dayOfWeek, '0');
  assert.equal(splitCron('*/30 * * * * *').seconds, true);
});
