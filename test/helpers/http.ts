/** Test helper: plain HTTP requests over node:http (keep-alive, optional source address). */
import { Agent, request as httpRequest } from 'node:http';

/** A finished request. */
export interface HttpResult {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
  ms: number;
}

const shared = new Agent({ keepAlive: true, maxSockets: 256 });

/** Sends one request; network errors resolve as status 0 with the error message as body. */
export function http(
  url: string,
  options: {
    method?: string;
    body?: string;
    headers?: Record<string, string>;
    localAddress?: string;
    timeoutMs?: number;
    agent?: Agent;
  } = {},
): Promise<HttpResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    const req = httpRequest(
      url,
      {
        method: options.method ?? 'GET',
        headers: { ...(options.body ? { 'content-type': 'application/json' } : {}), ...options.headers },
        agent: options.localAddress ? new Agent({ keepAlive: false }) : (options.agent ?? shared),
        localAddress: options.localAddress,
        timeout: options.timeoutMs ?? 10_000,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body, headers: res.headers, ms: performance.now() - started }),
        );
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (err) => resolve({ status: 0, body: err.message, headers: {}, ms: performance.now() - started }));
    req.end(options.body);
  });
}

/** Sends `rate` requests per second to `url` until aborted; resolves to the results. */
export async function load(url: string, rate: number, signal: AbortSignal): Promise<Array<HttpResult & { at: number }>> {
  const results: Array<Promise<HttpResult & { at: number }>> = [];
  const interval = 1000 / rate;
  const start = performance.now();
  let n = 0;
  while (!signal.aborted) {
    const due = start + n * interval;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const at = performance.now();
    results.push(http(url, { timeoutMs: 5000 }).then((r) => ({ ...r, at })));
    n++;
  }
  return Promise.all(results);
}
