/**
 * The local issuer's HTTP endpoints, served by the gateway: discovery, JWKS, and a token endpoint
 * (client credentials) for test clients. Any client id is accepted: this is a sandbox.
 */
import type { GatewayRequest } from '../../gateway/index.ts';
import type { Issuer } from './issuer.ts';

type Handler = (req: GatewayRequest) => Promise<{ status: number; body: unknown; headers?: Record<string, string> }>;

function params(req: GatewayRequest): Record<string, string> {
  const text = req.body?.toString('utf8') ?? '';
  if (String(req.headers['content-type'] ?? '').includes('json')) {
    try {
      return JSON.parse(text) as Record<string, string>;
    } catch {
      return {};
    }
  }
  return Object.fromEntries(new URLSearchParams(text));
}

/** `METHOD path` → handler. */
export function tokenEndpoint(issuer: Issuer): Map<string, Handler> {
  return new Map<string, Handler>([
    ['GET /.well-known/openid-configuration', () => Promise.resolve({ status: 200, body: issuer.discovery() })],
    ['GET /.well-known/jwks.json', () => Promise.resolve({ status: 200, body: issuer.jwks() })],
    [
      'POST /oauth/token',
      async (req) => {
        const p = params(req);
        if (p.grant_type !== 'client_credentials' || !p.client_id)
          return {
            status: 400,
            body: { error: 'unsupported_grant_type', error_description: 'use grant_type=client_credentials with a client_id' },
          };
        const scopes = (p.scope ?? '').split(' ').filter(Boolean);
        const expires = Math.min(86_400, Math.max(60, Number(p.expires_in ?? 3600) || 3600));
        const token = await issuer.mint(p.client_id, scopes, expires);
        return { status: 200, body: { access_token: token, token_type: 'Bearer', expires_in: expires, scope: scopes.join(' ') } };
      },
    ],
  ]);
}
