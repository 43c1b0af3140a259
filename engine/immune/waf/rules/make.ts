/** A terse constructor for rule tables, so each class file reads as a table of patterns. */
import type { AttackClass, Location, Paranoia, Rule, Severity, View } from '../types.ts';

/** Extra fields of a rule beyond the positional ones. */
export interface RuleOptions {
  where?: readonly Location[];
  plain?: boolean;
}

/** Returns a maker of rules of one class: `r(id, severity, paranoia, view, test, msg, options?)`. */
export function ruleMaker(cls: AttackClass) {
  return (
    id: number,
    severity: Severity,
    paranoia: Paranoia,
    view: View,
    test: Rule['test'],
    msg: string,
    options: RuleOptions = {},
  ): Rule => ({ id, cls, severity, paranoia, view, test, msg, ...options });
}

/** Locations where a value is reflected into URLs and headers (not free-text bodies). */
export const NOT_BODY: readonly Location[] = ['path', 'query', 'query-name', 'cookie', 'header', 'referer'];

/**
 * Locations where a URL is an argument the application might fetch or include. The Referer is
 * left out, as the CRS leaves it out: it is a URL by definition, and local development sends
 * loopback and private-address Referers (a UI on one port calling the gateway on another).
 */
export const ARGUMENTS: readonly Location[] = ['path', 'query', 'query-name', 'body', 'body-name', 'cookie', 'header'];

/** Builds a regular expression from a template whose `{NAME}` holes are filled from `parts`. */
export function rx(template: string, parts: Record<string, string> = {}, flags = ''): RegExp {
  return new RegExp(
    template.replace(/\{([A-Z_]+)\}/g, (whole, k: string) => parts[k] ?? whole),
    flags,
  );
}
