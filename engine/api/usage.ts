/** Command-line usage errors: printed with a hint, exit code 2. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { errorMessage } from '../errors.ts';

/** A usage mistake (unknown flag, bad value, missing argument). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** `parseArgs` that reports mistakes as {@link UsageError}. */
export function parseFlags<O extends NonNullable<ParseArgsConfig['options']>>(
  args: string[],
  options: O,
  positionals = false,
): ReturnType<typeof parseArgs<{ args: string[]; options: O; allowPositionals: boolean; strict: true }>> {
  try {
    return parseArgs({ args, options, allowPositionals: positionals, strict: true });
  } catch (err) {
    throw new UsageError(errorMessage(err));
  }
}
