import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  attackRequests,
  benignRequests,
  browserHeaders,
  holdoutRequests,
  loadAttacks,
  loadBenign,
  place,
} from '../../../test/helpers/waf-corpus.ts';
import { ATTACK_CLASSES, RULE_GROUPS, inspect, type WafInput } from './index.ts';

const query = (value: string): WafInput => place(value, 'query', 0);
const ids = (input: WafInput, paranoia = 1): number[] =>
  inspect(input, { paranoia }, { exhaustive: true })
    .matches.map((m) => m.ruleId)
    .sort();
const score = (input: WafInput, paranoia = 1): number => inspect(input, { paranoia }).score;

describe('rule tables', () => {
  it('have unique ids, one group per class, and rules of their group’s class', () => {
    const all = RULE_GROUPS.flatMap((g) => [...g.rules, ...(g.requestRules ?? [])]);
    assert.equal(new Set(all.map((r) => r.id)).size, all.length, 'duplicate rule id');
    assert.deepEqual([...RULE_GROUPS.map((g) => g.cls)].sort(), [...ATTACK_CLASSES].sort());
    for (const g of RULE_GROUPS) for (const r of [...g.rules, ...(g.requestRules ?? [])]) assert.equal(r.cls, g.cls, `${r.id}`);
  });

  it('every paranoia-1 value rule fires on some attack request of the corpora', () => {
    const requests = [...loadAttacks().flatMap(attackRequests), ...holdoutRequests().attacks];
    const fired = new Set<number>();
    for (const r of requests) for (const m of inspect(r.input, {}, { exhaustive: true }).matches) fired.add(m.ruleId);
    const dead = RULE_GROUPS.flatMap((g) => g.rules)
      .filter((r) => r.paranoia === 1 && !fired.has(r.id))
      .map((r) => `${r.id} ${r.msg}`);
    assert.deepEqual(dead, [], 'rules no corpus payload exercises');
  });
});

describe('fast paths lose nothing', () => {
  it('plain-value skipping, class gates and the header cache find the same rules as a full scan', () => {
    const requests = [
      ...loadAttacks().flatMap(attackRequests),
      ...benignRequests(loadBenign()),
      ...holdoutRequests().attacks,
      ...holdoutRequests().benign,
    ];
    for (const paranoia of [1, 4]) {
      for (const r of requests) {
        const fast = inspect(r.input, { paranoia }, { exhaustive: true }).matches.map((m) => m.ruleId);
        const full = inspect(r.input, { paranoia }, { exhaustive: true, noShortcuts: true }).matches.map((m) => m.ruleId);
        assert.deepEqual(fast.sort(), full.sort(), `PL${paranoia} ${r.group}/${r.placement}: ${JSON.stringify(r.value)}`);
      }
    }
  });
});

describe('specific rules', () => {
  it('942180: a quote then a comment blocks only when the quote is unbalanced', () => {
    assert.ok(ids(query("admin'--")).includes(942180));
    assert.ok(!ids(query("I said 'hi' -- then left")).includes(942180));
    assert.equal(score(query("O'Brien")), 0);
  });

  it('942130: UNION SELECT through comment, newline and versioned-comment evasions', () => {
    for (const v of ['1 UNION/**/SELECT 1', '1 UnIoN%0aSeLeCt 1', '1 /*!50000UNION*/ /*!50000SELECT*/ 1', '1 union(select 1)'])
      assert.ok(ids(query(v)).includes(942130), v);
    assert.ok(!ids(query('The union voted to select a new leader')).includes(942130));
  });

  it('932100: commands after a separator, not prose with semicolons or markdown tables', () => {
    assert.ok(ids(query('x; cat /etc/passwd')).includes(932100));
    assert.ok(ids(query("a;c'a't /e\\tc/pa\\sswd")).includes(932100));
    assert.ok(ids(query('127.0.0.1 && whoami')).includes(932100));
    for (const v of ['dogs; cat food', 'first; last', '| id | name |\n|---|---|', 'Tom & Jerry', 'Q&A session'])
      assert.ok(!ids(query(v)).includes(932100), v);
  });

  it('930100/930110: one ../ warns, a chain of them blocks', () => {
    assert.deepEqual(ids(query('see ../docs/setup.md')), [930110]);
    assert.equal(score(query('see ../docs/setup.md')), 3);
    assert.ok(ids(query('..%252f..%252fconfig')).includes(930100));
  });

  it('scores add up: two warnings block together', () => {
    const v = 'see ../docs and select name from users';
    assert.deepEqual(ids(query(v)), [930110, 942250]);
    assert.equal(score(query(v)), 6);
  });

  it('936100 vs 936110/936115: an internal URL blocks as a whole value, warns in prose, blocks in prose at PL2', () => {
    assert.ok(ids(query('http://127.0.0.1:6379/')).includes(936100));
    const prose = query('my app runs on http://localhost:3000 during development');
    assert.deepEqual(ids(prose), [936110]);
    assert.equal(score(prose), 3);
    assert.ok(score(prose, 2) >= 5);
  });

  it('a Referer is not a URL argument: local development origins pass, the same URL as an argument blocks', () => {
    const referer = (url: string): WafInput => ({ method: 'GET', path: '/', headers: { ...browserHeaders(), referer: url } });
    assert.equal(score(referer('http://127.0.0.1:8080/admin')), 0, 'the gateway itself');
    assert.equal(score(referer('http://localhost:5173/app/cart')), 0, 'a dev server on another port');
    assert.equal(score(referer('http://192.168.1.20:3000/')), 0, 'a LAN page');
    assert.ok(score(referer('http://169.254.169.254/latest/meta-data/')) >= 5, 'cloud metadata is never a plausible Referer');
    const callback: WafInput = {
      method: 'GET',
      path: '/',
      headers: { ...browserHeaders(), 'x-callback-url': 'http://127.0.0.1:6379/' },
    };
    assert.ok(ids(callback).includes(936100));
  });

  it('943120: a session-id parameter blocks unless the request comes from the application’s own page', () => {
    const lure: WafInput = { method: 'GET', path: '/login', query: 'PHPSESSID=attacker123', headers: { host: '127.0.0.1:8080' } };
    assert.ok(ids(lure).includes(943120));
    const own = { ...lure, headers: { host: '127.0.0.1:8080', referer: 'http://127.0.0.1:8080/cart' } };
    assert.ok(!ids(own).includes(943120));
  });

  it('934130: JSON keys are inspected, including the constructor/prototype pair', () => {
    const body = (doc: string): WafInput => ({
      method: 'POST',
      path: '/api/items',
      headers: { host: 'h', 'content-type': 'application/json' },
      body: doc,
    });
    const proto = inspect(body('{"a": {"__proto__": {"admin": true}}}'), {}, { exhaustive: true });
    assert.deepEqual(
      proto.matches.map((m) => `${m.ruleId}@${m.location}`),
      ['934130@body-name'],
    );
    assert.deepEqual(ids(body('{"constructor": {"prototype": {"x": 1}}}')), [934130]);
    assert.equal(score(body('{"name": "O\'Brien", "note": "rock \'n\' roll"}')), 0);
  });

  it('protocol request rules: method, body on GET, smuggling headers, unparseable JSON', () => {
    const base = { path: '/x', headers: { host: 'h' } };
    assert.ok(ids({ ...base, method: 'TRACE' }).includes(920200));
    assert.ok(ids({ ...base, method: 'GET', headers: { host: 'h', 'content-length': '5' } }).includes(920210));
    const te = { host: 'h', 'content-length': '4', 'transfer-encoding': 'chunked, identity', 'content-type': 'text/plain' };
    assert.deepEqual(
      ids({ ...base, method: 'POST', headers: te, body: 'abcd' }).filter((id) => id === 920220 || id === 920230),
      [920220, 920230],
    );
    assert.ok(
      ids({ ...base, method: 'POST', headers: { host: 'h', 'content-type': 'application/json' }, body: '{"a": ]' }).includes(
        920250,
      ),
    );
  });

  it('matches carry evidence: rule, class, location, name, truncated fragment', () => {
    const long = `<script>${'a'.repeat(200)}</script>`;
    const r = inspect(place(long, 'json', 0));
    const m = r.matches[0]!;
    assert.equal(m.ruleId, 941100);
    assert.equal(m.cls, 'xss');
    assert.equal(m.location, 'body');
    assert.equal(m.name, '$.comment');
    assert.ok(m.fragment.length <= 80);
    assert.equal(r.paranoia, 1);
    assert.equal(r.threshold, 5);
  });

  it('stops at the threshold unless asked for all the evidence', () => {
    const input: WafInput = {
      ...query("1' UNION SELECT password FROM users--"),
      headers: { ...browserHeaders(), 'x-note': '<script>alert(1)</script>' },
    };
    const quick = inspect(input);
    const all = inspect(input, {}, { exhaustive: true });
    assert.ok(quick.score >= 5);
    assert.deepEqual([...new Set(quick.matches.map((m) => m.cls))], ['sqli']);
    assert.deepEqual([...new Set(all.matches.map((m) => m.cls))].sort(), ['sqli', 'xss']);
  });

  it('a higher threshold lets a single critical rule pass', () => {
    const input = query('{{7*7}}');
    assert.equal(inspect(input).score, 5);
    assert.ok(inspect(input, { threshold: 10 }).score < 10);
  });
});
