/**
 * The desktop window's security policy as plain data and functions (no 'electron' import, so it
 * is unit-tested under Node): locked-down web preferences, which navigations stay in the app,
 * which links open in the system browser, and a fallback Content Security Policy.
 */

/** BrowserWindow web preferences: the renderer is an ordinary, untrusted web page. */
export const WEB_PREFERENCES = Object.freeze({
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  webviewTag: false,
  experimentalFeatures: false,
  navigateOnDragDrop: false,
  spellcheck: false,
});

/** Options of the main window (Electron's BrowserWindowConstructorOptions, minus types). */
export function windowOptions(dark: boolean): {
  width: number;
  height: number;
  minWidth: number;
  minHeight: number;
  title: string;
  show: boolean;
  backgroundColor: string;
  webPreferences: typeof WEB_PREFERENCES;
} {
  return {
    width: 1440,
    height: 900,
    minWidth: 960,
    minHeight: 600,
    title: 'Petri',
    show: false,
    // The UI's own background, so the window does not flash white before the first paint.
    backgroundColor: dark ? '#0a0f0d' : '#f4f6f2',
    webPreferences: WEB_PREFERENCES,
  };
}

/** Whether a navigation stays inside the app (the engine's UI origin, nothing else). */
export function isAppUrl(url: string, appOrigin: string): boolean {
  try {
    return new URL(url).origin === new URL(appOrigin).origin;
  } catch {
    return false;
  }
}

/** Whether a link may be handed to the system browser: http(s) only, never file:, javascript: … */
export function isExternalLink(url: string): boolean {
  try {
    const { protocol } = new URL(url);
    return protocol === 'https:' || protocol === 'http:';
  } catch {
    return false;
  }
}

/** What to do with a navigation or a window.open: stay, open outside, or refuse. */
export function navigationDecision(url: string, appOrigin: string): 'allow' | 'external' | 'deny' {
  if (isAppUrl(url, appOrigin)) return 'allow';
  return isExternalLink(url) ? 'external' : 'deny';
}

/**
 * The CSP the window enforces when a response carries none (the engine sends the same one; this
 * is the belt to its braces): nothing but the engine's own origin, no inline scripts.
 */
export const FALLBACK_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** Response headers with a CSP added when missing (header names are case-insensitive). */
export function withCsp(headers: Record<string, string[]>): Record<string, string[]> {
  const has = Object.keys(headers).some((k) => k.toLowerCase() === 'content-security-policy');
  return has ? headers : { ...headers, 'Content-Security-Policy': [FALLBACK_CSP] };
}
