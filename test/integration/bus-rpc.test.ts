/**
 * The bus's request/reply and write coalescing, against a real nats-server: replies, timeouts,
 * no responders, a closed connection; one socket write per event-loop turn, nothing stranded at
 * close.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { classifyRequestError, coalesceWrites, Requester, RpcError } from '../../engine/bus/index.ts';
import { startNats } from '../helpers/nats.ts';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

const enc = new TextEncoder();
const dec = new TextDecoder();

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  assert.fail('expected a rejection');
}

/** A fresh nats-server with a serving and a requesting connection, both closed afterwards. */
async function withPair(fn: (server: NatsConnection, client: NatsConnection) => Promise<void>): Promise<void> {
  await using nats = await startNats();
  const server = await connect({ servers: nats.url });
  const client = await connect({ servers: nats.url });
  try {
    await fn(server, client);
  } finally {
    await server.close();
    await client.close();
  }
}

test('requests get their own reply, time out, and fail fast with no responders or a closed connection', () =>
  withPair(async (server, client) => {
    server.subscribe('echo', {
      callback: (_e, m) => void setTimeout(() => m.respond(enc.encode(`re:${dec.decode(m.data)}`)), Math.random() * 5),
    });
    server.subscribe('silent', { callback: () => {} });
    await server.flush();
    const rpc = new Requester(client);
    const replies = await Promise.all(Array.from({ length: 200 }, (_, i) => rpc.request('echo', enc.encode(String(i)), 2000)));
    assert.deepEqual(
      replies.map((r) => dec.decode(r)),
      Array.from({ length: 200 }, (_, i) => `re:${i}`),
      'each request resolves to the reply to it, even when replies arrive out of order',
    );
    assert.equal(rpc.inFlight, 0);

    const started = performance.now();
    const timeout = await rejection(rpc.request('silent', enc.encode('x'), 150));
    const waited = performance.now() - started;
    assert.ok(timeout instanceof RpcError);
    assert.equal(classifyRequestError(timeout), 'timeout');
    assert.ok(waited >= 145 && waited < 1000, `timed out after ${waited.toFixed(0)} ms`);

    const t0 = performance.now();
    const none = await rejection(rpc.request('nobody.listens', enc.encode('x'), 5000));
    assert.equal(classifyRequestError(none), 'no-responders');
    assert.ok(performance.now() - t0 < 1000, 'no responders is known at once, not at the timeout');

    const pending = rpc.request('silent', enc.encode('x'), 10_000);
    await client.close();
    assert.equal(
      classifyRequestError(await rejection(pending)),
      'disconnected',
      'a request in flight fails when the connection closes',
    );
    assert.equal(classifyRequestError(await rejection(rpc.request('echo', enc.encode('x'), 1000))), 'disconnected');
  }));

test('a late reply to a timed-out request does not settle the request now in its slot', () =>
  withPair(async (server, client) => {
    // 'slow' answers after 200 ms; 'fast' at once. The first request times out at 50 ms and frees
    // its slot; the second takes that slot and is still open when the first one's reply arrives.
    server.subscribe('slow', { callback: (_e, m) => void setTimeout(() => m.respond(enc.encode('late')), 200) });
    server.subscribe('fast', { callback: (_e, m) => void setTimeout(() => m.respond(enc.encode('mine')), 400) });
    await server.flush();
    const rpc = new Requester(client);
    assert.equal(classifyRequestError(await rejection(rpc.request('slow', enc.encode('1'), 50))), 'timeout');
    assert.equal(rpc.inFlight, 0);
    const second = rpc.request('fast', enc.encode('2'), 2000);
    assert.equal(rpc.inFlight, 1);
    assert.equal(dec.decode(await second), 'mine', 'the late reply to the first request was not taken for the second');
    assert.equal(rpc.inFlight, 0);
  }));

test('a closed requester is not kept alive by its connection; open ones still fail when it closes', async () => {
  await using nats = await startNats();
  const client = await connect({ servers: nats.url });
  const gc = gcFunction();
  const open = new Requester(client);
  const closed = closedRequester(client);
  for (let i = 0; i < 5 && closed.deref(); i++) {
    await new Promise((resolve) => setImmediate(resolve));
    gc();
  }
  assert.equal(closed.deref(), undefined, 'the closed requester was collected while the connection stays open');
  const inFlight = open.request('nobody.answers', enc.encode('x'), 5000);
  await client.close();
  assert.equal(classifyRequestError(await rejection(inFlight)), 'disconnected');
});

/** A requester made and closed out of the async test's frame (whose saved registers could hold it). */
function closedRequester(nc: NatsConnection): WeakRef<Requester> {
  const r = new Requester(nc);
  r.close();
  return new WeakRef(r);
}

/** V8's `gc()`, exposed for this process (node runs tests without --expose-gc). */
function gcFunction(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/** Counts the frames a connection hands its socket. */
function countSends(nc: NatsConnection): () => number {
  const protocol = (nc as unknown as { protocol: { transport: { send: (b: Uint8Array) => void } } }).protocol;
  const transport = protocol.transport;
  let sends = 0;
  const send = transport.send.bind(transport);
  transport.send = (b: Uint8Array) => {
    sends++;
    send(b);
  };
  return () => sends;
}

/** Publishes one message from each of `n` timer callbacks due in the same loop turn. */
async function publishFromTimers(nc: NatsConnection, subject: string, n: number): Promise<void> {
  await new Promise<void>((resolve) => {
    let left = n;
    for (let i = 0; i < n; i++)
      setTimeout(() => {
        nc.publish(subject, enc.encode(String(i)));
        if (--left === 0) setImmediate(resolve);
      }, 5);
  });
}

test('a coalescing connection writes once per loop turn and loses nothing, not even at close', async () => {
  await using nats = await startNats();
  const sub = await connect({ servers: nats.url });
  const plain = await connect({ servers: nats.url });
  const coalesced = await connect({ servers: nats.url });
  try {
    assert.equal(coalesceWrites(coalesced), true);
    const got: string[] = [];
    sub.subscribe('c.>', { callback: (_e, m) => void got.push(`${m.subject}:${dec.decode(m.data)}`) });
    await sub.flush();
    const plainSends = countSends(plain);
    const coalescedSends = countSends(coalesced);
    await publishFromTimers(plain, 'c.plain', 50);
    await publishFromTimers(coalesced, 'c.coalesced', 50);
    assert.equal(plainSends(), 50, 'nats.js alone writes once per task');
    assert.ok(coalescedSends() <= 2, `coalesced: ${coalescedSends()} writes for 50 publishes in one turn`);
    // Published and closed at once: the queued bytes still go out.
    coalesced.publish('c.last', enc.encode('bye'));
    await coalesced.close();
    await plain.flush();
    await sub.flush();
    const deadline = Date.now() + 2000;
    while (got.length < 101 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    assert.equal(got.filter((g) => g.startsWith('c.plain:')).length, 50);
    assert.equal(got.filter((g) => g.startsWith('c.coalesced:')).length, 50);
    assert.ok(got.includes('c.last:bye'), 'the message published right before close arrived');
  } finally {
    await sub.close();
    await plain.close();
    await coalesced.close();
  }
});
