/**
 * SQL injection (CRS 942xxx). Rules read the `sql` view, where comments and whitespace runs are
 * already folded, so `UNION/**\/SELECT`, `UNION%0aSELECT` and `/*!50000UNION*\/` all read
 * `union select`. The high-confidence shapes are critical; single SQL-looking phrases that also
 * occur in plain English or in code pasted into search boxes score less, so they only block when
 * another rule agrees.
 */
/* eslint-disable no-control-regex -- a WAF matches NUL and control characters on purpose */
import type { RuleGroup } from '../types.ts';
import { ruleMaker, rx } from './make.ts';

const r = ruleMaker('sqli');

/** An operand of a comparison: a quoted string, a number, a column or a variable. */
const OPERAND = `(?:['"\`][^'"\`]{0,40}['"\`]?|[\\w.@$]+)`;
const COMPARE = `(?:=|<>|!=|<=>|<=?|>=?|\\blike\\b|\\brlike\\b|\\bregexp\\b|\\bis\\b|\\bin\\s*\\(|\\bbetween\\b|\\bsounds\\s+like\\b)`;
/** What may follow a boolean operator in an injected condition. */
const CONDITION = `(?:\\d|${OPERAND}\\s*${COMPARE}|not\\b|true\\b|false\\b|null\\b|sleep\\b|benchmark\\b|pg_sleep\\b|exists\\b|select\\b|if\\s*\\(|ascii\\b|substr|mid\\s*\\(|char\\s*\\(|updatexml|extractvalue|case\\b|\\(\\s*select|@@)`;

/**
 * A quote that closes the application's string, then a comment swallowing the rest of its
 * query (`admin'--`, `x')#`). It counts only when that quote character is unbalanced in the
 * value, so prose like `I said 'hi' -- then left` passes.
 */
function quoteThenComment(view: string): string | undefined {
  const m = /(['"`])[\s)]*(?:--|#|\/\*|;\s*(?:--|#|$)|\x00)/.exec(view);
  if (!m) return undefined;
  const q = m[1]!;
  let n = 0;
  for (let i = view.indexOf(q); i !== -1; i = view.indexOf(q, i + 1)) n++;
  return n % 2 === 1 ? m[0] : undefined;
}

/** SQL injection rules. */
export const sqli: RuleGroup = {
  cls: 'sqli',
  gate: /['"`;=<>|&#()@$\\[]|--|\/\*|\b(?:union|select|insert|delete|update|drop|truncate|or|and)\b|0x/,
  rules: [
    r(
      942100,
      'critical',
      1,
      'sql',
      rx(`['"\`][\\s)]*(?:(?:or|and|xor|div)\\b|\\|\\||&&)[\\s(]*{C}`, { C: CONDITION }),
      'boolean condition after a closing quote',
    ),
    r(
      942105,
      'critical',
      1,
      'sql',
      /['"`][\s)]*(?:(?:r?like|regexp|sounds\s+like)\s*\(?\s*(?:select|\(|case|if)|union\s|having\s+\d|group\s+by\s|order\s+by\s+\d|procedure\s+analyse|limit\s+\d|into\s+(?:outfile|dumpfile|@)|where\s+\d|where\s+[\w.]+\s*=)/,
      'SQL clause after a closing quote',
    ),
    r(
      942110,
      'critical',
      1,
      'sql',
      /\b(?:or|and|xor|\|\||&&)\s+\(?\s*(\d+|'[^']*'|"[^"]*"|[a-z_]\w*)\s*(?:=|<=>|\blike\b|\bis\b)\s*\(?\s*\1(?:[\s)'"]|$|--|#|;)/,
      'tautology (x = x)',
    ),
    r(
      942115,
      'critical',
      1,
      'sql',
      /^\s*-?[\d.]+\s*\)*\s*(?:and|or|xor|&&|\|\|)\s+(?:\d+\s*(?:[=<>!]=?|<>)\s*\d+|\d+\s*(?:$|--|#|\)|;)|true\b|false\b|not\s|exists\s*\(|\(\s*select|if\s*\(|case\s+when|ascii\s*\(|substr|mid\s*\(|ord\s*\(|length\s*\()/,
      'boolean condition after a numeric value',
    ),
    r(
      942120,
      'critical',
      1,
      'sql',
      /^[\w.'"]*['"]?\s*\)*\s*(?:order|group)\s+by\s+\d+\s*(?:--|#|\/\*|$|;|asc\b|desc\b|,)/,
      'column-count probe (ORDER BY n)',
    ),
    r(942130, 'critical', 1, 'sql', /\bunion\b[\s(]*(?:all\b|distinct\b|distinctrow\b)?[\s(]*select\b/, 'UNION SELECT'),
    r(
      942140,
      'critical',
      1,
      'sql',
      /\b(?:information_schema|mysql\.(?:user|db)\b|pg_catalog|pg_(?:shadow|user|tables|database|namespace|authid)\b|sysobjects|syscolumns|sysdatabases|sys\.(?:tables|objects|columns|databases|sql_logins|user_objects|all_objects)\b|sqlite_(?:master|schema|temp_master)\b|all_(?:tables|tab_columns|users)\b|user_(?:tables|tab_columns|objects|users)\b|dba_(?:users|tables)\b|msysobjects|master\.\.sysdatabases|v\$version)/,
      'database catalog name',
    ),
    r(
      942150,
      'critical',
      1,
      'sql',
      /@@(?:version|datadir|hostname|basedir|servername|tmpdir|spid|language)\b/,
      'server variable',
    ),
    r(
      942155,
      'error',
      1,
      'sql',
      /\b(?:version|database|current_user|system_user|session_user|schema|db_name|user_name|suser_name|suser_sname|current_database|current_schema|sqlite_version|host_name|connection_id|last_insert_id)\s*\(\s*\)/,
      'database fingerprint function',
    ),
    r(
      942160,
      'critical',
      1,
      'sql',
      /\bsleep\s*\(\s*\d+(?:\.\d+)?\s*\)|\bsleep\(\s*\(?\s*(?:select|if|case|\d|@)|\bbenchmark\s*\(\s*\d+\s*,|\bpg_sleep(?:_for)?\s*\(|\bwaitfor\s+(?:delay|time)\s*['"\d]|\bdbms_lock\.sleep|\bdbms_pipe\.receive_message|\brandomblob\s*\(\s*\d{5,}|\bgenerate_series\s*\(\s*\d+\s*,\s*\d{5,}|\bsys\.sleep/,
      'time-based blind injection',
    ),
    r(
      942170,
      'critical',
      1,
      'sql',
      /;\s*(?:drop\s+(?:table|database|schema|user|view|function|procedure|index)\b|delete\s+from\b|insert\s+into\b|update\s+[\w.`"[\]]+\s+set\b|truncate\s+(?:table\s+)?[\w.`"]|alter\s+(?:table|user|database|login)\b|create\s+(?:table|user|database|login|procedure|function|trigger|or\s+replace)\b|exec(?:ute)?\s*(?:\(|\s+(?:master\.|xp_|sp_|\(|@|immediate))|declare\s+@|shutdown\b|select\s+(?:[\w@*(),\s'"]{1,80}\s+from\b|@@|pg_sleep|sleep|benchmark|load_file|version|user\b|\d)|waitfor\s+delay|grant\s+\w+\s+(?:on|to)\b|set\s+@|copy\s+(?:\w+|\()|load\s+data\b|rename\s+table\b|call\s+\w)/,
      'stacked query',
    ),
    r(942180, 'critical', 1, 'sql', quoteThenComment, 'unbalanced quote followed by a comment'),
    r(
      942190,
      'critical',
      1,
      'sql',
      /\b(?:xp_cmdshell|xp_reg(?:read|write)|xp_dirtree|xp_fileexist|xp_servicecontrol|sp_oacreate|sp_oamethod|sp_executesql|sp_configure|sp_addlogin|sp_addsrvrolemember|sp_password|openrowset|opendatasource|openquery)\b|\bbulk\s+insert\b|\bload_file\s*\(|\binto\s+(?:out|dump)file\b|\bload\s+data\s+(?:local\s+)?infile|\butl_http\.request|\butl_inaddr\.get_host|\butl_file\.|\bdbms_(?:java|xmlquery|scheduler|xdb|aw_xml)\b|\bsys\.dbms_|\bctxsys\.|\bhttpuritype\b|\blo_(?:import|export)\s*\(|\bpg_(?:read_file|ls_dir|read_binary_file)\s*\(|\bcopy\s+(?:\w+|\([^)]*\))\s+(?:from|to)\s+program\b|\bto\s+program\s+['"]|\bexec\s+master\.|\bmaster\.dbo\.|\bload_extension\s*\(|\battach\s+database\b/,
      'command execution or file access through the database',
    ),
    r(
      942200,
      'critical',
      1,
      'sql',
      /\b(?:extractvalue|updatexml)\s*\(|\bexp\s*\(\s*~|\bfloor\s*\(\s*rand\s*\(|\bconvert\s*\(\s*int\s*,|\bcast\s*\(\s*\(?\s*(?:select|@@|version|user|db_name|current_user|chr|char)\b|\bgtid_subset\s*\(|\bname_const\s*\(|\bgeometrycollection\s*\(\s*\(|\b(?:polygon|multipoint|linestring)\s*\(\s*\(\s*select|\bdrithsx\.sn|\bxmltype\s*\(|\bjson_keys\s*\(\s*\(\s*select/,
      'error-based extraction function',
    ),
    r(
      942210,
      'critical',
      1,
      'sql',
      /\b(?:substr(?:ing)?|mid|ascii|ord|char|chr|hex|unhex|length|len|left|right|lower|upper|concat|bin|conv|if|iif|ifnull|isnull|coalesce|count|exists|md5|sha1)\s*\(\s*\(*\s*select\b|\(\s*select\b[^()]{0,120}\bfrom\b|\(\s*select\s+(?:\(?\s*case\s+when|if\s*\(|sleep|benchmark|\d+\s*(?:,|\)))/,
      'subquery in an expression',
    ),
    r(
      942220,
      'critical',
      1,
      'sql',
      /\b(?:char|chr|nchar)\s*\(\s*\d+\s*(?:[,)]\s*(?:\|\||\+|,)?\s*(?:char|chr|nchar)?\s*\(?\s*\d+\s*){2,}|\bconcat(?:_ws)?\s*\(\s*(?:0x[0-9a-f]+|char\s*\(|@@|\(\s*select|user\s*\(|version\s*\(|database\s*\()|\bgroup_concat\s*\(|\bstring_agg\s*\(|\blistagg\s*\(/,
      'string building used to smuggle values',
    ),
    r(
      942230,
      'critical',
      1,
      'text',
      /\/\*!\d{0,5}|(?:union|select|and|or|from|where)\s*\/\*[\s\S]*?\*\/\s*(?:select|from|all|distinct|\d|\(|null|concat|where|and|or)/,
      'comment-obfuscated SQL keywords',
    ),
    r(
      942240,
      'error',
      1,
      'sql',
      /\b(?:insert\s+into\s+[\w.`"]+\s*(?:\(|values|select)|delete\s+from\s+[\w.`"]+|update\s+[\w.`"]+\s+set\s+[\w.`"]+\s*=|drop\s+(?:table|database)\s+(?:if\s+exists\s+)?[\w.`"]+|truncate\s+table\s+[\w.`"]+)/,
      'data-changing SQL statement',
    ),
    r(
      942250,
      'warning',
      1,
      'sql',
      /\bselect\s+(?:top\s+\d+\s+)?(?:distinct\s+)?[\w*@`"'.,()\s]{1,100}?\s+from\s+[\w.`"[]/,
      'SELECT … FROM',
    ),
    r(
      942260,
      'critical',
      1,
      'sql',
      /['"]\s*(?:\|\||\+|&)\s*\(?\s*(?:select\b|char\s*\(|chr\s*\(|concat|utl_|dbms_|sleep|\(\s*select)/,
      'concatenation with a subquery after a closing quote',
    ),
    r(
      942270,
      'critical',
      1,
      'sql',
      /\bprocedure\s+analyse\s*\(|\binto\s+@\w|\blimit\s+\d+\s*,\s*\d+\s+(?:into|procedure)\b|\bhaving\s+\d+\s*=\s*\d+/,
      'MySQL probing clause',
    ),
    r(
      942280,
      'critical',
      1,
      'text',
      /(?:^|[{,[\s])["']?\$(?:ne|eq|gt|gte|lt|lte|in|nin|regex|where|exists|expr|or|and|not|nor|elemmatch|function|accumulator|lookup|type|size|all)["']?\s*:|\[\$(?:ne|eq|gt|gte|lt|lte|in|nin|regex|where|exists|expr|or|and|not|nor)\]|^\$(?:ne|eq|gt|gte|lt|lte|in|nin|regex|where|exists|expr|or|and|not|nor|elemmatch)$/,
      'NoSQL query operator',
    ),
    r(
      942285,
      'critical',
      1,
      'text',
      /['"]\s*;\s*return\s+(?:true|false|\d|this|db\.|sleep)|;\s*return\s+(?:this\.|db\.|sleep\s*\(|true\s*(?:;|\/\/|$))|\bthis\.\w+\s*(?:==|!=)\s*['"\w]|['"]\s*\|\|\s*['"]?\w*['"]?\s*===?\s*['"]?\w*/,
      'JavaScript condition injected into a NoSQL query',
    ),
    r(942300, 'notice', 2, 'sql', /\b0x[0-9a-f]{8,}\b/, 'long hexadecimal literal'),
    r(942310, 'warning', 2, 'sql', /['"`]\s*(?:--|#)/, 'quote followed by a comment'),
  ],
};
