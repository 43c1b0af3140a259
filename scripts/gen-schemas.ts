// Writes the JSON Schemas that ship for editors (schemas/*.schema.json) from the TypeBox
// definitions the engine validates with. A unit test fails when they drift apart.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { format, resolveConfig } from 'prettier';
import { SHIPPED_SCHEMAS, schemaText } from '../engine/util/shipped-schemas.ts';

for (const [name, schema] of Object.entries(SHIPPED_SCHEMAS)) {
  const file = join(import.meta.dirname, '..', 'schemas', `${name}.schema.json`);
  // Formatted the way `prettier --check` (npm test) expects; the drift test compares parsed JSON.
  writeFileSync(file, await format(schemaText(schema), { ...(await resolveConfig(file)), filepath: file }));
  console.log(`wrote ${file}`);
}
