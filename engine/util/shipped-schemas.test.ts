import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SHIPPED_SCHEMAS, schemaText } from './shipped-schemas.ts';

for (const [name, schema] of Object.entries(SHIPPED_SCHEMAS)) {
  test(`schemas/${name}.schema.json matches the schema the engine validates with`, () => {
    const file = join(import.meta.dirname, '..', '..', 'schemas', `${name}.schema.json`);
    // Compared as data: the file is prettier-formatted, schemaText is plain JSON.stringify.
    assert.deepEqual(
      JSON.parse(readFileSync(file, 'utf8')),
      JSON.parse(schemaText(schema)),
      'run: node --import tsx scripts/gen-schemas.ts',
    );
  });
}
