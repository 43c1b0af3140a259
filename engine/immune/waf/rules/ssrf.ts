/**
 * Server-side request forgery (CRS 934110/934120 in v4; here 936xxx). A URL argument that points
 * inside the network (loopback, RFC 1918, link-local, cloud metadata, `.internal` names,
 * obfuscated IP notations) or uses a scheme only SSRF needs (`gopher:`, `dict:`). A whole value
 * that is such a URL is critical; the same URL inside prose (`my app runs on
 * http://localhost:3000`) only warns.
 */
import type { RuleGroup } from '../types.ts';
import { ARGUMENTS, ruleMaker, rx } from './make.ts';

const args = { where: ARGUMENTS };

const r = ruleMaker('ssrf');

/** Hosts that resolve inside the network. */
const HOST = [
  'localhost',
  'localtest\\.me',
  '127(?:\\.\\d{1,3}){0,3}',
  '0(?:\\.0){0,3}',
  '0x7f[0-9a-fx.]*',
  '0177(?:\\.0+){0,2}(?:\\.0*1)?',
  '2130706433',
  '017700000001',
  '10(?:\\.\\d{1,3}){3}',
  '172\\.(?:1[6-9]|2\\d|3[01])(?:\\.\\d{1,3}){2}',
  '192\\.168(?:\\.\\d{1,3}){2}',
  '169\\.254(?:\\.\\d{1,3}){2}',
  '100\\.(?:6[4-9]|[7-9]\\d|1[01]\\d|12[0-7])(?:\\.\\d{1,3}){2}',
  '\\[[0:]*:?0*1?\\]',
  '\\[::(?:ffff:)?[\\d.a-f:]*\\]',
  '\\[(?:0{1,4}:){5}ffff:[\\d.a-f:]+\\]',
  '\\[f[cd][0-9a-f]{2}:[^\\]]*\\]',
  '\\[fe80:[^\\]]*\\]',
  'metadata(?:\\.google\\.internal)?',
  'instance-data(?:\\.ec2\\.internal)?',
  'kubernetes(?:\\.default)?(?:\\.svc)?(?:\\.cluster\\.local)?',
  '[\\w.-]+\\.(?:internal|local|localhost|localdomain|corp|intranet|lan|home\\.arpa)',
  '[\\w.-]*\\d+[.-]\\d+[.-]\\d+[.-]\\d+\\.(?:nip|xip|sslip)\\.io',
].join('|');

const AUTHORITY = `(?:[^/@\\s?#]*@)?(?:{H})(?::\\d{1,5})?(?=[/?#\\\\:]|$|\\s)`;

/** SSRF rules. */
export const ssrf: RuleGroup = {
  cls: 'ssrf',
  gate: /\/\/|:\d|localhost|metadata|169\.254|\[::|0x7f|nip\.io|xip\.io|burpcollab|oast|interact\.sh/,
  rules: [
    r(
      936100,
      'critical',
      1,
      'text',
      rx(`^\\s*(?:[a-z][a-z0-9+.-]*:)?//${AUTHORITY}\\S*\\s*$`, { H: HOST }),
      'URL argument pointing inside the network',
      args,
    ),
    r(936110, 'warning', 1, 'text', rx(`(?:[a-z][a-z0-9+.-]*:)?//${AUTHORITY}`, { H: HOST }), 'internal URL inside text', args),
    r(936115, 'critical', 2, 'text', rx(`(?:[a-z][a-z0-9+.-]*:)?//${AUTHORITY}`, { H: HOST }), 'internal URL inside text', args),
    r(
      936120,
      'critical',
      1,
      'text',
      /169\.254\.169\.254|\b2852039166\b|0xa9fea9fe|0251\.0376\.0251\.0376|\[::ffff:a9fe:a9fe\]|\bmetadata\.google\.internal\b|\/latest\/(?:meta-data|user-data|api\/token|dynamic\/instance-identity)|\/computemetadata\/v1|\/metadata\/(?:instance|identity\/oauth2)|100\.100\.100\.200|169\.254\.170\.2\b|fd00:ec2::254|\bmetadata\.azure\.com|instance-data\.ec2/,
      'cloud metadata endpoint',
    ),
    r(
      936130,
      'critical',
      1,
      'text',
      /(?:^|[^a-z])(?:gopher|dict|ldaps?|tftp|netdoc|rmi|iiop|sftp):\/\/|(?:^|[^a-z])jar:(?:https?|file|ftp):/,
      'URL scheme used for SSRF',
    ),
    r(
      936140,
      'critical',
      1,
      'text',
      /^\s*(?:[a-z]+:)?\/\/(?:[^/@\s]*@)?(?:\d{8,10}|0x[0-9a-f]{6,8}|0[0-7]{1,4}(?:\.0[0-7]{0,4}){1,3}|(?:0x[0-9a-f]{1,2}\.){3}0x[0-9a-f]{1,2}|\d{1,3}\.\d{5,8}|\d{1,3}\.\d{1,3}\.\d{3,5})(?::\d+)?(?:[/?#]|$)/,
      'obfuscated IP notation',
      args,
    ),
    r(
      936150,
      'critical',
      1,
      'text',
      /^\s*(?:localhost|127\.\d+\.\d+\.\d+|0\.0\.0\.0|\[::1?\]|169\.254\.169\.254|metadata)(?::\d{1,5})(?:\/|$)/,
      'internal host and port',
      args,
    ),
    r(
      936160,
      'critical',
      1,
      'text',
      /\b(?:burpcollaborator\.net|oastify\.com|interact\.sh|interactsh\.com|oast\.(?:pro|live|site|online|fun|me)|requestbin\.(?:net|com)|webhook\.site|canarytokens\.com|dnslog\.cn|ceye\.io|pipedream\.net|xip\.io|nip\.io|sslip\.io|localtest\.me)\b/,
      'out-of-band callback or rebinding host',
      { plain: true },
    ),
  ],
};
