/**
 * Decoding and normalisation of inspected values. Attackers hide payloads behind encodings the
 * application will undo (double URL-encoding, overlong UTF-8, `%u` escapes, HTML entities,
 * fullwidth characters, SQL comments, shell quoting); the WAF undoes them first so one rule
 * covers every disguise. Each helper has a fast path for input that needs no work, because most
 * values need none.
 */
/* eslint-disable no-control-regex -- a WAF matches NUL and control characters on purpose */

/** Decoding stops after this many layers: enough for triple encoding plus the layer we add. */
const MAX_LAYERS = 4;

function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const l = c | 0x20;
  return l >= 97 && l <= 102 ? l - 87 : -1;
}

/** The value of `n` hex digits at `i`, or -1. */
function hexAt(s: string, i: number, n: number): number {
  if (i + n > s.length) return -1;
  let v = 0;
  for (let k = i; k < i + n; k++) {
    const d = hexDigit(s.charCodeAt(k));
    if (d < 0) return -1;
    v = v * 16 + d;
  }
  return v;
}

function pushUtf8(bytes: number[], cp: number): void {
  if (cp < 0x80) bytes.push(cp);
  else if (cp < 0x800) bytes.push(0xc0 | (cp >> 6), 0x80 | (cp & 63));
  else if (cp < 0x10000) bytes.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
  else bytes.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
}

const cont = (b: number | undefined): boolean => b !== undefined && (b & 0xc0) === 0x80;

/**
 * Rewrites overlong UTF-8 sequences (`C0 AE` for `.`, `E0 80 AF` for `/`) as the short form a
 * lenient decoder would produce, so `..%c0%af` is seen as `../`. Strict decoders reject them, but
 * the WAF cannot know which decoder sits behind it.
 */
export function fixOverlong(bytes: number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if ((b === 0xc0 || b === 0xc1) && cont(bytes[i + 1])) {
      pushUtf8(out, ((b & 0x1f) << 6) | (bytes[i + 1]! & 0x3f));
      i += 1;
    } else if (b === 0xe0 && cont(bytes[i + 1]) && bytes[i + 1]! < 0xa0 && cont(bytes[i + 2])) {
      pushUtf8(out, ((bytes[i + 1]! & 0x3f) << 6) | (bytes[i + 2]! & 0x3f));
      i += 2;
    } else if (b === 0xf0 && cont(bytes[i + 1]) && bytes[i + 1]! < 0x90 && cont(bytes[i + 2]) && cont(bytes[i + 3])) {
      pushUtf8(out, ((bytes[i + 1]! & 0x3f) << 12) | ((bytes[i + 2]! & 0x3f) << 6) | (bytes[i + 3]! & 0x3f));
      i += 3;
    } else out.push(b);
  }
  return out;
}

/**
 * One layer of percent-decoding: `%XX`, IIS-style `%uXXXX`, and `+` as a space when `plus`.
 * Invalid escapes stay as they are. Bytes are decoded as UTF-8 after overlong forms are folded.
 */
export function percentDecodeOnce(s: string, plus = false): string {
  if (s.indexOf('%') === -1 && (!plus || s.indexOf('+') === -1)) return s;
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 37 /* % */) {
      const b = hexAt(s, i + 1, 2);
      if (b >= 0) {
        bytes.push(b);
        i += 2;
        continue;
      }
      if ((s[i + 1] === 'u' || s[i + 1] === 'U') && hexAt(s, i + 2, 4) >= 0) {
        pushUtf8(bytes, hexAt(s, i + 2, 4));
        i += 5;
        continue;
      }
      bytes.push(37);
    } else if (c === 43 /* + */ && plus) bytes.push(32);
    else if (c < 0x80) bytes.push(c);
    else {
      const cp = s.codePointAt(i)!;
      pushUtf8(bytes, cp);
      if (cp > 0xffff) i++;
    }
  }
  return Buffer.from(fixOverlong(bytes)).toString('utf8');
}

/** Percent-decodes until nothing changes (at most {@link MAX_LAYERS} layers). */
export function urlDecode(s: string, plus = false): string {
  // `+` means a space only in the form-encoding layer the client applied; a `+` revealed by a
  // deeper layer was sent as `%2B` and is a literal plus.
  let cur = percentDecodeOnce(s, plus);
  for (let layer = 1; layer < MAX_LAYERS && cur.indexOf('%') !== -1; layer++) {
    const next = percentDecodeOnce(cur);
    if (next === cur) break;
    cur = next;
  }
  return cur;
}

const NAMED: Record<string, string> = {
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  amp: '&',
  nbsp: ' ',
  tab: '\t',
  newline: '\n',
  colon: ':',
  semi: ';',
  comma: ',',
  period: '.',
  sol: '/',
  bsol: '\\',
  lpar: '(',
  rpar: ')',
  lsqb: '[',
  rsqb: ']',
  lbrack: '[',
  rbrack: ']',
  lcub: '{',
  rcub: '}',
  equals: '=',
  grave: '`',
  excl: '!',
  quest: '?',
  num: '#',
  dollar: '$',
  percnt: '%',
  plus: '+',
  ast: '*',
  vert: '|',
  hat: '^',
  lowbar: '_',
};

const ENTITY = /&(?:#x([0-9a-f]{1,6})|#(\d{1,7})|([a-z]{2,8}));?/gi;

/**
 * Decodes HTML character references, named and numeric, with or without the closing `;` and
 * with leading zeros (browsers accept `&#0000060` as `<`). Unknown names stay as they are.
 */
export function htmlDecode(s: string): string {
  if (s.indexOf('&') === -1) return s;
  return s.replace(ENTITY, (whole, hex: string | undefined, dec: string | undefined, name: string | undefined) => {
    if (hex !== undefined || dec !== undefined) {
      const cp = hex !== undefined ? parseInt(hex, 16) : Number(dec);
      return cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : whole;
    }
    const ch = NAMED[name!.toLowerCase()];
    // Named references need their `;` unless they are the classic ones browsers accept bare.
    return ch !== undefined && (whole.endsWith(';') || /^(?:lt|gt|amp|quot)$/i.test(name!)) ? ch : whole;
  });
}

const JS_ESCAPE = /\\(?:x([0-9a-f]{2})|u([0-9a-f]{4})|u\{([0-9a-f]{1,6})\})/gi;

/** Decodes JavaScript string escapes (`\x3c`, `\u003c`, `\u{3c}`), used to hide markup and code. */
export function jsDecode(s: string): string {
  if (s.indexOf('\\') === -1) return s;
  return s.replace(JS_ESCAPE, (whole, x: string | undefined, u: string | undefined, b: string | undefined) => {
    const cp = parseInt(x ?? u ?? b!, 16);
    return cp <= 0x10ffff ? String.fromCodePoint(cp) : whole;
  });
}

const NON_ASCII = /[^\x00-\x7f]/;

/**
 * The `text` view: URL layers, then HTML entities and JS escapes (which may reveal more percent
 * escapes), NFKC folding of fullwidth and compatibility characters (`＜` is `<`), lower case.
 */
export function normalize(raw: string, plus = false): string {
  let s = urlDecode(raw, plus);
  if (s.indexOf('&') !== -1 || s.indexOf('\\') !== -1) {
    const h = jsDecode(htmlDecode(s));
    if (h !== s) s = h.indexOf('%') === -1 ? h : urlDecode(h);
  }
  if (NON_ASCII.test(s)) s = s.normalize('NFKC');
  return s.toLowerCase();
}

/**
 * The `sql` view: MySQL versioned comments keep their content (`/*!50000union*\/`), other block
 * comments and `#`/`--` line comments become a space, whitespace runs (tabs, newlines, vertical
 * tab, NBSP) become one space. Trailing comments stay: they are evidence themselves.
 */
export function sqlView(text: string): string {
  let s = text;
  if (s.indexOf('/*') !== -1)
    s = s
      .replace(/\/\*!\d*/g, ' ')
      .replace(/\/\*[\s\S]*?\*\//g, ' ')
      .replace(/\*\//g, ' ');
  if (s.indexOf('\n') !== -1 && (s.indexOf('#') !== -1 || s.indexOf('--') !== -1)) s = s.replace(/(?:#|--)[^\n]*\n/g, ' ');
  return s.replace(/[\s\u00a0\u000b]+/g, ' ');
}

/**
 * The `cmd` view: shell evasions folded away. `c'a't`, `c"a"t`, `c\at` and `w^h^o^a^m^i` become
 * plain words, `$IFS`/`${IFS}` become spaces, empty expansions (`$@`, `$()`) vanish and
 * brace expansion `{cat,/etc/passwd}` becomes `cat /etc/passwd`.
 */
export function cmdView(text: string): string {
  let s = text;
  if (s.indexOf('$') !== -1) s = s.replace(/\$\{ifs\}|\$ifs(?:\$\d)?/g, ' ').replace(/\$[@*]|\$\(\)|\$\{\}/g, '');
  if (s.indexOf('{') !== -1) s = s.replace(/\{([\w/.~-]+),([^{}\s]+)\}/g, '$1 $2');
  s = s.replace(/['"^]|\\(?=[\w/.-])/g, '');
  // Newlines separate commands like `;` does, so they survive the whitespace folding.
  return s.replace(/\r\n?/g, '\n').replace(/[ \t\f\u00a0\u000b]+/g, ' ');
}

/** The `compact` view: no whitespace or control characters (`java\tscript:` is `javascript:`). */
export function compactView(text: string): string {
  return text.replace(/[\s\x00-\x1f\x7f\u00a0]+/g, '');
}

/** The `path` view: backslashes as slashes, repeated slashes folded. */
export function pathView(text: string): string {
  let s = text;
  // Division slash, set minus and their kin act as separators in some path normalisers.
  if (NON_ASCII.test(s)) s = s.replace(/[\u2215\u2044]/g, '/').replace(/[\u2216\ufe68]/g, '\\');
  if (s.indexOf('\\') !== -1) s = s.replace(/\\/g, '/');
  if (s.indexOf('//') !== -1) s = s.replace(/\/{2,}/g, '/');
  return s;
}
