/**
 * The WAF's evaluation on the project's corpora (issue 6's bar): every attack payload placed in
 * each location it can take (query, JSON body, form body, header, path segment, or the
 * User-Agent for scanners) plus the whole-request cases, and every benign value placed the same
 * way. At the default paranoia and threshold the WAF must refuse at least 95 % of the attack
 * requests of each class and at most 1 % of the benign requests. Prints the per-class table.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  attackRequests,
  benignRequests,
  holdoutRequests,
  loadAttacks,
  loadBenign,
  type Labelled,
} from '../../../test/helpers/waf-corpus.ts';
import { DEFAULT_PARANOIA, DEFAULT_THRESHOLD, inspect } from './index.ts';

const MIN_DETECTION = 0.95;
const MAX_FALSE_POSITIVES = 0.01;
/** The held-out set was not used to fit the rules, so it gets a looser bar. */
const HOLDOUT_MIN_DETECTION = 0.9;
const HOLDOUT_MAX_FALSE_POSITIVES = 0.03;

interface Row {
  group: string;
  total: number;
  refused: number;
  misses: Labelled[];
}

function evaluate(requests: Labelled[], paranoia = DEFAULT_PARANOIA): Map<string, Row> {
  const rows = new Map<string, Row>();
  for (const r of requests) {
    let row = rows.get(r.group);
    if (!row) rows.set(r.group, (row = { group: r.group, total: 0, refused: 0, misses: [] }));
    row.total++;
    const { score } = inspect(r.input, { paranoia, threshold: DEFAULT_THRESHOLD });
    if (score >= DEFAULT_THRESHOLD) row.refused++;
    else row.misses.push(r);
  }
  return rows;
}

const pct = (n: number, d: number): string => `${((100 * n) / d).toFixed(1)} %`.padStart(8);

function describeOne(r: Labelled): string {
  const res = inspect(r.input, { threshold: DEFAULT_THRESHOLD }, { exhaustive: true });
  const rules = res.matches.map((m) => `${m.ruleId}@${m.location}`).join(',') || 'no rule';
  return `    [${r.placement}] ${JSON.stringify(r.value).slice(0, 90)}  score ${res.score} (${rules})`;
}

describe('WAF evaluation on the project corpora (paranoia 1, threshold 5)', () => {
  const attacks = loadAttacks();
  const benign = loadBenign();
  const attackRows = evaluate(attacks.flatMap(attackRequests));
  const benignRequestsAll = benignRequests(benign);
  const benignRows = evaluate(benignRequestsAll);
  const benignRefused = [...benignRows.values()].reduce((n, r) => n + r.refused, 0);

  it('prints the per-class table', () => {
    const lines = ['', 'class        requests  refused  detection   false positives on benign'];
    const fp = `${pct(benignRefused, benignRequestsAll.length)} (${benignRefused}/${benignRequestsAll.length})`;
    for (const row of attackRows.values())
      lines.push(
        `${row.group.padEnd(12)} ${String(row.total).padStart(8)} ${String(row.refused).padStart(8)} ${pct(row.refused, row.total)}   ${fp}`,
      );
    lines.push('', 'benign group   requests  refused  false positives');
    for (const row of benignRows.values())
      lines.push(
        `${row.group.padEnd(14)} ${String(row.total).padStart(8)} ${String(row.refused).padStart(8)} ${pct(row.refused, row.total)}`,
      );
    // Higher paranoia levels for comparison (not asserted: they trade false positives for reach).
    const allAttacks = attacks.flatMap(attackRequests);
    for (const paranoia of [2, 3]) {
      const a = [...evaluate(allAttacks, paranoia).values()].reduce((n, r) => n + r.refused, 0);
      const b = [...evaluate(benignRequestsAll, paranoia).values()].reduce((n, r) => n + r.refused, 0);
      lines.push(
        `paranoia ${paranoia}: ${pct(a, allAttacks.length)} of attacks refused, ${pct(b, benignRequestsAll.length)} of benign (${b})`,
      );
    }
    console.log(lines.join('\n'));
    assert.ok(attackRows.size >= 11, `expected every attack class, got ${[...attackRows.keys()].join(', ')}`);
  });

  for (const row of attackRows.values()) {
    it(`refuses ≥ 95 % of ${row.group} requests`, () => {
      const rate = row.refused / row.total;
      const detail = row.misses.slice(0, 25).map(describeOne).join('\n');
      assert.ok(rate >= MIN_DETECTION, `${row.group}: ${pct(row.refused, row.total)} refused; misses:\n${detail}`);
      if (row.misses.length) console.log(`${row.group}: ${row.misses.length} missed\n${detail}`);
    });
  }

  it('refuses ≤ 1 % of benign requests', () => {
    const refused = benignRequestsAll.filter((r) => inspect(r.input).score >= DEFAULT_THRESHOLD);
    const detail = refused.map(describeOne).join('\n');
    if (refused.length) console.log(`benign refused (${refused.length}):\n${detail}`);
    assert.equal(refused.length, benignRefused);
    assert.ok(refused.length / benignRequestsAll.length <= MAX_FALSE_POSITIVES, `false positives:\n${detail}`);
  });

  it('corpora are large and varied enough to mean something', () => {
    for (const c of attacks) assert.ok(c.payloads.length >= 40, `${c.class} has only ${c.payloads.length} payloads`);
    assert.ok(benignRequestsAll.length >= 1500, `benign requests: ${benignRequestsAll.length}`);
  });
});

describe('WAF evaluation on the held-out set (not used to tune the rules)', () => {
  const { attacks, benign } = holdoutRequests();
  const refused = (rs: Labelled[]): Labelled[] => rs.filter((r) => inspect(r.input).score >= DEFAULT_THRESHOLD);
  const caught = refused(attacks);
  const falsePositives = refused(benign);

  it('refuses ≥ 90 % of held-out attacks and ≤ 3 % of held-out benign values', () => {
    const rows = evaluate(attacks);
    const lines = ['', 'held-out     requests  refused  detection'];
    for (const row of rows.values())
      lines.push(
        `${row.group.padEnd(12)} ${String(row.total).padStart(8)} ${String(row.refused).padStart(8)} ${pct(row.refused, row.total)}`,
      );
    lines.push(
      `all attacks  ${String(attacks.length).padStart(8)} ${String(caught.length).padStart(8)} ${pct(caught.length, attacks.length)}`,
    );
    lines.push(
      `benign       ${String(benign.length).padStart(8)} ${String(falsePositives.length).padStart(8)} ${pct(falsePositives.length, benign.length)} false positives`,
    );
    const missed = attacks.filter((r) => !caught.includes(r));
    console.log([...lines, ...missed.map(describeOne), ...falsePositives.map(describeOne)].join('\n'));
    assert.ok(
      caught.length / attacks.length >= HOLDOUT_MIN_DETECTION,
      `held-out detection ${pct(caught.length, attacks.length)}`,
    );
    assert.ok(
      falsePositives.length / benign.length <= HOLDOUT_MAX_FALSE_POSITIVES,
      `held-out false positives ${pct(falsePositives.length, benign.length)}`,
    );
  });
});
