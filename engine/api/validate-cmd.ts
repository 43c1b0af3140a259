/** `petri validate FILE...`: checks organisms (and scenarios, once they exist) without starting anything. */
import { readFile } from 'node:fs/promises';
import { formatIssue, isNamedError, type Issue, type ValidationError } from '../errors.ts';
import { parseOrganism } from '../organism/index.ts';
import { parseScenario } from '../scenario/index.ts';

/** A validator for one document kind (`Organism`, `Scenario`…), keyed by its `kind:`. */
export type KindValidator = (text: string, file: string) => Promise<unknown> | unknown;

const validators = new Map<string, KindValidator>([
  ['Organism', (text, file) => parseOrganism(text, file)],
  ['Scenario', (text, file) => parseScenario(text, file)],
]);

/** Lets later domains (scenarios) plug their validator in. */
export function registerKind(kind: string, validator: KindValidator): void {
  validators.set(kind, validator);
}

function kindOf(text: string): string | undefined {
  return /^kind:\s*["']?(\w+)/m.exec(text)?.[1];
}

/** Validates each file; prints `file: ok` or its issues. Exit 2 when any file is invalid. */
export async function validateFiles(files: string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  if (files.length === 0) {
    err.write('petri validate: give one or more files\n');
    return 2;
  }
  let bad = 0;
  for (const file of files) {
    const issues = await validateOne(file);
    if (issues.length === 0) out.write(`${file}: ok\n`);
    else {
      bad++;
      for (const i of issues) err.write(`${formatIssue(i)}\n`);
    }
  }
  return bad ? 2 : 0;
}

async function validateOne(file: string): Promise<Issue[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    return [{ file, line: 1, col: 1, path: '', message: `cannot read file: ${(e as Error).message}` }];
  }
  const kind = kindOf(text);
  const validator = kind ? validators.get(kind) : undefined;
  if (!validator) {
    const known = [...validators.keys()].join(', ');
    return [
      {
        file,
        line: 1,
        col: 1,
        path: 'kind',
        message: `unknown or missing kind ${kind ? `'${kind}'` : ''}; expected one of: ${known}`,
      },
    ];
  }
  try {
    await validator(text, file);
    return [];
  } catch (e) {
    if (isNamedError(e, 'ValidationError')) return (e as ValidationError).issues;
    throw e;
  }
}
