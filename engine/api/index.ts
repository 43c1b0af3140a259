/** The control API: schemas and types (shared with the renderer), the server, the client. */
export { ControlServer, UI_CSP, type ControlServerOptions } from './server.ts';
export { ApiRouter, sendProblem, type Route, type RequestContext, type HandlerResult } from './http.ts';
export * from './schema.ts';
export * from './events.ts';
export { ApiClient, ApiError } from './client.ts';
