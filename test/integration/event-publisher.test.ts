/**
 * The engine's event publisher against a real nats-server: events land in PETRI_EVENTS in emit
 * order with their id as JetStream's message id (so a re-sent event is stored once), and a
 * publish the server refuses (no stream) or answers with an error (a full stream) is retried, in
 * order, until it is stored.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { headers } from '@nats-io/transport-node';
import { DiscardPolicy, jetstream } from '@nats-io/jetstream';
import type { PetriEvent } from '../../engine/api/events.ts';
import { Bus, ensureEventsStream, EVENTS_STREAM, EventPublisher } from '../../engine/bus/index.ts';
import { WallClock } from '../../engine/clock.ts';
import { silentLogger } from '../../engine/log.ts';
import { startNats } from '../helpers/nats.ts';

/** The stream's messages from sequence 1 on: their events and message-id headers. */
async function stored(bus: Bus, count: number): Promise<Array<{ event: PetriEvent; msgId: string | undefined }>> {
  const out = [];
  for (let seq = 1; seq <= count; seq++) {
    const m = await bus.jsm.streams.getMessage(EVENTS_STREAM, { seq });
    assert.ok(m, `message ${seq} is in the stream`);
    out.push({ event: m.json<PetriEvent>(), msgId: m.header?.get('Nats-Msg-Id') });
  }
  return out;
}

test('events are stored in emit order, each under its id as the message id, and a re-sent one is stored once', async () => {
  await using nats = await startNats();
  const bus = await Bus.open([nats.url], silentLogger);
  try {
    const publisher = new EventPublisher(bus.nc, new WallClock(), silentLogger);
    const acked: PetriEvent[] = [];
    publisher.onAcked = (events) => acked.push(...events);
    // More than two of the pump's batches (512), of two event types (two subjects).
    const ids = Array.from({ length: 1200 }, (_, i) =>
      publisher.emit(i % 2 ? 'scenario.step' : 'cell.spawned', { i }, i % 2 ? {} : { cell: 'c' }),
    );
    assert.equal(await publisher.flush(20_000), true, 'every event acknowledged');
    assert.deepEqual(
      acked.map((e) => e.id),
      ids,
    );
    const info = await bus.jsm.streams.info(EVENTS_STREAM);
    assert.equal(info.state.messages, 1200);
    const messages = await stored(bus, 1200);
    assert.deepEqual(
      messages.map((m) => m.event.id),
      ids,
    );
    assert.deepEqual(
      messages.map((m) => m.msgId),
      ids,
    );
    assert.deepEqual(messages[3]!.event.data, { i: 3 });

    // What the pump does after a lost acknowledgement: the same event, under the same id, again.
    const h = headers();
    h.set('Nats-Msg-Id', ids[0]!);
    const again = await jetstream(bus.nc).publish('petri.evt.cell.spawned', JSON.stringify(messages[0]!.event), {
      headers: h,
    });
    assert.equal(again.duplicate, true);
    assert.equal((await bus.jsm.streams.info(EVENTS_STREAM)).state.messages, 1200);
    publisher.close();
  } finally {
    await bus.close();
  }
});

test('a publish the server refuses, or answers with an error, is retried in order until it is stored', async () => {
  await using nats = await startNats();
  const bus = await Bus.open([nats.url], silentLogger);
  try {
    await bus.jsm.streams.delete(EVENTS_STREAM);
    const publisher = new EventPublisher(bus.nc, new WallClock(), silentLogger);
    const ids = [1, 2, 3].map((i) => publisher.emit('scenario.step', { i }));
    await new Promise((resolve) => setTimeout(resolve, 400));
    assert.equal(publisher.pending, 3, 'nothing is dropped while no stream takes the events');
    await ensureEventsStream(bus.jsm);
    assert.equal(await publisher.flush(10_000), true, 'stored once the stream is back');
    assert.deepEqual(
      (await stored(bus, 3)).map((m) => m.event.id),
      ids,
    );
    assert.equal((await bus.jsm.streams.info(EVENTS_STREAM)).state.messages, 3);

    // A full stream that discards new messages answers with an error acknowledgement, not a sequence.
    await bus.jsm.streams.update(EVENTS_STREAM, { max_msgs: 3, discard: DiscardPolicy.New });
    const more = [4, 5].map((i) => publisher.emit('scenario.step', { i }));
    await new Promise((resolve) => setTimeout(resolve, 400));
    assert.equal(publisher.pending, 2, 'refused events wait');
    await bus.jsm.streams.update(EVENTS_STREAM, { max_msgs: -1 });
    assert.equal(await publisher.flush(10_000), true);
    assert.deepEqual(
      (await stored(bus, 5)).map((m) => m.event.id),
      [...ids, ...more],
    );
    publisher.close();
  } finally {
    await bus.close();
  }
});
