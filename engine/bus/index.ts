/** The NATS bus: supervised nats-server, connections, subjects, event publishing. */
export { NatsSupervisor, type SupervisorOptions } from './supervisor.ts';
export { Bus, connectionOptions, ensureEventsStream } from './bus.ts';
export { EventPublisher, type EventSink } from './publisher.ts';
export { Requester, RpcError } from './rpc.ts';
export { coalesceWrites } from './coalesce.ts';
export { classifyRequestError, type RequestFailure } from './request.ts';
export { findNatsServer, which } from './find-server.ts';
export * from './subjects.ts';
