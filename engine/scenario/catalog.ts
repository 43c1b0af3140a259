/** The scenario fixtures a running engine offers to play: `fixtures/scenarios/*.yaml`. */
import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { errorMessage, isNamedError } from '../errors.ts';
import type { LoadedOrganism } from '../organism/index.ts';
import { rootPath } from '../util/paths.ts';
import { parseScenario } from './load.ts';

/** Where the workshop's scenarios live. */
export const SCENARIOS_DIR = rootPath('fixtures', 'scenarios');

/** One listed scenario file. */
export interface CatalogEntry {
  name: string;
  file: string;
  description?: string;
  durationMs: number | null;
  organism: string | null;
  fits: boolean;
  error?: string;
}

/** The first paragraph of a file's leading `#` comment (schema hints skipped). */
export function leadingComment(text: string): string | undefined {
  const lines: string[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('#')) break;
    const body = line.replace(/^#\s?/, '');
    if (body.startsWith('yaml-language-server:')) continue;
    if (body.trim() === '') {
      if (lines.length) break;
      continue;
    }
    lines.push(body.trim());
  }
  return lines.length ? lines.join(' ') : undefined;
}

/** Lists the scenario files in `dir`, each checked against the engine's organism. */
export async function listScenarios(organism: LoadedOrganism, dir = SCENARIOS_DIR): Promise<CatalogEntry[]> {
  const files = (await readdir(dir)).filter((f) => /\.ya?ml$/.test(f)).sort();
  return Promise.all(
    files.map(async (file): Promise<CatalogEntry> => {
      const path = join(dir, file);
      const text = await readFile(path, 'utf8');
      const comment = leadingComment(text);
      try {
        const plan = await parseScenario(text, path);
        const description = plan.description ?? comment;
        return {
          name: plan.name,
          file,
          ...(description ? { description } : {}),
          durationMs: plan.durationMs,
          organism: plan.organism.spec.name,
          fits: plan.organism.hash === organism.hash,
        };
      } catch (err) {
        if (!isNamedError(err, 'ValidationError')) throw err;
        return {
          name: basename(file).replace(/\.ya?ml$/, ''),
          file,
          ...(comment ? { description: comment } : {}),
          durationMs: null,
          organism: null,
          fits: false,
          error: errorMessage(err),
        };
      }
    }),
  );
}
