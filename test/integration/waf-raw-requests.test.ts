/**
 * Protocol attacks that only exist as raw bytes (fixtures/attacks/protocol.json `requests`),
 * written on a socket to the real gateway with the WAF layer in its chain. Each case says who
 * must refuse it: Node's HTTP parser (400, or 417 for an unmet Expect, before any layer runs) or the WAF (403). This is also
 * the wiring the immune chain uses: `gateway.layers.push(new WafLayer(config))`.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { NatsConnection } from '@nats-io/transport-node';
import { WallClock } from '../../engine/clock.ts';
import { Gateway, type GatewayLayer, type GatewayRequest } from '../../engine/gateway/index.ts';
import { WafLayer } from '../../engine/immune/waf/index.ts';
import { loadAttacks } from '../helpers/waf-corpus.ts';

interface RawCase {
  name: string;
  expect: 'parser' | 'waf';
  raw: string;
}

/** Writes raw bytes, returns the status of the first response (0 when none came). */
function send(port: number, raw: string): Promise<number> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    const done = (): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(Number(/^HTTP\/1\.[01] (\d{3})/.exec(data)?.[1] ?? 0));
    };
    const timer = setTimeout(done, 3000);
    socket.on('data', (chunk) => {
      data += chunk.toString('latin1');
      if (data.includes('\r\n\r\n')) done();
    });
    socket.on('error', done);
    socket.on('close', done);
    socket.write(Buffer.from(raw, 'latin1'));
  });
}

describe('raw protocol attacks against the gateway with the WAF layer', () => {
  const cases = (loadAttacks().find((c) => c.class === 'protocol')?.requests ?? []).filter((r): r is RawCase => 'raw' in r);
  // The gateway never reaches NATS here: every case is refused before a cell is called.
  const gateway = new Gateway({ nc: {} as NatsConnection, clock: new WallClock(), pathways: [] });
  const seen: string[] = [];
  const spy: GatewayLayer = {
    name: 'spy',
    inspect: (req: GatewayRequest) => void seen.push(`${req.method} ${req.path}`),
  };
  gateway.layers.push(spy, new WafLayer({ mode: 'block' }));
  let port = 0;
  before(async () => {
    port = await gateway.listen();
  });
  after(() => gateway.close());

  it('has raw cases for both the parser and the WAF', () => {
    assert.ok(cases.filter((c) => c.expect === 'parser').length >= 8);
    assert.ok(cases.filter((c) => c.expect === 'waf').length >= 15);
  });

  for (const c of cases) {
    it(`${c.name}: refused by ${c.expect === 'parser' ? 'Node before any layer' : 'the WAF (403)'}`, async () => {
      const before = seen.length;
      const status = await send(port, c.raw.replaceAll('{host}', `127.0.0.1:${port}`));
      if (c.expect === 'parser') {
        assert.ok(status === 400 || status === 417, `status ${status}`);
        assert.equal(seen.length, before, 'a layer saw a request the parser should have refused');
      } else {
        assert.equal(status, 403, `status ${status}`);
        assert.equal(seen.length, before + 1, 'the request never reached the layers');
      }
    });
  }
});
