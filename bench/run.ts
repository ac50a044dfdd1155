/**
 * `npm run bench [-- --only NAME]`: runs every suite in bench/suites/, prints a
 * table and writes bench/results.json ([{name, value, unit, baseline, ratio}]).
 * A suite module exports `suite: BenchSuite`.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type BenchCase, type BenchRow, formatTable, runCase } from './harness.ts';

export interface BenchSuite {
  name: string;
  /** Cases timed by the harness, or functions that measure and return their own rows. */
  cases: () => Promise<Array<BenchCase | (() => Promise<BenchRow | BenchRow[]>)>>;
}

const here = dirname(fileURLToPath(import.meta.url));
const onlyIdx = process.argv.indexOf('--only');
const only = onlyIdx >= 0 ? process.argv[onlyIdx + 1] : undefined;

const files = readdirSync(join(here, 'suites')).filter((f) => f.endsWith('.ts')).sort();
const rows: BenchRow[] = [];
for (const file of files) {
  const mod = (await import(pathToFileURL(join(here, 'suites', file)).href)) as { suite: BenchSuite };
  if (only && !mod.suite.name.includes(only)) continue;
  process.stderr.write(`bench: ${mod.suite.name}\n`);
  for (const c of await mod.suite.cases()) {
    if (typeof c === 'function') {
      const r = await c();
      rows.push(...(Array.isArray(r) ? r : [r]));
    } else {
      process.stderr.write(`  ${c.name} ...\n`);
      rows.push(await runCase(c));
    }
  }
}
console.log(formatTable(rows));
const out = join(here, 'results.json');
writeFileSync(out, JSON.stringify(rows.map(({ name, value, unit, baseline, ratio, min, max, note }) => ({ name, value, unit, baseline, ratio, min, max, note })), null, 2) + '\n');
process.stderr.write(`wrote ${out}\n`);
