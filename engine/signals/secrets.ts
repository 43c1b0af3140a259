/**
 * Masking of secret signal values. Signals marked `secret: true` are masked by key wherever the
 * signals domain writes them (API, events, history, exports); the {@link SecretRedactor} is the
 * safety net for everything else: the event publisher and the logger pass their output through it,
 * so a secret that leaks into another domain's event or log line is masked too.
 */
import type { SignalSpec } from '../organism/index.ts';
import type { SignalValue } from './types.ts';

/** What a masked secret looks like. */
export const SECRET_MASK = '••••••';

/** Values shorter than this are not searched for in free text (a secret `1` would mask every 1). */
export const MIN_REDACTED_LENGTH = 4;

/** Masks the value of a secret signal. */
export function maskValue(spec: Pick<SignalSpec, 'secret'>, value: SignalValue): SignalValue {
  return spec.secret && value !== null ? SECRET_MASK : value;
}

/** Signal specs with secret values (and their targeting values) masked, for storing a manifest. */
export function maskSecretSpecs<S extends Pick<SignalSpec, 'secret' | 'value' | 'targeting'>>(specs: S[]): S[] {
  return specs.map((s) =>
    s.secret
      ? {
          ...s,
          value: maskValue(s, s.value),
          ...(s.targeting ? { targeting: s.targeting.map((r) => ({ ...r, value: SECRET_MASK })) } : {}),
        }
      : s,
  );
}

/** Replaces known secret values in text and in JSON-like data. */
export class SecretRedactor {
  readonly #secrets = new Set<string>();
  #pattern: RegExp | undefined;

  /** Remembers a secret value (every value a secret signal ever had this session). */
  add(value: SignalValue): void {
    if (value === null || typeof value === 'boolean') return;
    const text = String(value);
    if (text.length < MIN_REDACTED_LENGTH || this.#secrets.has(text)) return;
    this.#secrets.add(text);
    // Inside JSON (events, log lines) quotes and backslashes appear escaped: mask that form too.
    this.#secrets.add(JSON.stringify(text).slice(1, -1));
    // Longest first, so a secret that contains another is masked whole.
    const parts = [...this.#secrets].sort((a, b) => b.length - a.length).map(escapeRegExp);
    this.#pattern = new RegExp(parts.join('|'), 'g');
  }

  /** Number of remembered secrets. */
  get size(): number {
    return this.#secrets.size;
  }

  /** Masks every remembered secret in a string. */
  text = (text: string): string => {
    if (!this.#pattern) return text;
    return text.replace(this.#pattern, SECRET_MASK);
  };

  /** Masks secrets inside any JSON-like value; returns the input itself when nothing changed. */
  value<T>(input: T): T {
    if (!this.#pattern) return input;
    const json = JSON.stringify(input);
    if (json === undefined) return input;
    const masked = this.text(json);
    return masked === json ? input : (JSON.parse(masked) as T);
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
