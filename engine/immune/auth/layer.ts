/**
 * Authentication of `auth: jwt` pathways: a bearer token signed by the local issuer, with the
 * pathway's scopes. 401 with `WWW-Authenticate: Bearer …` for a missing or invalid token (RFC
 * 6750), 403 `insufficient_scope` when scopes are missing.
 */
import type { GatewayLayer, GatewayRequest, LayerDecision } from '../../gateway/index.ts';
import type { Issuer } from './issuer.ts';

/** What a refusal reports. */
export interface AuthEvidence {
  problem: string;
  required?: string[];
  granted?: string[];
  subject?: string;
}

/** An authentication refusal. */
export interface AuthDecision extends LayerDecision {
  evidence: AuthEvidence;
}

const REALM = 'petri';

/** The authentication layer. */
export class AuthLayer implements GatewayLayer {
  readonly name = 'auth';
  readonly #issuer: Issuer;

  constructor(issuer: Issuer) {
    this.#issuer = issuer;
  }

  inspect(req: GatewayRequest): AuthDecision | undefined {
    const p = req.pathway;
    if (!p || p.auth !== 'jwt') return undefined;
    const header = req.headers.authorization;
    if (!header || !/^Bearer\s+\S+$/i.test(header)) {
      return this.#refuse(
        401,
        'missing token',
        `Bearer realm="${REALM}"${p.scopes.length ? `, scope="${p.scopes.join(' ')}"` : ''}`,
        { problem: 'missing token' },
      );
    }
    const result = this.#issuer.verify(header.replace(/^Bearer\s+/i, ''), req.now);
    if (!result.ok) {
      return this.#refuse(
        401,
        `invalid token: ${result.problem}`,
        `Bearer realm="${REALM}", error="invalid_token", error_description="${result.problem}"`,
        {
          problem: result.problem,
        },
      );
    }
    req.notes.subject = result.claims.sub;
    const missing = p.scopes.filter((s) => !result.scopes.has(s));
    if (missing.length) {
      return this.#refuse(
        403,
        'insufficient scope',
        `Bearer realm="${REALM}", error="insufficient_scope", scope="${p.scopes.join(' ')}"`,
        {
          problem: 'insufficient scope',
          required: p.scopes,
          granted: [...result.scopes],
          subject: result.claims.sub,
        },
      );
    }
    return undefined;
  }

  #refuse(status: 401 | 403, reason: string, challenge: string, evidence: AuthEvidence): AuthDecision {
    return { status, layer: this.name, reason, headers: { 'www-authenticate': challenge }, blocked: true, evidence };
  }
}
