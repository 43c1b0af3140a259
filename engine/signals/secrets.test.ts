import { test } from 'node:test';
import assert from 'node:assert/strict';
import { maskValue, SECRET_MASK, SecretRedactor } from './secrets.ts';

test('secret values are masked by key, null stays null', () => {
  assert.equal(maskValue({ secret: true }, 'hunter2'), SECRET_MASK);
  assert.equal(maskValue({ secret: true }, null), null);
  assert.equal(maskValue({ secret: false }, 'x'), 'x');
});

test('the redactor masks remembered secrets in text and nested data, escaped forms included', () => {
  const r = new SecretRedactor();
  const data = { a: 'token=abcd1234', b: [{ c: 'abcd1234' }], n: 5 };
  assert.equal(r.value(data), data, 'nothing to mask: same object');
  r.add('abcd1234');
  r.add('abcd1234-longer');
  r.add('say "hi"\\now');
  r.add('ab'); // too short to search for
  r.add(true);
  assert.equal(r.size, 4, 'two secrets, one with a distinct JSON-escaped form, plus its escape');
  assert.equal(r.text('x abcd1234-longer y abcd1234 ab'), `x ${SECRET_MASK} y ${SECRET_MASK} ab`);
  assert.deepEqual(r.value(data), { a: `token=${SECRET_MASK}`, b: [{ c: SECRET_MASK }], n: 5 });
  assert.deepEqual(r.value({ m: 'x say "hi"\\now' }), { m: `x ${SECRET_MASK}` });
  assert.equal(r.text(JSON.stringify({ m: 'say "hi"\\now' })), `{"m":"${SECRET_MASK}"}`);
  assert.equal(r.text('a.b*c'), 'a.b*c', 'regular expression characters are literal');
});
