import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FALLBACK_CSP, WEB_PREFERENCES, navigationDecision, windowOptions, withCsp } from './policy.ts';

const APP = 'http://127.0.0.1:4710';

describe('window policy', () => {
  it('locks the renderer down explicitly', () => {
    const o = windowOptions(true);
    assert.equal(o.webPreferences.contextIsolation, true);
    assert.equal(o.webPreferences.sandbox, true);
    assert.equal(o.webPreferences.nodeIntegration, false);
    assert.equal(o.webPreferences.webviewTag, false);
    assert.equal(o.show, false, 'shown on ready-to-show, without a white flash');
    assert.ok(Object.isFrozen(WEB_PREFERENCES));
    assert.ok(!('preload' in o.webPreferences), 'no preload: the page needs nothing from Electron');
  });

  it('keeps navigation on the engine origin and sends only http(s) outside', () => {
    assert.equal(navigationDecision(`${APP}/#/timeline`, APP), 'allow');
    assert.equal(navigationDecision('http://127.0.0.1:4711/products', APP), 'external', 'another port is another origin');
    assert.equal(navigationDecision('https://petri.dev/docs', APP), 'external');
    assert.equal(navigationDecision('file:///etc/passwd', APP), 'deny');
    assert.equal(navigationDecision('javascript:alert(1)', APP), 'deny');
    assert.equal(navigationDecision('not a url', APP), 'deny');
  });

  it('adds the CSP only where a response has none', () => {
    assert.deepEqual(withCsp({ 'content-type': ['text/html'] })['Content-Security-Policy'], [FALLBACK_CSP]);
    const own = { 'content-security-policy': ["default-src 'none'"] };
    assert.equal(withCsp(own), own);
    assert.match(FALLBACK_CSP, /^default-src 'none';/);
  });
});
