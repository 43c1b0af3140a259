import { streamUrlOf } from '../../../engine/api/client.ts';
import { openEarly } from './early.ts';
import { takeToken } from './token.ts';

/**
 * Opens the engine stream for this page's token (from the URL fragment or the tab's storage) as
 * early as possible, without the app's code. Called by the boot script inlined in index.html and
 * again by the entry script, which finds the socket already open (or opens it, if the boot
 * script did not run). Never throws: without a token or storage the app says what is wrong.
 */
export function openBootStream(): void {
  try {
    const { token } = takeToken(location.hash, window.sessionStorage);
    if (token) openEarly(streamUrlOf(location.origin, token));
  } catch {
    // the app's stream opens its own socket
  }
}
