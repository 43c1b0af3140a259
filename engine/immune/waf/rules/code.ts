/**
 * Code injection in the application's own language: PHP (CRS 933xxx), Node.js / JavaScript
 * (934xxx), Java (944xxx) and Python object walking. Functions that only ever appear in exploits
 * (`shell_exec`, `Runtime.getRuntime().exec`, `child_process`) are critical; general-purpose ones
 * that developers paste into search boxes (`file_get_contents(`, `process.env`) only warn.
 */
/* eslint-disable no-control-regex -- a WAF matches NUL and control characters on purpose */
import type { RuleGroup } from '../types.ts';
import { ruleMaker } from './make.ts';

const r = ruleMaker('code');

/** Code injection rules. */
export const code: RuleGroup = {
  cls: 'code',
  gate: /[(<${[@#:]|_proto|prototype|ro0ab|aced0005|pd9wah|child_process|_\$\$nd_func|class\.|classloader/,
  rules: [
    // PHP
    r(933100, 'critical', 1, 'text', /<\?(?:php\b|=|\s)|<\?(?!xml)[a-z]/, 'PHP opening tag'),
    r(
      933110,
      'critical',
      1,
      'text',
      /\b(?:shell_exec|passthru|proc_open|popen|pcntl_exec|phpinfo|base64_decode|gzinflate|gzuncompress|gzdecode|str_rot13|create_function|fsockopen|pfsockopen|highlight_file|show_source|php_uname|assert_options|posix_(?:getpwuid|kill|mkfifo|setuid|getlogin)|call_user_func(?:_array)?|register_shutdown_function|ob_start|preg_replace_callback_array)\s*\(/,
      'PHP function used in exploits',
    ),
    r(
      933115,
      'warning',
      1,
      'text',
      /\b(?:file_get_contents|file_put_contents|fopen|readfile|fpassthru|unlink|symlink|move_uploaded_file|array_map|array_filter|usort|uasort|extract|parse_str|putenv|ini_set|mail|curl_exec|get_defined_vars|var_dump|print_r|var_export|include(?:_once)?|require(?:_once)?)\s*\(/,
      'PHP function able to touch files or code',
    ),
    r(
      933120,
      'critical',
      1,
      'text',
      /\b(?:system|exec|eval|assert|passthru)\s*\(\s*(?:['"`$]|@?\$_|\w+\s*\(|chr\s*\()/,
      'code execution function with an argument',
    ),
    r(
      933130,
      'critical',
      1,
      'text',
      /\$_(?:get|post|request|cookie|server|files|env|session)\b|\$globals\b|\$http_raw_post_data|php:\/\/input/,
      'PHP superglobal',
    ),
    r(933140, 'critical', 1, 'text', /\b[oc]:\d+:"[\w\\]+":\d+:\{/, 'PHP serialized object'),
    r(933145, 'warning', 1, 'text', /\ba:\d+:\{(?:[sibdn]:\d+[:;])/, 'PHP serialized array'),
    r(
      933150,
      'critical',
      1,
      'text',
      /\$\w+\s*\(\s*(?:\$\w+|['"])|\$\{\s*['"]?\w+['"]?\s*\}\s*\(|\(\s*['"][a-z_]+['"]\s*\)\s*\(|['"]\s*\.\s*['"](?:ex|sys|ev|as|pass|shell)|\bchr\s*\(\s*\d+\s*\)\s*\.\s*chr\s*\(/,
      'PHP dynamic call used to hide a function name',
    ),
    r(933160, 'critical', 1, 'text', /\bpreg_replace\s*\(\s*['"](.).*?\1[a-z]*e[a-z]*['"]/, 'preg_replace with the /e modifier'),
    r(933170, 'critical', 1, 'text', /pd9wah/, 'base64-encoded PHP tag', { plain: true }),
    // Node.js and JavaScript
    r(934100, 'critical', 1, 'text', /_\$\$nd_func\$\$_/, 'node-serialize function payload'),
    r(
      934110,
      'critical',
      1,
      'text',
      /\brequire\s*\(\s*['"`](?:node:)?(?:child_process|fs|net|vm|os|process|cluster|worker_threads|dgram|module|v8|inspector)['"`]\s*\)|\bchild_process\b|\bprocess\s*\.\s*(?:mainmodule|binding|dlopen|kill|_linkedbinding|_getactivehandles|openstdin)|\b(?:execsync|spawnsync|execfilesync)\s*\(|\.constructor\s*\.\s*constructor\s*\(|\bconstructor\s*\(\s*['"`]return\s|\bnew\s+function\s*\(\s*['"`]|\bfunction\s*\(\s*\)\s*\{\s*return\s+(?:process|this|global)|\bglobal(?:this)?\s*\.\s*process\b|\bimport\s*\(\s*['"`](?:node:|child_process|fs)/,
      'Node.js process or module access',
    ),
    r(
      934120,
      'warning',
      1,
      'text',
      /\bprocess\s*\.\s*(?:env|cwd|exit|argv|versions|platform|memoryusage|uptime|pid|stdout)\b/,
      'Node.js process object',
    ),
    r(
      934130,
      'critical',
      1,
      'text',
      /__proto__|\bconstructor\s*(?:\.\s*|\[\s*['"`]?)prototype\b|\bconstructor["'`]?\s*:\s*\{\s*["'`]?prototype\b/,
      'prototype pollution',
      { plain: true },
    ),
    r(
      934140,
      'critical',
      1,
      'text',
      /\beval\s*\(\s*(?:['"`]|atob|string\.fromcharcode|unescape|decodeuri|buffer|require|process|this)|\bset(?:timeout|interval)\s*\(\s*['"`]|\bfunction\s*\(\s*['"`]\s*\)|\bbuffer\s*\.\s*from\s*\([^)]*base64[^)]*\)\s*\.\s*tostring|\bvm\s*\.\s*(?:runinnewcontext|runinthiscontext|runincontext|compilefunction)\s*\(/,
      'string evaluated as JavaScript',
    ),
    r(
      934150,
      'error',
      1,
      'text',
      /\bfs\s*\.\s*(?:readfilesync|writefilesync|readdirsync|readfile|writefile|unlinksync|rmsync|appendfilesync|createreadstream|createwritestream)\s*\(/,
      'Node.js file-system call',
    ),
    // Java
    r(
      944100,
      'critical',
      1,
      'text',
      /\bjava\s*\.\s*lang\s*\.\s*(?:runtime|processbuilder|system|class|reflect|thread|classloader|process)\b|\bruntime\s*\.\s*getruntime\s*\(|\.getruntime\s*\(\s*\)\s*\.\s*exec|\bnew\s+processbuilder\b|\bprocessbuilder\s*\(|\bclass\s*\.\s*forname\s*\(|\.forname\s*\(\s*['"]|\.getdeclared(?:method|field|constructor)\s*\(|\.getmethod\s*\(\s*['"]|\bjavax\s*\.\s*script\b|\bscriptenginemanager\b|\bjava\s*\.\s*io\s*\.\s*(?:file|inputstream|bufferedreader|objectinputstream)|\bjava\s*\.\s*net\s*\.\s*(?:url|socket)\b|\bgroovy\s*\.\s*lang\b|\bjdk\s*\.\s*jshell\b/,
      'Java runtime or reflection',
    ),
    r(
      944110,
      'critical',
      1,
      'text',
      /\$\{[^}]{0,60}?(?:jndi|\$\{|::-|lower:|upper:|env:|sys:|date:|main:|java:|base64:|ctx:|web:|docker:|k8s:|spring:|log4j:|bundle:|marker:|map:|sd:|event:)/,
      'Log4j lookup (Log4Shell)',
    ),
    r(944115, 'critical', 1, 'compact', /jndi:(?:ldaps?|rmi|dns|iiop|corba|nds|nis|https?):/, 'JNDI URL'),
    r(944120, 'critical', 1, 'text', /\xac\xed\x00\x05|ro0ab|aced0005/, 'Java serialized object', { plain: true }),
    r(
      944130,
      'critical',
      1,
      'text',
      /\bclass\s*\.\s*(?:module\s*\.\s*)?classloader\b|\bclassloader\s*\.\s*(?:resources|urls|parent)\b|\.getclassloader\s*\(/,
      'class loader manipulation (Spring4Shell)',
    ),
    r(
      944140,
      'critical',
      1,
      'text',
      /#_memberaccess|@ognlcontext@|#context\s*\[|@java\.lang\.|\(#[a-z_]+\s*=|#[a-z_]+\s*=\s*@|\bognl\.|#request\s*\[|#parameters\b|xwork\.methodaccessor|\bdefault_member_access\b|%\{\s*[#(@]|\$\{\s*#/,
      'OGNL expression (Struts)',
    ),
    r(
      944150,
      'critical',
      1,
      'text',
      /\bt\s*\(\s*java\.|\.getclass\s*\(\s*\)\s*\.|\bnew\s+java\.|#\{\s*(?:t\s*\(|new\s|''\.class|request|session|facescontext)|\$\{\s*(?:pagecontext|applicationscope|sessionscope|facescontext|request\.getparameter|header\[)/,
      'Java expression language',
    ),
    r(
      944160,
      'critical',
      1,
      'text',
      /<java\b[^>]*>|<object\s+class\s*=\s*["']java\.|<void\s+method\s*=|<sorted-set>|<dynamic-proxy>|<java\.beans\.|<string>\s*\/bin\//,
      'Java XML deserialization gadget',
    ),
    // Python
    r(
      935100,
      'critical',
      1,
      'text',
      /__(?:import|builtins|globals|class|subclasses|mro|bases|base|reduce|getattribute|code|loader|spec)__|\bos\s*\.\s*(?:system|popen|exec\w*|spawn\w*)\s*\(|\bsubprocess\s*\.\s*(?:call|run|popen|check_output|getoutput)\s*\(|\bpickle\s*\.\s*loads\s*\(|\bcommands\s*\.\s*getoutput\s*\(/,
      'Python code execution or object walking',
    ),
  ],
};
