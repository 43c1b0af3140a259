/**
 * Types shared by the WAF's rules, its inspector and its gateway layer. A rule is data: an id, an
 * attack class, a severity and a paranoia level, the normalised view of the input it reads, and a
 * pattern (or a small predicate where a regular expression cannot say it).
 */
import type { IncomingHttpHeaders } from 'node:http';

/** Attack classes, one per rule file and per corpus file in fixtures/attacks/. */
export const ATTACK_CLASSES = [
  'sqli',
  'xss',
  'lfi',
  'rfi',
  'cmdi',
  'code',
  'ssrf',
  'ssti',
  'protocol',
  'scanner',
  'session',
] as const;

/** One of {@link ATTACK_CLASSES}. */
export type AttackClass = (typeof ATTACK_CLASSES)[number];

/** Anomaly points per severity, as in the OWASP Core Rule Set. */
export const SEVERITY_POINTS = { critical: 5, error: 4, warning: 3, notice: 2 } as const;

/** A rule's severity. */
export type Severity = keyof typeof SEVERITY_POINTS;

/** A paranoia level: 1 catches the obvious with few false positives, 4 is the most suspicious. */
export type Paranoia = 1 | 2 | 3 | 4;

/** Where in the request a value was found. */
export type Location = 'path' | 'query' | 'query-name' | 'body' | 'body-name' | 'cookie' | 'header' | 'referer' | 'request';

/**
 * Normalised views of one value, computed lazily and shared by every rule that reads it:
 * - `text`: URL-decoded (up to four layers, overlong UTF-8 and `%u` included), HTML entities
 *   decoded, NFKC-folded, NUL kept, lower-cased;
 * - `sql`: `text` with SQL comments and whitespace runs folded to one space;
 * - `cmd`: `text` with shell quoting tricks removed (`c'a't`, `c\at`, `$IFS`, `{a,b}`);
 * - `compact`: `text` without whitespace and control characters (`java\tscript:`);
 * - `path`: `text` with backslashes as slashes and repeated slashes folded;
 * - `raw`: the value exactly as received (for checks on the encoding itself).
 */
export type View = 'text' | 'sql' | 'cmd' | 'compact' | 'path' | 'raw';

/** A pattern rule: it matches one view of each value in the locations it inspects. */
export interface Rule {
  /** Stable id, numbered by class like the CRS (942xxx SQL injection, 941xxx XSS…). */
  id: number;
  cls: AttackClass;
  /** What the rule detects, shown as evidence. */
  msg: string;
  severity: Severity;
  paranoia: Paranoia;
  view: View;
  /** A regular expression on the view, or a predicate returning the matched fragment. */
  test: RegExp | ((view: string) => string | undefined);
  /** Locations the rule reads; all value locations when absent. */
  where?: readonly Location[];
  /**
   * Set when the rule can match a value made only of letters, digits, `_`, `.` and `-` (such as
   * `.env` or a base64 blob): the inspector skips every other rule for such values.
   */
  plain?: boolean;
}

/** The rules of one attack class, behind a cheap gate on the `text` view. */
export interface RuleGroup {
  cls: AttackClass;
  /** A value whose `text` view does not match the gate cannot match any rule of the group. */
  gate?: RegExp;
  rules: Rule[];
  requestRules?: RequestRule[];
}

/**
 * A request-level rule: it sees the whole normalised request (method, headers, argument names)
 * rather than one value. Protocol, scanner and session-fixation checks live here.
 */
export interface RequestRule {
  id: number;
  cls: AttackClass;
  msg: string;
  severity: Severity;
  paranoia: Paranoia;
  check(req: ParsedRequest): { location: Location; name: string; fragment: string } | undefined;
}

/** One value to inspect, with where it came from. */
export interface Target {
  location: Location;
  /** Parameter, header, cookie or JSON-path name (`$.user.name`). */
  name: string;
  /** The value as received (query and path still percent-encoded). */
  raw: string;
  /** Whether `+` means a space (query strings and form bodies). */
  plus: boolean;
}

/** A request as the WAF sees it: what a {@link GatewayRequest}-like input is parsed into. */
export interface ParsedRequest {
  method: string;
  path: string;
  query: string;
  headers: IncomingHttpHeaders;
  targets: Target[];
  /** Argument names from query and form bodies, decoded and lower-cased. */
  argNames: string[];
  /** Why the body could not be parsed, if it could not. */
  bodyError?: string;
  bodyLength: number;
}

/** The request-like input {@link inspect} accepts (a subset of the gateway's request). */
export interface WafInput {
  method: string;
  /** Raw path as received (still URL-encoded). */
  path: string;
  /** Raw query string without `?`. */
  query?: string;
  headers?: IncomingHttpHeaders;
  body?: Buffer | string;
}

/** Configuration of the WAF, as in the manifest's `immune.waf`. */
export interface WafConfig {
  mode: 'block' | 'alert' | 'off';
  paranoia: number;
  threshold: number;
}

/** One rule that matched: the evidence an `immune.blocked` event shows. */
export interface WafMatch {
  ruleId: number;
  cls: AttackClass;
  msg: string;
  severity: Severity;
  points: number;
  location: Location;
  name: string;
  /** The matched fragment of the normalised value, truncated. */
  fragment: string;
}

/** What {@link inspect} found. */
export interface WafResult {
  score: number;
  paranoia: number;
  threshold: number;
  matches: WafMatch[];
}
