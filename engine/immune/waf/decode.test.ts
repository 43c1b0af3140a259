import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  cmdView,
  compactView,
  htmlDecode,
  jsDecode,
  normalize,
  pathView,
  percentDecodeOnce,
  sqlView,
  urlDecode,
} from './decode.ts';

describe('percentDecodeOnce', () => {
  it('decodes %XX, IIS %uXXXX and + (only when asked)', () => {
    assert.equal(percentDecodeOnce('%27%20or%201%3D1'), "' or 1=1");
    assert.equal(percentDecodeOnce('%u0027%u003c'), "'<");
    assert.equal(percentDecodeOnce('a+b', true), 'a b');
    assert.equal(percentDecodeOnce('a+b', false), 'a+b');
  });
  it('leaves invalid escapes alone and decodes UTF-8', () => {
    assert.equal(percentDecodeOnce('100%zz%'), '100%zz%');
    assert.equal(percentDecodeOnce('caf%C3%A9'), 'café');
    assert.equal(percentDecodeOnce('%EF%BC%9C'), '＜');
  });
  it('folds overlong UTF-8 forms to the character a lenient decoder sees', () => {
    assert.equal(percentDecodeOnce('..%c0%af..%c0%afetc'), '../../etc');
    assert.equal(percentDecodeOnce('%c0%ae%c0%ae%c1%9c'), '..\\');
    assert.equal(percentDecodeOnce('%e0%80%ae%e0%80%af'), './');
    assert.equal(percentDecodeOnce('%f0%80%80%af'), '/');
  });
});

describe('urlDecode', () => {
  it('peels double and triple encoding', () => {
    assert.equal(urlDecode('%2527'), "'");
    assert.equal(urlDecode('%252527'), "'");
    assert.equal(urlDecode('%25%32%37'), "'");
  });
  it('treats + as a space only in the first (form) layer', () => {
    assert.equal(urlDecode('1%2B1', true), '1+1');
    assert.equal(urlDecode('a+b%2Bc', true), 'a b+c');
  });
  it('stops on input that does not change', () => {
    assert.equal(urlDecode('50% off'), '50% off');
  });
});

describe('htmlDecode and jsDecode', () => {
  it('decodes named, decimal, hex and zero-padded references', () => {
    assert.equal(htmlDecode('&lt;script&gt;'), '<script>');
    assert.equal(htmlDecode('&#60;&#x3C;&#0000060&#x3c'), '<<<<');
    assert.equal(htmlDecode('java&Tab;script&colon;'), 'java\tscript:');
  });
  it('keeps text that only looks like a reference', () => {
    assert.equal(htmlDecode('AT&T & P&G'), 'AT&T & P&G');
    assert.equal(htmlDecode('&colon without semicolon'), '&colon without semicolon');
    assert.equal(htmlDecode('&amp;lt;'), '&lt;', 'one layer at a time');
  });
  it('decodes JavaScript escapes', () => {
    assert.equal(jsDecode('\\x3cimg\\u003e\\u{2f}'), '<img>/');
    assert.equal(jsDecode('C:\\Users\\me'), 'C:\\Users\\me');
  });
});

describe('normalize (the text view)', () => {
  it('combines URL layers, entities, escapes, NFKC folding and lower case', () => {
    assert.equal(normalize('%3CScRiPt%3E'), '<script>');
    assert.equal(normalize('＜ｓｃｒｉｐｔ＞'), '<script>');
    assert.equal(normalize('&#x25;27'), "'", 'an entity hiding a percent escape');
    assert.equal(normalize('O%27Brien+%26+Sons', true), "o'brien & sons");
    assert.equal(normalize('①②⑦.⓪.⓪.①'), '127.0.0.1');
  });
});

describe('views', () => {
  it('sqlView folds comments and whitespace but keeps versioned-comment content', () => {
    assert.equal(sqlView('union/**/select'), 'union select');
    assert.equal(sqlView('/*!50000union*/ /*!50000select*/ 1'), ' union select 1');
    assert.equal(sqlView('union#x\nselect\t1'), 'union select 1');
    assert.equal(sqlView("admin'--"), "admin'--", 'a trailing comment is evidence, not noise');
  });
  it('cmdView folds shell quoting tricks', () => {
    assert.equal(cmdView('c\'a\'t /e"t"c/pa\\sswd'), 'cat /etc/passwd');
    assert.equal(cmdView('cat${ifs}/etc/passwd'), 'cat /etc/passwd');
    assert.equal(cmdView('{cat,/etc/passwd}'), 'cat /etc/passwd');
    assert.equal(cmdView('w^h^o^a^m^i'), 'whoami');
    assert.equal(cmdView('a\r\nid'), 'a\nid', 'newlines separate commands');
  });
  it('compactView drops whitespace and control characters', () => {
    assert.equal(compactView('java\tscript\n:\u0000alert(1)'), 'javascript:alert(1)');
  });
  it('pathView turns backslashes and look-alike slashes into one slash', () => {
    assert.equal(pathView('..\\..\\\\windows'), '../../windows');
    assert.equal(pathView('..\u2215etc\u2215passwd'), '../etc/passwd');
  });
});
