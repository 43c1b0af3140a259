/**
 * Scanner fingerprints (CRS 913xxx): the User-Agent strings and headers of vulnerability
 * scanners, fuzzers and exploit kits, and the probe paths they request first. General-purpose
 * clients (curl, python-requests, Go, k6, autocannon, Postman) are not scanners and pass.
 */
import type { ParsedRequest, RequestRule, RuleGroup } from '../types.ts';
import { headerValue } from '../extract.ts';
import { ruleMaker } from './make.ts';

const r = ruleMaker('scanner');

const SCANNER_UA = new RegExp(
  '(?:' +
    [
      'sqlmap',
      'nikto',
      'nmap',
      'masscan',
      'zgrab',
      'acunetix',
      'netsparker',
      'invicti',
      'nessus',
      'openvas',
      'w3af',
      'dirbuster',
      'gobuster',
      'feroxbuster',
      'dirsearch',
      'wfuzz',
      'ffuf',
      'fuzz faster u fool',
      'nuclei',
      'whatweb',
      'wpscan',
      'joomscan',
      'droopescan',
      'arachni',
      'skipfish',
      'sf/2\\.\\d+b',
      'zaproxy',
      'owasp zap',
      'appscan',
      'webinspect',
      'qualys',
      'havij',
      'commix',
      'xsstrike',
      'jaeles',
      'fimap',
      'grabber',
      'paros',
      'vega/',
      'wapiti',
      'webshag',
      'brutus',
      'hydra',
      'medusa',
      'morfeus',
      'zmeu',
      'jorgee',
      'censysinspect',
      'dotdotpwn',
      'metasploit',
      'burpsuite',
      'interactsh',
      'struts-pwn',
      'sqlninja',
      'bsqlbf',
      'blackwidow',
      'absinthe',
      'pangolin',
      'nasl',
      'webvulnscan',
      'netlab360',
      'l9explore',
      'l9tcpid',
      'expanse, a palo alto',
      'nmap scripting engine',
      'go-http-client/1\\.1 nuclei',
      'crowdstrike falcon surface',
      'xray',
      'httprint',
      'ratproxy',
      'uniscan',
      'cgichk',
      'bbqsql',
      'tplmap',
      'ysoserial',
    ].join('|') +
    ')',
);

const SCANNER_HEADERS = [
  'acunetix-product',
  'acunetix-scanning-agreement',
  'acunetix-user-agreement',
  'acunetix-aspect',
  'acunetix-aspect-password',
  'acunetix-aspect-queries',
  'x-scanner',
  'x-wipp',
  'x-request-memo',
  'x-scan-memo',
  'x-requestmanager-memo',
  'x-nessus',
  'x-arachni-scan-seed',
  'x-wvs-id',
  'x-burp-collaborator',
];

/** Verdicts per User-Agent: the same few agents send almost every request. */
const uaVerdicts = new Map<string, string | null>();

function scannerIn(ua: string): string | null {
  let v = uaVerdicts.get(ua);
  if (v === undefined) {
    v = SCANNER_UA.exec(ua.toLowerCase())?.[0] ?? null;
    if (uaVerdicts.size >= 4096) uaVerdicts.clear();
    uaVerdicts.set(ua, v);
  }
  return v;
}

function req(id: number, msg: string, check: (q: ParsedRequest) => ReturnType<RequestRule['check']>): RequestRule {
  return { id, cls: 'scanner', severity: 'critical', paranoia: 1, msg, check };
}

/** Scanner fingerprint rules. */
export const scanner: RuleGroup = {
  cls: 'scanner',
  requestRules: [
    req(913100, 'User-Agent of a security scanner', (q) => {
      const ua = headerValue(q.headers, 'user-agent');
      const m = ua === undefined ? null : scannerIn(ua);
      return m !== null ? { location: 'header', name: 'user-agent', fragment: m } : undefined;
    }),
    req(913110, 'header sent by a security scanner', (q) => {
      const h = SCANNER_HEADERS.find((name) => q.headers[name] !== undefined);
      return h ? { location: 'header', name: h, fragment: `${h}: ${String(q.headers[h])}` } : undefined;
    }),
  ],
  gate: /[/.]/,
  rules: [
    r(
      913120,
      'critical',
      1,
      'path',
      /(?:^|\/)(?:vendor\/phpunit\/.*eval-stdin\.php|hnap1(?:\/|$)|boaform\/|_ignition\/execute-solution|jmx-console|actuator\/(?:env|heapdump|jolokia|gateway|mappings|shutdown|trace|logfile)|cgi-bin\/(?:test-cgi|php\d?|printenv|\.%2e|[\w-]+\.(?:sh|pl|cgi))|phpmyadmin|pma\/|myadmin\/|adminer\.php|server-(?:status|info)\b|xmlrpc\.php|wp-(?:login|config)\.php|wp-admin\/(?:install|setup-config|admin-ajax)\.php|solr\/admin\/|telescope\/requests|manager\/html|invoker\/(?:jmx|ejb)invokerservlet|struts2?-showcase|console\/css\/|owa\/auth\/logon\.aspx|autodiscover\/autodiscover\.json|\.well-known\/acme-challenge\/.*\.\.|api\/jsonws\/invoke|ecp\/default\.flt|remote\/fgt_lang|dana-na\/|global-protect\/login\.esp|sslvpn_logon|setup\.cgi|shell\?cd|(?:backups?|site|www|db|database|dump|old|web|html|htdocs|wwwroot|public_html|sql)\.(?:zip|tar|tar\.gz|tgz|gz|7z|rar|sql)$)/,
      'request for a path scanners probe',
      { where: ['path'] },
    ),
  ],
};
