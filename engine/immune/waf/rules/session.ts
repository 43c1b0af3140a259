/**
 * Session fixation (CRS 943xxx): an attacker plants a session id the victim will then use — by
 * setting a cookie through injected markup or script, by a session id in a URL (`;jsessionid=`),
 * or by a session-id parameter on a request that did not come from the application's own pages.
 */
import type { ParsedRequest, RuleGroup } from '../types.ts';
import { headerValue } from '../extract.ts';
import { ruleMaker } from './make.ts';

const r = ruleMaker('session');

/** Names frameworks give their session cookies and URL parameters. */
const SESSION_NAMES =
  'jsessionid|phpsessid|aspsessionid[a-z]{0,8}|asp\\.net_sessionid|aspxauth|cfid|cftoken|cfsid|connect\\.sid|laravel_session|ci_session|_session_id|sessionid|session_id|session-id|sessid|jsessid|zenid|oscsid|wordpress_logged_in_\\w*|sails\\.sid|express:sess|koa:sess|rack\\.session|_rails_session|jwt_session|symfony';
const SESSION_PARAM = new RegExp(`^(?:${SESSION_NAMES}|sid)$`);

/** A session-id parameter is benign only on a request coming from the application's own pages. */
function fromOwnPage(q: ParsedRequest): boolean {
  const referer = headerValue(q.headers, 'referer');
  const host = headerValue(q.headers, 'host');
  if (!referer || !host) return false;
  const m = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]+)/i.exec(referer);
  return m !== null && m[1]!.toLowerCase() === host.toLowerCase();
}

/** Session fixation rules. */
export const session: RuleGroup = {
  cls: 'session',
  gate: /cookie|sess|sid|cfid|cftoken|aspxauth|symfony|zenid|wordpress_logged_in/,
  requestRules: [
    {
      id: 943120,
      cls: 'session',
      severity: 'critical',
      paranoia: 1,
      msg: 'session id parameter on a request not from the application',
      check: (q) => {
        const name = q.argNames.find((n) => SESSION_PARAM.test(n));
        return name !== undefined && !fromOwnPage(q) ? { location: 'query-name', name, fragment: name } : undefined;
      },
    },
  ],
  rules: [
    r(
      943100,
      'critical',
      1,
      'text',
      /\bhttp-equiv\W+set-cookie\b|\.cookie\b[^;]{0,80}?;\W*?(?:expires|domain|path|max-age)\W*?=|\bdocument\s*\.\s*cookie\s*=|\bset-cookie\s*:|\bcookiestore\s*\.\s*set\s*\(/,
      'cookie set through injected markup or script',
    ),
    r(
      943110,
      'critical',
      1,
      'text',
      new RegExp(`(?:^|[;?&\\s,'"/])(?:${SESSION_NAMES})\\s*[=:]\\s*[\\w.%:-]{4,}`),
      'session id in a value',
    ),
    r(
      943112,
      'critical',
      1,
      'text',
      /^\s*(?:sid|sess|sess_id|s_id)\s*=\s*[\w.%-]{6,}/,
      'session id parameter injected as a value',
    ),
    r(
      943115,
      'error',
      1,
      'text',
      /(?:^|[;?&\s,'"/])(?:sid|sess|sess_id|s_id)\s*=\s*[\w.%-]{6,}/,
      'possible session id in a value',
    ),
  ],
};
