/** The load generator: arrival processes, client populations, request builders, trace replay. */
export { TrafficGenerator, type StreamInput, type StreamInfo } from './generator.ts';
export { ArrivalSchedule, parseTraceCsv, rateAt, type RateShape, type ArrivalLaw } from './arrivals.ts';
export { clientAddress, AddressBlocks } from './clients.ts';
export { parseRoute, fillPath, normalRequest, type RequestPlan, type RequestBuilder } from './requests.ts';
export { builders, injectionChoice, forgedToken, FORGED_VARIANTS, INJECTION_LOCATIONS } from './builders.ts';
export type { StreamSample } from './protocol.ts';
export { TrafficControl, routeIssue } from './control.ts';
export { TrafficSpec, RateOrShare, rateValue } from './schema.ts';
