/** The HTTP gateway: pathways to cells over NATS, with the defence chain in front. */
export { Gateway, clientAddress, STREAM_HEADER, type GatewayOptions } from './gateway.ts';
export { Router, type RouteMatch } from './router.ts';
export type { GatewayLayer, GatewayRequest, LayerDecision } from './layer.ts';
export { RouteCounters } from './stats.ts';
