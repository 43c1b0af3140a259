import { randomBytes } from 'node:crypto';

/**
 * The control API's bearer token, new for each start. Hex, not base64url: a base64url token
 * begins with `-` one time in 64, and `petri … --token -Xy…` is then read as an option by every
 * argument parser (CI caught it). Hex is also safe in the URL fragment and in a shell unquoted.
 */
export function newApiToken(): string {
  return randomBytes(24).toString('hex');
}
