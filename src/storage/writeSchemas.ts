/**
 * Writes docs/schemas/<type>.json from the zod schemas of the run documents:
 *     node bin/run-ts.mjs src/storage/writeSchemas.ts
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { documentJsonSchemas } from './documents.ts';

const dir = new URL('../../docs/schemas/', import.meta.url);
mkdirSync(dir, { recursive: true });
for (const [type, schema] of Object.entries(documentJsonSchemas())) {
  writeFileSync(new URL(`${type}.json`, dir), JSON.stringify(schema, null, 2) + '\n');
}
