import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { cspForHtml, UI_CSP } from './server.ts';

const sha = (text: string): string => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

test('an HTML page gets the hash of each inline script in its CSP, and nothing else changes', () => {
  const boot = '(()=>{globalThis.x=`a</b>`})();';
  const html = `<head><script>${boot}</script><script type="module" crossorigin src="./assets/index.js"></script></head>`;
  const csp = cspForHtml(html);
  assert.equal(csp, UI_CSP.replace("script-src 'self'", `script-src 'self' ${sha(boot)}`));
  const scriptSrc = csp.split(';').find((d) => d.trim().startsWith('script-src'))!;
  assert.ok(!scriptSrc.includes('unsafe-inline'), scriptSrc);
});

test('a page without inline scripts keeps the plain CSP; a changed script gets another hash', () => {
  assert.equal(cspForHtml('<script type="module" src="./a.js"></script>'), UI_CSP);
  assert.notEqual(cspForHtml('<script>a()</script>'), cspForHtml('<script>b()</script>'));
});
