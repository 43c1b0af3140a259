/**
 * How CLI verbs reach a running engine: `--api URL --token T`, or `PETRI_API` / `PETRI_TOKEN`, or
 * the `serve.json` that `petri serve` writes into its data dir (readable only by the user) while
 * it runs.
 */
import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { PetriError } from '../errors.ts';
import { ApiClient } from './client.ts';

/** What `petri serve` publishes about itself. */
export interface ServeInfo {
  ui: string;
  api: string;
  token: string;
  gateway: string;
  pid: number;
}

/** The data dir from a flag, the environment or the default. */
export function dataDir(flag?: string): string {
  return resolve(flag ?? process.env.PETRI_DATA ?? join(homedir(), '.petri'));
}

/** Writes `serve.json` (mode 0600: it holds the token); returns a function that removes it. */
export function publishServeInfo(dir: string, info: ServeInfo): () => void {
  const file = join(dir, 'serve.json');
  writeFileSync(file, `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return () => rmSync(file, { force: true });
}

/** An API client for the engine the user means. */
export function remoteClient(flags: { api?: string; token?: string; data?: string }): ApiClient {
  const api = flags.api ?? process.env.PETRI_API;
  const token = flags.token ?? process.env.PETRI_TOKEN;
  if (api && token) return new ApiClient(api.replace(/\/api\/?$/, ''), token);
  const file = join(dataDir(flags.data), 'serve.json');
  let info: ServeInfo;
  try {
    info = JSON.parse(readFileSync(file, 'utf8')) as ServeInfo;
  } catch {
    throw new PetriError(
      `no running engine found (${file} is missing): start one with 'petri serve', or pass --api URL --token TOKEN (or set PETRI_API and PETRI_TOKEN)`,
      'no-engine',
    );
  }
  return new ApiClient(info.ui, info.token);
}
