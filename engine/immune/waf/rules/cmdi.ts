/**
 * OS command injection (CRS 932xxx). Rules read the `cmd` view, where quoting tricks (`c'a't`,
 * `w\ho\am\i`, `$IFS`, `{cat,/etc/passwd}`) are folded away. A command counts only after a
 * shell separator (`;`, `|`, `&&`, a newline, `$(`) and only in the shape it is used in an attack
 * (recon commands alone, file readers with a path, network tools with a host, shells with `-c`),
 * so `Tom & Jerry`, `dogs; cat food` and a markdown table `| id | name |` pass.
 */
import type { RuleGroup } from '../types.ts';
import { ruleMaker, rx } from './make.ts';

const r = ruleMaker('cmdi');

/** Command names for substitution checks (`$(…)`, backticks). */
const COMMANDS =
  'cat|tac|nl|head|tail|more|less|od|xxd|strings|base64|ls|dir|id|whoami|uname|pwd|hostname|ifconfig|ipconfig|netstat|ps|env|printenv|echo|printf|wget|curl|nc|ncat|netcat|socat|telnet|ssh|ftp|tftp|bash|sh|zsh|ksh|csh|dash|busybox|python[23]?|perl|ruby|php|node|lua|awk|sed|find|grep|sleep|ping|nslookup|dig|host|rm|mv|cp|chmod|chown|touch|mkfifo|kill|crontab|nohup|sudo|su|useradd|passwd|uptime|who|last|df|mount|dd|tar|xargs|timeout|expr|openssl|systeminfo|tasklist|type|whoami|net|cmd|powershell|certutil';

/** The command shapes that follow a separator. */
const SHAPES = [
  // Recon commands, alone or with flags.
  // Words that are also English (last, set, history, who) are left out: `first; last` is prose.
  '(?:id|whoami|uname|pwd|hostname|ifconfig|ipconfig|netstat|env|printenv|ls|dir|uptime|systeminfo|tasklist|ver|quser|getuid|lsb_release)(?:\\s+-{1,2}[\\w=]+)*\\s*(?=$|[;&#\\n`)>]|\\|\\||\\s+[-/\\\\])',
  'ps\\s+(?:-?[aux]{2,3}|-ef)\\b',
  // File readers and file commands with a path-like argument.
  '(?:cat|tac|nl|head|tail|more|less|od|xxd|strings|base64|type|grep|egrep|find|ls|dir|rm|del|cp|mv|chmod|chown|touch|file|stat|readlink|wc|sort|uniq|du|tar|zip|unzip|echo|printf|dd|copy|move|findstr|icacls|attrib)(?:\\s+-{1,2}[\\w=]+)*\\s+[\\w~/\\\\.$*?[\\]:%-]*[/\\\\~*?$%:]',
  // Network tools fetching or connecting somewhere.
  '(?:wget|curl|fetch|lwp-download|lwp-request|tftp|ftp|scp|rsync|certutil|bitsadmin|iwr|irm|invoke-webrequest)\\b[^;|&\\n]{0,80}?(?:[a-z]+://|\\d{1,3}(?:\\.\\d{1,3}){3}|\\s-\\w|\\s[\\w-]+\\.[a-z]{2,})',
  // Shells and interpreters running inline code.
  '(?:bash|sh|zsh|ksh|csh|tcsh|dash|ash|busybox|python[23]?|perl|ruby|php|node|lua|jrunscript|powershell|pwsh|cmd)(?:\\.exe)?(?:\\s+-[\\w-]+)*?\\s+(?:-[a-z]*[ceirn]\\b|/[ckr]\\b|-enc|-encodedcommand|-command|-nop|-w\\s+hidden|-exec)',
  '(?:bash|sh|zsh|ksh|dash)\\s*(?=$|[<;&)`]|\\s+-)',
  // Reverse-shell tools.
  '(?:nc|ncat|netcat|socat|telnet)(?:\\.exe)?(?:\\s+-{1,2}\\w+)*\\s+[\\w.-]+\\s+\\d{1,5}',
  '(?:nc|ncat|netcat)(?:\\s+-\\w+)*\\s+-[elc]\\b',
  'socat\\s+\\S*(?:tcp|udp|exec|system|openssl|pty)[-:]',
  'tar\\s+-?[a-z]{1,5}\\s+\\S*[/~]',
  // Timing probes.
  '(?:sleep|timeout|ping)\\s+(?:-[nct]\\s+)?\\d+',
  // Out-of-band DNS lookups.
  '(?:nslookup|dig|host)\\s+[\\w$.`(){}-]+\\.[a-z]{2,}',
  // Destructive or persistent system commands.
  '(?:kill|killall|pkill|reboot|shutdown|halt|crontab|useradd|usermod|passwd|mkfifo|mknod|nohup|setsid|sudo|su|systemctl|service|schtasks|wmic|vssadmin|mshta|rundll32|regsvr32|cscript|wscript|msiexec|xterm)\\b',
  'net\\s+(?:user|localgroup|view|share|use|start|stop)\\b',
  'reg\\s+(?:query|add|delete|save)\\b',
].join('|');

/** OS command injection rules. */
export const cmdi: RuleGroup = {
  cls: 'cmdi',
  gate: /[;|&`$\n(){}<>\\^'"]|\/bin\/|\/usr\/|\/dev\/|\/proc\/|cmd|powershell|%comspec%|%systemroot%|%windir%/,
  rules: [
    r(
      932100,
      'critical',
      1,
      'cmd',
      rx(`(?:[;&|\\n]|\\$\\()\\s*(?:busybox\\s+)?(?:[\\w.~-]*/){0,4}(?:{S})`, { S: SHAPES }),
      'command after a shell separator',
    ),
    r(
      932110,
      'critical',
      1,
      'cmd',
      rx(`\\$\\(\\s*(?:[\\w./-]*/)?(?:{C})\\b|(?:^|[^\\s])\`\\s*(?:[\\w./-]*/)?(?:{C})\\b[^\`]*\``, { C: COMMANDS }),
      'command substitution',
    ),
    r(
      932120,
      'critical',
      1,
      'text',
      /\$\{ifs\}|\$ifs\b|\$\{?(?:shell|bash)\}?\s+-[ci]\b|\$\{(?:path|home|pwd|shell):\d+:\d+\}|\$\{#?\w+:\d+:\d+\}|<\(\s*[a-z]|>\(\s*[a-z]|\$\(\([^)]*\)\)|\$'\\x[0-9a-f]{2}|\$\{[a-z_]+\/\/[^}]*\}|\$\{!?[a-z_]+[,^]{1,2}\}/,
      'shell expansion used to hide a command',
    ),
    r(
      932130,
      'critical',
      1,
      'path',
      /(?:^|[^\w.-])\/(?:usr\/)?(?:local\/)?s?bin\/(?:(?:ba|z|k|c|tc|da)?sh|python[23]?|perl|ruby|php|nc|ncat|netcat|socat|wget|curl|telnet|busybox|env|id|cat|ls|chmod|rm|whoami|uname)\b|\/dev\/(?:tcp|udp)\/|\/proc\/self\/fd\/\d/,
      'path to a shell or system binary',
    ),
    r(
      932140,
      'critical',
      1,
      'text',
      /(?:\/[\w[\]]*[?*][\w?*[\]]*){2,}|[;&|\n]\s*\/[\w/]*[?*]/,
      'glob pattern standing in for a path',
    ),
    r(
      932150,
      'critical',
      1,
      'text',
      /\(\s*\)\s*\{[^}]*;\s*\}\s*;|^\s*\(\s*\)\s*\{|\(\s*\)\s*\{\s*[:\w]+\s*;\s*\}/,
      'Shellshock function definition',
    ),
    r(
      932160,
      'critical',
      1,
      'cmd',
      /\bcmd(?:\.exe)?\s*\/[ckr]\b|\bpowershell(?:\.exe)?\b[^;|&]{0,40}?\s-(?:e|en|enc|encodedcommand|c|command|nop|noprofile|w|windowstyle|ep|executionpolicy|exec|noni|sta|file)\b|\b(?:invoke-expression|iex|invoke-webrequest|downloadstring|downloadfile|start-process|new-object\s+(?:system\.)?net\.webclient)\b|\bcertutil(?:\.exe)?\s+-(?:urlcache|decode|encode)|\bbitsadmin(?:\.exe)?\s+\/transfer|\bmshta(?:\.exe)?\s+(?:https?|vbscript|javascript)|\brundll32(?:\.exe)?\s+[\w.]+,|\bregsvr32(?:\.exe)?\s+\/s|\bwmic\s+(?:process|os|useraccount|shadowcopy)|%comspec%|%systemroot%|%windir%/,
      'Windows command execution',
    ),
    r(
      932170,
      'critical',
      1,
      'cmd',
      />>?\s*\/(?:tmp|var\/www|etc|dev\/tcp|root)\/|<\s*\/etc\/|>&\s*\/dev\/(?:tcp|udp)|\|\s*(?:ba|z|k|da)?sh\b(?!\s*\w)|0<&\d+/,
      'shell redirection to or from a system path',
    ),
    r(932180, 'warning', 1, 'cmd', /\b2>&1\b|\|\s*(?:base64|xxd|od)\b/, 'shell plumbing'),
  ],
};
