/**
 * A local OIDC-style issuer, so pathways with `auth: jwt` can be exercised offline: an ES256 key
 * pair made at start (jose), discovery and JWKS documents, and a token endpoint for test clients
 * (client credentials). Verification runs on the request path, so it is synchronous: node:crypto
 * checks the signature against the issuer's public key and verified tokens are cached.
 */
import { createPublicKey, verify as verifySignature, type JsonWebKey, type KeyObject } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';

/** Claims Petri reads from a token. */
export interface Claims {
  sub?: string;
  iss?: string;
  aud?: string | string[];
  exp?: number;
  nbf?: number;
  iat?: number;
  scope?: string;
  scp?: string[];
}

/** Why a token was refused (RFC 6750 `error_description`). */
export type TokenProblem =
  | 'malformed'
  | 'unsigned'
  | 'algorithm'
  | 'unknown key'
  | 'bad signature'
  | 'expired'
  | 'not yet valid'
  | 'wrong issuer'
  | 'wrong audience';

/** The outcome of verifying a token. */
export type Verification = { ok: true; claims: Claims; scopes: Set<string> } | { ok: false; problem: TokenProblem };

/** A key jose can sign with. */
type SigningKey = Parameters<SignJWT['sign']>[0];

const CACHE_MAX = 10_000;
const SKEW_S = 30;

function b64json(part: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** The issuer of one engine. */
export class Issuer {
  readonly issuer: string;
  readonly audience: string;
  readonly kid: string;
  readonly #privateKey: SigningKey;
  readonly #publicKey: KeyObject;
  readonly #jwk: JWK;
  readonly #cache = new Map<string, Verification & { ok: true }>();
  readonly #minted = new Map<string, string>();

  private constructor(issuer: string, audience: string, kid: string, privateKey: SigningKey, publicKey: KeyObject, jwk: JWK) {
    this.issuer = issuer;
    this.audience = audience;
    this.kid = kid;
    this.#privateKey = privateKey;
    this.#publicKey = publicKey;
    this.#jwk = jwk;
  }

  /** Makes a key pair and an issuer for `issuer` (a URL) and `audience`. */
  static async create(issuer: string, audience: string): Promise<Issuer> {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const jwk = await exportJWK(publicKey);
    const kid = `petri-${Date.now().toString(36)}`;
    const keyObject = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
    return new Issuer(issuer, audience, kid, privateKey, keyObject, { ...jwk, kid, alg: 'ES256', use: 'sig' });
  }

  /** `/.well-known/openid-configuration`. */
  discovery(): Record<string, unknown> {
    return {
      issuer: this.issuer,
      jwks_uri: `${this.issuer}/.well-known/jwks.json`,
      token_endpoint: `${this.issuer}/oauth/token`,
      grant_types_supported: ['client_credentials'],
      token_endpoint_auth_methods_supported: ['client_secret_post', 'none'],
      id_token_signing_alg_values_supported: ['ES256'],
      scopes_supported: [],
    };
  }

  /** `/.well-known/jwks.json`. */
  jwks(): { keys: JWK[] } {
    return { keys: [this.#jwk] };
  }

  /** Signs an access token for a test client. */
  async mint(subject: string, scopes: string[], ttlSeconds = 3600): Promise<string> {
    return new SignJWT({ scope: scopes.join(' ') })
      .setProtectedHeader({ alg: 'ES256', kid: this.kid, typ: 'at+jwt' })
      .setIssuer(this.issuer)
      .setAudience(this.audience)
      .setSubject(subject)
      .setIssuedAt()
      .setExpirationTime(`${ttlSeconds}s`)
      .sign(this.#privateKey);
  }

  /** A long-lived token per scope set, minted once (load-generator clients use these). */
  async tokenFor(scopes: string[]): Promise<string> {
    const key = [...scopes].sort().join(' ');
    let token = this.#minted.get(key);
    if (!token) {
      token = await this.mint(`traffic:${key || 'any'}`, scopes, 24 * 3600);
      this.#minted.set(key, token);
    }
    return token;
  }

  /** Verifies a compact JWS: algorithm, key, signature, expiry, issuer, audience. */
  verify(token: string, nowMs: number): Verification {
    const cached = this.#cache.get(token);
    if (cached) return this.#claimsValid(cached.claims, nowMs) ?? cached;
    const parts = token.split('.');
    if (parts.length !== 3) return { ok: false, problem: 'malformed' };
    const header = b64json(parts[0]!);
    const claims = b64json(parts[1]!) as Claims | undefined;
    if (!header || !claims) return { ok: false, problem: 'malformed' };
    if (header.alg === 'none' || !parts[2]) return { ok: false, problem: 'unsigned' };
    if (header.alg !== 'ES256') return { ok: false, problem: 'algorithm' };
    if (header.kid !== undefined && header.kid !== this.kid) return { ok: false, problem: 'unknown key' };
    const ok = verifySignature(
      'sha256',
      Buffer.from(`${parts[0]}.${parts[1]}`),
      { key: this.#publicKey, dsaEncoding: 'ieee-p1363' },
      Buffer.from(parts[2], 'base64url'),
    );
    if (!ok) return { ok: false, problem: 'bad signature' };
    const problem = this.#claimsValid(claims, nowMs);
    if (problem) return problem;
    const scopes = new Set([...(claims.scope?.split(' ') ?? []), ...(claims.scp ?? [])].filter(Boolean));
    const result = { ok: true as const, claims, scopes };
    if (this.#cache.size >= CACHE_MAX) this.#cache.clear();
    this.#cache.set(token, result);
    return result;
  }

  #claimsValid(c: Claims, nowMs: number): Verification | undefined {
    const now = nowMs / 1000;
    if (typeof c.exp !== 'number' || c.exp + SKEW_S < now) return { ok: false, problem: 'expired' };
    if (typeof c.nbf === 'number' && c.nbf - SKEW_S > now) return { ok: false, problem: 'not yet valid' };
    if (c.iss !== this.issuer) return { ok: false, problem: 'wrong issuer' };
    const aud = Array.isArray(c.aud) ? c.aud : [c.aud];
    if (!aud.includes(this.audience)) return { ok: false, problem: 'wrong audience' };
    return undefined;
  }
}
