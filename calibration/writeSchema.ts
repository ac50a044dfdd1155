/**
 * Regenerates calibration/record.schema.json from the zod schema:
 *   node bin/run-ts.mjs calibration/writeSchema.ts
 * (tests/calibration/record.test.ts fails while the two differ).
 */
import { writeFileSync } from 'node:fs';
import { recordJsonSchema } from './record.ts';

writeFileSync(new URL('./record.schema.json', import.meta.url), JSON.stringify(recordJsonSchema(), null, 2) + '\n');
