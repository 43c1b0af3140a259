/**
 * How the tests and benches launch the system Chromium (Debian's `chromium`, or PETRI_CHROMIUM):
 * never a downloaded browser, flags that work on offline, sandboxed CI machines.
 */

export const CHROMIUM_PATH = process.env.PETRI_CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // Full Chromium in headless mode builds its omnibox popup (a WebUI page with its own renderer)
  // while our page loads: on two cores that took ~1.2 s of CPU and delayed our first render by
  // ~300 ms. Playwright's usual headless shell has no omnibox; this makes the system browser alike.
  '--disable-features=WebUIOmniboxPopup,WebUIOmniboxFullPopup,WebUIOmniboxAimPopup',
];
