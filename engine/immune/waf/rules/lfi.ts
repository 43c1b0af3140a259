/**
 * Path traversal and local file inclusion (CRS 930xxx). Rules read the `path` view, where
 * `..%c0%af`, `..%255c`, `..\` and `／` have all become `../`. One `../` is common in relative
 * links pasted into notes, so it only warns; two or more, or any reference to a well-known
 * sensitive file, block.
 */
import type { RuleGroup } from '../types.ts';
import { ruleMaker } from './make.ts';

const r = ruleMaker('lfi');

const TRAVERSAL = /(?:^|[/;=:\s])\.{2,}(?=[/;]|$)/g;

function traversals(view: string): number {
  TRAVERSAL.lastIndex = 0;
  let n = 0;
  while (TRAVERSAL.exec(view)) n++;
  return n;
}

/** Sensitive files and directories an attacker reads through a traversal or an inclusion. */
const FILES = new RegExp(
  '(?:^|[/\\s=:\'"])(?:' +
    [
      'etc/(?:passwd|shadow|group|gshadow|hosts|hostname|issue|motd|sudoers|crontab|fstab|mtab|resolv\\.conf|security/|ssh/|ssl/private|apache2?/|httpd/|nginx/|mysql/|php\\d?/|my\\.cnf|environment|profile|bashrc|inittab|lsb-release|os-release|machine-id|aliases|exports|sysconfig/|redhat-release|debian_version|knockd\\.conf|master\\.passwd|spwd\\.db|pwd\\.db|cron\\.d|init\\.d|systemd/|docker/|kubernetes/)',
      'proc/(?:self|\\d+|thread-self)/(?:environ|cmdline|fd|maps|status|cwd|exe|mem|root|mounts|stat|net/)',
      'proc/(?:version|cpuinfo|meminfo|net/|mounts|sched_debug|kcore)',
      'var/log/(?:apache|httpd|nginx|auth|syslog|messages|secure|mail|lastlog|wtmp)',
      'var/(?:run/secrets|lib/mysql|mail/|spool/cron)',
      'root/\\.',
      'home/[\\w.-]+/\\.',
      '(?:windows|winnt)/(?:win\\.ini|system\\.ini|system32|repair|debug|panther|php\\.ini)',
      'boot\\.ini',
      'inetpub/',
      '(?:web|meta)-inf/',
      '[a-z]:/(?:(?:windows|winnt|inetpub|xampp|wamp)/|boot\\.ini)',
      '\\.ht(?:access|passwd|digest)',
      '\\.(?:git|svn|hg|bzr)(?:/|$)',
      '\\.env(?:\\.[\\w-]+)?$',
      '\\.(?:aws|ssh|docker|kube|gnupg|azure|config/gcloud)/',
      '\\.(?:npmrc|pypirc|netrc|pgpass|bash_history|zsh_history|mysql_history|psql_history|git-credentials|ds_store)\\b',
      '(?:id_(?:rsa|dsa|ecdsa|ed25519)|authorized_keys|known_hosts)\\b',
      '(?:wp-config|configuration|localsettings|config\\.inc)\\.php\\b',
      '(?:database|secrets|credentials)\\.ya?ml\\b',
      '(?:application|bootstrap)\\.(?:properties|ya?ml)\\b',
      'appsettings(?:\\.\\w+)?\\.json\\b',
      'web\\.config\\b',
      '(?:php|\\.user)\\.ini\\b',
      '(?:server|tomcat-users|standalone|context)\\.xml\\b',
      'docker-compose\\.ya?ml\\b',
      'dev/(?:stdin|fd/)',
    ].join('|') +
    ')',
);

/** Path traversal and local file inclusion rules. */
export const lfi: RuleGroup = {
  cls: 'lfi',
  gate: /[/\\:;=]|\.\.|\.env|\.git|\.ht|\.ssh|web\.config|\.ini|\.php|\.xml|\.ya?ml|\.json|id_rsa|\u2215|\u2216/,
  rules: [
    r(
      930100,
      'critical',
      1,
      'path',
      (v) => (traversals(v) >= 2 ? (v.match(/(?:\.{2,}[/;]+){1,4}/)?.[0] ?? '../') : undefined),
      'repeated path traversal',
    ),
    r(930110, 'warning', 1, 'path', (v) => (traversals(v) === 1 ? '../' : undefined), 'path traversal'),
    r(930120, 'critical', 1, 'path', FILES, 'sensitive file or directory', { plain: true }),
    r(
      930130,
      'critical',
      1,
      'text',
      /\b(?:php|zip|phar|glob|expect|ssh2(?:\.\w+)?|rar|ogg|zlib|compress\.(?:zlib|bzip2)|file|jar|netdoc)\s*:\s*\/\/|\bdata:\/\//,
      'stream wrapper or file URL',
    ),
    r(930140, 'error', 1, 'path', /^\/(?:etc|proc|var|usr|root|home|sys|boot|opt|tmp)\/[\w.-]+/, 'absolute file path', {
      where: ['query', 'body', 'cookie', 'header'],
    }),
    r(
      930150,
      'critical',
      1,
      'path',
      /(?:^|\/)\.{2,}\/(?:[\w.-]+\/)*[\w.-]+\.(?:php\d?|inc|conf|cfg|ini|log|xml|ya?ml|json|key|pem|bak|sql|db)\b/,
      'traversal to a configuration file',
    ),
  ],
};
