import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { documentJsonSchemas } from '../../src/storage/documents.ts';

const SCHEMAS = new URL('../../docs/schemas/', import.meta.url);

describe('document JSON Schemas (docs/schemas)', () => {
  it('are the ones generated from the zod schemas (regenerate: node bin/run-ts.mjs src/storage/writeSchemas.ts)', () => {
    const generated = documentJsonSchemas();
    expect(readdirSync(SCHEMAS).filter((n) => n.endsWith('.json')).sort()).toEqual(Object.keys(generated).map((t) => `${t}.json`).sort());
    for (const [type, schema] of Object.entries(generated)) {
      expect(JSON.parse(readFileSync(new URL(`${type}.json`, SCHEMAS), 'utf8')), type).toEqual(schema);
    }
  });
});
