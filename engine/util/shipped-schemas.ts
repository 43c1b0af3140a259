/** The JSON Schemas shipped in `schemas/` for editors (YAML language servers complete from them). */
import type { TSchema } from '@sinclair/typebox';
import { Manifest } from '../organism/schema.ts';
import { Scenario } from '../scenario/schema.ts';

/** Name → schema of every shipped schema file. */
export const SHIPPED_SCHEMAS: Record<string, TSchema> = { organism: Manifest, scenario: Scenario };

/** The file text of a shipped schema (draft-07, stable formatting). */
export function schemaText(schema: TSchema): string {
  return `${JSON.stringify({ $schema: 'http://json-schema.org/draft-07/schema#', ...schema }, null, 2)}\n`;
}
