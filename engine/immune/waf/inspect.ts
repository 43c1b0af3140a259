/**
 * The WAF's inspector: a pure function from a request to an anomaly score and the rules that
 * contributed to it, CRS-style. Each rule counts at most once per request; a request whose score
 * reaches the threshold is an attack. Work is kept small for benign traffic: rule sets are
 * compiled once per paranoia level, values made only of word characters skip straight to the few
 * rules that can match them, each class sits behind a cheap gate, views are computed lazily and
 * shared, and results for repeated header values (the same User-Agent on every request) are
 * remembered.
 */
import { cmdView, compactView, normalize, pathView, sqlView } from './decode.ts';
import { parseRequest } from './extract.ts';
import { RULE_GROUPS } from './rules/index.ts';
import {
  SEVERITY_POINTS,
  type Location,
  type RequestRule,
  type Rule,
  type RuleGroup,
  type Target,
  type View,
  type WafInput,
  type WafMatch,
  type WafResult,
} from './types.ts';

/** Default anomaly threshold: one critical rule (5 points) blocks. */
export const DEFAULT_THRESHOLD = 5;
/** Default paranoia level. */
export const DEFAULT_PARANOIA = 1;

const FRAGMENT_MAX = 80;
const CACHE_MAX = 4096;
const PLAIN = /^[\w.-]*$/;
const LOCATIONS: readonly Location[] = ['path', 'query', 'query-name', 'body', 'body-name', 'cookie', 'header', 'referer'];

interface CompiledGroup {
  gate?: RegExp;
  rules: Rule[];
}

interface RuleSet {
  groups: Map<Location, CompiledGroup[]>;
  plain: Map<Location, Rule[]>;
  requestRules: RequestRule[];
  /** Matches per repeated header value, by location then raw value, all rules of this set. */
  cache: Map<Location, Map<string, Array<[Rule, string]>>>;
  cached: number;
}

/** Options of {@link inspect}. */
export interface InspectOptions {
  /** Keep evaluating after the threshold is reached (all evidence, slower). */
  exhaustive?: boolean;
  /** Disable the fast paths (plain values, gates, cache): for tests that prove they lose nothing. */
  noShortcuts?: boolean;
  /** Rule groups to use instead of the shipped ones. */
  groups?: readonly RuleGroup[];
}

const compiled = new Map<number, RuleSet>();

function compile(paranoia: number, groups: readonly RuleGroup[]): RuleSet {
  const set: RuleSet = { groups: new Map(), plain: new Map(), requestRules: [], cache: new Map(), cached: 0 };
  for (const loc of LOCATIONS) {
    const active = (rule: Rule): boolean => rule.paranoia <= paranoia && (!rule.where || rule.where.includes(loc));
    set.groups.set(
      loc,
      groups.map((g) => ({ gate: g.gate, rules: g.rules.filter(active) })).filter((g) => g.rules.length > 0),
    );
    set.plain.set(
      loc,
      groups.flatMap((g) => g.rules.filter((rule) => rule.plain && active(rule))),
    );
  }
  set.requestRules = groups.flatMap((g) => (g.requestRules ?? []).filter((rule) => rule.paranoia <= paranoia));
  return set;
}

function ruleSet(paranoia: number, groups?: readonly RuleGroup[]): RuleSet {
  if (groups) return compile(paranoia, groups);
  let set = compiled.get(paranoia);
  if (!set) compiled.set(paranoia, (set = compile(paranoia, RULE_GROUPS)));
  return set;
}

/** The normalised views of one value, each computed on first use (plain fields: this is hot). */
class Views {
  readonly raw: string;
  readonly plus: boolean;
  text: string | undefined = undefined;
  sql: string | undefined = undefined;
  cmd: string | undefined = undefined;
  compact: string | undefined = undefined;
  path: string | undefined = undefined;

  constructor(raw: string, plus: boolean) {
    this.raw = raw;
    this.plus = plus;
  }

  get(view: View): string {
    switch (view) {
      case 'raw':
        return this.raw;
      case 'text':
        return (this.text ??= normalize(this.raw, this.plus));
      case 'sql':
        return (this.sql ??= sqlView(this.get('text')));
      case 'cmd':
        return (this.cmd ??= cmdView(this.get('text')));
      case 'compact':
        return (this.compact ??= compactView(this.get('text')));
      case 'path':
        return (this.path ??= pathView(this.get('text')));
    }
  }
}

function run(rule: Rule, views: Views): string | undefined {
  const view = views.get(rule.view);
  if (typeof rule.test === 'function') return rule.test(view);
  const m = rule.test.exec(view);
  return m ? m[0] || view.slice(m.index, m.index + FRAGMENT_MAX) || '(match)' : undefined;
}

const NONE: Array<[Rule, string]> = [];

/** Runs `rules` on one value's views, appending matches to `found` (allocated on first match). */
function runAll(rules: Rule[], views: Views, skip: Set<number> | undefined, found: Array<[Rule, string]>): Array<[Rule, string]> {
  for (const rule of rules) {
    if (skip !== undefined && skip.size > 0 && skip.has(rule.id)) continue;
    const f = run(rule, views);
    if (f !== undefined) (found === NONE ? (found = []) : found).push([rule, f]);
  }
  return found;
}

/** Every rule of the set that matches one value (ignoring what already fired). */
function matchValue(t: Target, set: RuleSet, shortcuts: boolean, skip?: Set<number>): Array<[Rule, string]> {
  const views = new Views(t.raw, t.plus);
  // Most values (ids, numbers, words, tokens) end here after a handful of rules.
  if (shortcuts && PLAIN.test(t.raw)) return runAll(set.plain.get(t.location)!, views, skip, NONE);
  const text = views.get('text');
  let found = NONE;
  for (const g of set.groups.get(t.location)!) {
    if (shortcuts && g.gate !== undefined && !g.gate.test(text)) continue;
    found = runAll(g.rules, views, skip, found);
  }
  return found;
}

function cachedMatches(t: Target, set: RuleSet): Array<[Rule, string]> {
  // Nested maps rather than a concatenated key: header strings are reused from request to request
  // and V8 keeps their hash, a new concatenation would be hashed again every time.
  let byValue = set.cache.get(t.location);
  if (!byValue) set.cache.set(t.location, (byValue = new Map()));
  let found = byValue.get(t.raw);
  if (!found) {
    found = matchValue(t, set, true);
    if (set.cached >= CACHE_MAX) {
      set.cache.clear();
      set.cached = 0;
      set.cache.set(t.location, (byValue = new Map()));
    }
    byValue.set(t.raw, found);
    set.cached++;
  }
  return found;
}

class Tally {
  score = 0;
  readonly matches: WafMatch[] = [];
  readonly fired = new Set<number>();

  add(rule: Rule | RequestRule, location: Location, name: string, fragment: string): void {
    if (this.fired.has(rule.id)) return;
    this.fired.add(rule.id);
    const points = SEVERITY_POINTS[rule.severity];
    this.score += points;
    this.matches.push({
      ruleId: rule.id,
      cls: rule.cls,
      msg: rule.msg,
      severity: rule.severity,
      points,
      location,
      name,
      fragment: fragment.length > FRAGMENT_MAX ? `${fragment.slice(0, FRAGMENT_MAX - 1)}…` : fragment,
    });
  }
}

/**
 * Inspects a request: returns its anomaly score at the given paranoia level and the matches
 * behind it. Evaluation stops once the score reaches the threshold unless `exhaustive` is set.
 */
export function inspect(
  input: WafInput,
  config: { paranoia?: number; threshold?: number } = {},
  options: InspectOptions = {},
): WafResult {
  const paranoia = Math.min(4, Math.max(1, Math.trunc(config.paranoia ?? DEFAULT_PARANOIA)));
  const threshold = config.threshold ?? DEFAULT_THRESHOLD;
  const set = ruleSet(paranoia, options.groups);
  const shortcuts = !options.noShortcuts;
  const stopAt = options.exhaustive ? Infinity : threshold;
  const req = parseRequest(input);
  const tally = new Tally();
  for (const rule of set.requestRules) {
    const h = rule.check(req);
    if (h) tally.add(rule, h.location, h.name, h.fragment);
  }
  for (const t of req.targets) {
    if (tally.score >= stopAt) break;
    if (!t.raw) continue;
    const found =
      shortcuts && (t.location === 'header' || t.location === 'cookie' || t.location === 'referer')
        ? cachedMatches(t, set)
        : matchValue(t, set, shortcuts, tally.fired);
    for (const [rule, fragment] of found) tally.add(rule, t.location, t.name, fragment);
  }
  return { score: tally.score, paranoia, threshold, matches: tally.matches };
}
