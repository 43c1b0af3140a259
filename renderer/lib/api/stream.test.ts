import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { backoffDelay } from './backoff.ts';
import { adoptEarly, earlyHello, openEarly } from './early.ts';
import { EngineStream, type ProbeResult, type SocketLike, type StreamStatus } from './stream.ts';
import { hashWithoutToken, takeToken, tokenFromHash } from './token.ts';

class FakeSocket implements SocketLike {
  onopen: SocketLike['onopen'] = null;
  onmessage: SocketLike['onmessage'] = null;
  onclose: SocketLike['onclose'] = null;
  onerror: SocketLike['onerror'] = null;
  closed = false;
  close(): void {
    this.closed = true;
  }
  send(msg: unknown): void {
    this.onmessage?.({ data: JSON.stringify(msg) });
  }
  drop(): void {
    this.onclose?.({});
  }
}

const HELLO = { kind: 'hello', organism: { name: 'o', runId: 1 }, lastSeq: 0 };

describe('EngineStream', () => {
  let clock = 0;
  let sockets: FakeSocket[];
  let statuses: StreamStatus[];
  let probe: ProbeResult;
  let stream: EngineStream;

  beforeEach(() => {
    mock.timers.enable({ apis: ['setTimeout', 'setInterval'] });
    clock = 0;
    sockets = [];
    statuses = [];
    probe = 'ok';
    stream = new EngineStream({
      url: 'ws://x/api/stream?token=t',
      onMessage: () => {},
      onStatus: (s) => statuses.push(s),
      probe: () => Promise.resolve(probe),
      socket: () => {
        const s = new FakeSocket();
        sockets.push(s);
        return s;
      },
      staleMs: 4000,
      backoff: { baseMs: 100, maxMs: 1000, jitter: 0 },
      now: () => clock,
    });
  });

  afterEach(() => {
    stream.stop();
    mock.timers.reset();
  });

  const tick = async (ms: number): Promise<void> => {
    clock += ms;
    mock.timers.tick(ms);
    for (let i = 0; i < 5; i++) await Promise.resolve();
  };

  it('is open once the hello arrives', () => {
    stream.start();
    assert.equal(stream.status, 'connecting');
    sockets[0]!.send(HELLO);
    assert.equal(stream.status, 'open');
  });

  it('reconnects with growing delays after the connection drops', async () => {
    stream.start();
    sockets[0]!.send(HELLO);
    sockets[0]!.drop();
    assert.equal(stream.status, 'retrying');
    await tick(99);
    assert.equal(sockets.length, 1, 'waits the first backoff delay');
    await tick(1);
    assert.equal(sockets.length, 2);
    sockets[1]!.drop();
    await tick(199);
    assert.equal(sockets.length, 2, 'second delay is twice the first');
    await tick(1);
    assert.equal(sockets.length, 3);
    sockets[2]!.send(HELLO);
    assert.equal(stream.status, 'open');
  });

  it('stops retrying when the probe says the token is refused', async () => {
    stream.start();
    probe = 'unauthorized';
    sockets[0]!.drop();
    await tick(100);
    assert.equal(stream.status, 'unauthorized');
    await tick(5000);
    assert.equal(sockets.length, 1);
  });

  it('keeps backing off without opening sockets while the engine is down', async () => {
    stream.start();
    probe = 'down';
    sockets[0]!.drop();
    await tick(100 + 200 + 400);
    assert.equal(sockets.length, 1);
    assert.deepEqual(statuses.slice(-1), ['retrying']);
    probe = 'ok';
    await tick(800);
    assert.equal(sockets.length, 2);
  });

  it('treats a silent connection as dead (a frozen engine)', async () => {
    stream.start();
    sockets[0]!.send(HELLO);
    await tick(4500);
    assert.equal(sockets[0]!.closed, true);
    assert.equal(stream.status, 'retrying');
  });

  it('gives up on a handshake that never completes', async () => {
    stream.start();
    await tick(4500);
    assert.equal(sockets[0]!.closed, true);
    assert.notEqual(stream.status, 'connecting');
  });

  it('reconnects at once on retryNow', async () => {
    stream.start();
    sockets[0]!.drop();
    stream.retryNow();
    assert.equal(sockets.length, 2);
    await tick(1000);
    assert.equal(sockets.length, 2, 'the pending retry was cancelled');
  });
});

describe('backoff', () => {
  it('doubles up to the cap, with jitter below the nominal delay', () => {
    const o = { baseMs: 250, maxMs: 5000, jitter: 0.3 };
    assert.equal(
      backoffDelay(0, o, () => 0.999999),
      250,
    );
    assert.equal(
      backoffDelay(3, o, () => 0.999999),
      2000,
    );
    assert.equal(
      backoffDelay(10, o, () => 0.999999),
      5000,
    );
    assert.equal(
      backoffDelay(10, o, () => 0),
      3500,
    );
  });
});

describe('token', () => {
  it('reads the token from the fragment', () => {
    assert.equal(tokenFromHash('#token=abc'), 'abc');
    assert.equal(tokenFromHash('#/timeline&token=a%2Fb'), 'a/b');
    assert.equal(tokenFromHash('#/timeline'), undefined);
  });

  it('takes the token out of the address bar but keeps the route', () => {
    assert.equal(hashWithoutToken('#token=abc'), '');
    assert.equal(hashWithoutToken('#/metrics&token=abc'), '#/metrics');
  });

  it('remembers the token for reloads and prefers a new one from the URL', () => {
    const stored = new Map<string, string>();
    const store = { getItem: (k: string) => stored.get(k) ?? null, setItem: (k: string, v: string) => void stored.set(k, v) };
    assert.deepEqual(takeToken('#token=one', store), { token: 'one', hash: '' });
    assert.deepEqual(takeToken('#/timeline', store), { token: 'one', hash: '#/timeline' });
    assert.deepEqual(takeToken('#token=two', store), { token: 'two', hash: '' });
    assert.deepEqual(takeToken('', undefined), { token: undefined, hash: '' });
  });
});

describe('the early socket', () => {
  class EarlySocket extends FakeSocket {
    readyState = 0;
  }
  const URL = 'ws://x/api/stream?token=t';

  it('is adopted by the first connection, which replays what arrived before the app mounted', () => {
    const early = new EarlySocket();
    openEarly(URL, () => early);
    early.readyState = 1;
    early.send(HELLO);
    early.send({ kind: 'events', events: [] });
    const got: string[] = [];
    const statuses: StreamStatus[] = [];
    let opened = 0;
    const stream = new EngineStream({
      url: URL,
      onMessage: (m) => got.push(m.kind),
      onStatus: (s) => statuses.push(s),
      adopt: adoptEarly,
      socket: () => {
        opened++;
        return new FakeSocket();
      },
    });
    stream.start();
    assert.deepEqual(got, ['hello', 'events'], 'buffered messages replayed in order');
    assert.equal(statuses.at(-1), 'open');
    assert.equal(opened, 0, 'no second socket');
    early.send({ kind: 'metrics', frame: {} });
    assert.deepEqual(got, ['hello', 'events', 'metrics'], 'later messages arrive through the stream');
    stream.stop();
    assert.equal(early.closed, true);
  });

  it('is opened once: the entry script finds the one the boot script opened and keeps it', () => {
    const fromBoot = new EarlySocket();
    let opened = 0;
    openEarly(URL, () => (opened++, fromBoot));
    openEarly(URL, () => (opened++, new EarlySocket()));
    assert.equal(opened, 1, 'the entry did not open a second socket');
    assert.equal(adoptEarly(URL)?.socket, fromBoot);
    openEarly('ws://x/api/stream?token=other', () => (opened++, new EarlySocket()));
    assert.equal(opened, 2, 'a new one once the first was adopted');
    adoptEarly('ws://x/api/stream?token=other');
  });

  it('lets the entry wait for the hello: settled by the first message, a failure, or the time limit', async () => {
    const settled = (p: Promise<void>): Promise<boolean> =>
      Promise.race([p.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 20))]);
    const talking = new EarlySocket();
    openEarly(URL, () => talking);
    const waiting = earlyHello(60_000);
    assert.equal(await settled(waiting), false, 'nothing received yet');
    talking.send(HELLO);
    assert.equal(await settled(waiting), true, 'the hello ends the wait');
    assert.ok(adoptEarly(URL)?.buffered.length === 1, 'and stays buffered for the stream');

    const failing = new EarlySocket();
    openEarly(URL, () => failing);
    const onFailure = earlyHello(60_000);
    failing.drop();
    assert.equal(await settled(onFailure), true, 'a closed socket ends the wait');
    adoptEarly(URL);

    const silent = new EarlySocket();
    openEarly(URL, () => silent);
    const started = Date.now();
    await earlyHello(30);
    assert.ok(Date.now() - started >= 25, 'a silent engine is waited for only as long as asked');
    adoptEarly(URL);
    assert.equal(await settled(earlyHello(60_000)), true, 'no early socket: nothing to wait for');
  });

  it('is not adopted once closed, or for another url; a second adoption finds nothing', () => {
    const closed = new EarlySocket();
    openEarly(URL, () => closed);
    closed.readyState = 3;
    assert.equal(adoptEarly(URL), undefined);
    const other = new EarlySocket();
    openEarly(URL, () => other);
    assert.equal(adoptEarly('ws://y/api/stream?token=t'), undefined);
    assert.equal(other.closed, true, 'an unused early socket is closed');
    openEarly(URL, () => new EarlySocket());
    assert.ok(adoptEarly(URL));
    assert.equal(adoptEarly(URL), undefined);
  });
});
