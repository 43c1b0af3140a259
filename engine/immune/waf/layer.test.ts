import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { GatewayRequest } from '../../gateway/index.ts';
import { WAF_NOTE, WafLayer, type WafEvidence } from './index.ts';

function request(query: string, headers: GatewayRequest['headers'] = {}): GatewayRequest {
  return {
    method: 'GET',
    path: '/products',
    query,
    headers: { host: '127.0.0.1:8080', 'user-agent': 'Mozilla/5.0', ...headers },
    client: '127.0.0.9',
    pathway: undefined,
    params: {},
    body: undefined,
    now: 0,
    notes: {},
  };
}

const ATTACK = "q=1'%20UNION%20SELECT%20password%20FROM%20users--";

describe('WafLayer', () => {
  it('in block mode refuses an attack with 403 and its evidence', () => {
    const layer = new WafLayer({ mode: 'block' });
    const req = request(ATTACK);
    const d = layer.inspect(req);
    assert.ok(d, 'expected a refusal');
    assert.equal(d.status, 403);
    assert.equal(d.layer, 'waf');
    assert.equal(d.blocked, true);
    assert.equal(d.evidence.classes[0], 'sqli');
    assert.equal(d.evidence.paranoia, 1);
    assert.equal(d.evidence.threshold, 5);
    assert.ok(d.evidence.score >= 5, `score ${d.evidence.score}`);
    const m = d.evidence.matches[0]!;
    assert.deepEqual([m.location, m.name, m.cls], ['query', 'q', 'sqli']);
    assert.match(d.reason, /sqli \(rule 942\d{3}/);
    assert.equal(req.notes[WAF_NOTE], d.evidence);
    assert.deepEqual(layer.stats(), { inspected: 1, blocked: 1, alerted: 0, byClass: { sqli: 1 } });
  });

  it('lets benign requests through and leaves no note when nothing matched', () => {
    const layer = new WafLayer();
    const req = request("name=O'Brien&q=how%20to%20use%20SELECT%20in%20SQL");
    assert.equal(layer.inspect(req), undefined);
    assert.equal(req.notes[WAF_NOTE], undefined);
  });

  it('notes evidence below the threshold without refusing', () => {
    const req = request('q=see%20../docs/setup.md');
    assert.equal(new WafLayer().inspect(req), undefined);
    assert.equal((req.notes[WAF_NOTE] as WafEvidence).score, 3);
  });

  it('in alert mode reports the evidence and lets the request pass', () => {
    const alerts: WafEvidence[] = [];
    const layer = new WafLayer({ mode: 'alert' }, { onAlert: (_req, e) => alerts.push(e) });
    assert.equal(layer.inspect(request(ATTACK)), undefined);
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]!.mode, 'alert');
    assert.equal(layer.stats().alerted, 1);
    assert.equal(layer.stats().blocked, 0);
  });

  it('off inspects nothing; configure changes mode, paranoia and threshold live', () => {
    const layer = new WafLayer({ mode: 'off' });
    assert.equal(layer.inspect(request(ATTACK)), undefined);
    assert.equal(layer.stats().inspected, 0);
    layer.configure({ mode: 'block' });
    assert.ok(layer.inspect(request(ATTACK)));
    // An internal URL inside prose only warns at paranoia 1 and blocks at paranoia 2.
    const prose = 'q=my%20app%20runs%20on%20http%3A%2F%2Flocalhost%3A3000%20today';
    assert.equal(layer.inspect(request(prose)), undefined);
    layer.configure({ paranoia: 2 });
    assert.equal(layer.config.paranoia, 2);
    assert.equal(layer.inspect(request(prose))?.status, 403);
    layer.configure({ threshold: 100 });
    assert.equal(layer.inspect(request(prose)), undefined);
  });

  it('refuses scanner fingerprints in headers', () => {
    const d = new WafLayer().inspect(request('', { 'user-agent': 'sqlmap/1.7.2#stable (https://sqlmap.org)' }));
    assert.equal(d?.evidence.classes[0], 'scanner');
  });
});
