/**
 * A small HTTP router for the control API: typed routes with body schemas validated before the
 * handler runs, RFC 9457 problem bodies for every error, bearer-token auth, loopback-only Host.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import type { TSchema } from '@sinclair/typebox';
import { errorMessage, formatIssue, isNamedError, type Issue } from '../errors.ts';
import { check } from '../util/validate.ts';
import type { Problem } from './schema.ts';

/** What a handler gets. */
export interface RequestContext {
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  req: IncomingMessage;
}

/** What a handler returns: a JSON body (status 200 unless given), or a raw answer. */
export type HandlerResult =
  { status?: number; json: unknown } | { status?: number; text: string; contentType: string } | { status: 204 };

/** One API route. */
export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  body?: TSchema;
  open?: boolean;
  handler: (ctx: RequestContext) => Promise<HandlerResult> | HandlerResult;
}

const PROBLEM_BASE = 'https://petri.dev/problems/';
const MAX_BODY = 4 * 1024 * 1024;

/** Sends an RFC 9457 problem. */
export function sendProblem(
  res: ServerResponse,
  status: number,
  title: string,
  detail?: string,
  extra: Partial<Problem> = {},
): void {
  const slug = title.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  const body: Problem = { type: `${PROBLEM_BASE}${slug}`, title, status, ...(detail ? { detail } : {}), ...extra };
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/problem+json',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const text = JSON.stringify(value);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
}

/** Whether a request carries the right bearer token (constant-time compare). */
export function authorized(req: IncomingMessage, token: string, fromQuery?: string | null): boolean {
  const header = req.headers.authorization ?? '';
  const given = header.startsWith('Bearer ') ? header.slice(7) : (fromQuery ?? '');
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Refuses requests whose Host is not loopback (DNS-rebinding protection). */
export function loopbackHost(req: IncomingMessage): boolean {
  const host = (req.headers.host ?? '').replace(/:\d+$/, '');
  return host === '127.0.0.1' || host === 'localhost' || host === '[::1]' || host === '';
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw Object.assign(new Error('request body larger than 4 MB'), { name: 'TooLarge' });
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw Object.assign(new Error(`request body is not valid JSON: ${errorMessage(err)}`), { name: 'BadJson' });
  }
}

interface Compiled extends Route {
  parts: string[];
}

/** The API router. */
export class ApiRouter {
  readonly #routes: Compiled[] = [];
  readonly #token: string;

  constructor(token: string) {
    this.#token = token;
  }

  add(...routes: Route[]): void {
    for (const r of routes) this.#routes.push({ ...r, parts: r.path.split('/').filter(Boolean) });
  }

  /** Handles a request under `/api`; returns false when no route matched the path at all. */
  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const parts = url.pathname.split('/').filter(Boolean);
    const candidates = this.#routes.map((r) => ({ r, params: match(r.parts, parts) })).filter((c) => c.params);
    if (candidates.length === 0) return sendProblem(res, 404, 'Not Found', `no API route ${url.pathname}`);
    const hit = candidates.find((c) => c.r.method === req.method);
    if (!hit) {
      res.setHeader('allow', candidates.map((c) => c.r.method).join(', '));
      return sendProblem(res, 405, 'Method Not Allowed', `${req.method} is not allowed on ${url.pathname}`);
    }
    if (!hit.r.open && !authorized(req, this.#token)) {
      res.setHeader('www-authenticate', 'Bearer realm="petri"');
      return sendProblem(res, 401, 'Unauthorized', 'send Authorization: Bearer TOKEN (the token is in the ready line)');
    }
    try {
      const body = req.method === 'GET' || req.method === 'DELETE' ? undefined : await readBody(req);
      if (hit.r.body) {
        const issues = check(hit.r.body, body ?? {});
        if (issues.length) return invalid(res, issues);
      }
      const out = await hit.r.handler({ params: hit.params!, query: url.searchParams, body, req });
      if ('json' in out) return sendJson(res, out.status ?? 200, out.json);
      if ('text' in out) {
        res.writeHead(out.status ?? 200, { 'content-type': out.contentType, 'cache-control': 'no-store' });
        res.end(out.text);
        return;
      }
      res.writeHead(204);
      res.end();
    } catch (err) {
      sendError(res, err);
    }
  }
}

function invalid(res: ServerResponse, issues: Issue[]): void {
  sendProblem(res, 400, 'Invalid Request', issues.map((i) => `${i.path || '(body)'}: ${i.message}`).join('; '), {
    errors: issues.map((i) => ({ path: i.path, message: i.message })),
  });
}

/** Maps engine errors to problem responses by name. */
export function sendError(res: ServerResponse, err: unknown): void {
  if (res.headersSent) return void res.end();
  if (isNamedError(err, 'ValidationError')) return invalid(res, (err as unknown as { issues: Issue[] }).issues);
  if (isNamedError(err, 'UnprocessableError')) {
    const issues = (err as unknown as { issues: Issue[] }).issues;
    return sendProblem(res, 422, 'Unprocessable Content', issues.map(formatIssue).join('\n'), {
      errors: issues.map((i) => ({
        path: i.path,
        message: i.message,
        ...(i.file ? { file: i.file } : {}),
        ...(i.line !== undefined ? { line: i.line } : {}),
        ...(i.col !== undefined ? { col: i.col } : {}),
      })),
    });
  }
  if (isNamedError(err, 'BadJson')) return sendProblem(res, 400, 'Invalid Request', err.message);
  if (isNamedError(err, 'TooLarge')) return sendProblem(res, 413, 'Payload Too Large', err.message);
  if (isNamedError(err, 'NotFoundError')) return sendProblem(res, 404, 'Not Found', err.message);
  if (isNamedError(err, 'ConflictError')) return sendProblem(res, 409, 'Conflict', err.message);
  sendProblem(res, 500, 'Internal Error', errorMessage(err));
}

function match(pattern: string[], parts: string[]): Record<string, string> | undefined {
  if (pattern.length !== parts.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i]!;
    if (p.startsWith(':')) params[p.slice(1)] = decodeURIComponent(parts[i]!);
    else if (p !== parts[i]) return undefined;
  }
  return params;
}
