import type { Command } from 'commander';
import { CalibrationStore, DEFAULT_STORE_DIR } from '../../../calibration/store.ts';
import { withFlag } from '../args.ts';

/** `holoring calibrations`: list the stored records, show one, make one active. */
export function registerCalibrations(program: Command): void {
  const cmd = program.command('calibrations').description('list, show and activate calibration records');
  const storeOpt = (c: Command): Command => c.option('--store <dir>', 'calibration record store', process.env.HOLORING_CALIBRATION_DIR ?? DEFAULT_STORE_DIR);
  storeOpt(cmd.command('list', { isDefault: true }).description('list the records, oldest first (* = active, ! = unreadable, with its error)'))
    .option('--json', 'one JSON array on stdout')
    .action((o: { store: string; json?: boolean }) => {
      const list = new CalibrationStore(o.store).list();
      const bad = list.filter((r) => r.error).length;
      if (o.json) process.stdout.write(JSON.stringify(list) + '\n');
      else if (list.length === 0) process.stdout.write(`no calibration records in ${o.store}\n`);
      else {
        process.stdout.write(list.map((r) => r.error
          ? `! ${r.version}  unreadable: ${r.error.code}: ${r.error.message}`
          : `${r.active ? '*' : ' '} ${r.version}  ${r.createdAt}  ${r.device}${r.note ? `  ${r.note}` : ''}`).join('\n') + '\n');
      }
      if (bad > 0 && !o.json) process.stderr.write(`${bad} record file(s) in ${o.store} cannot be used (marked !); the others are listed\n`);
    });
  storeOpt(cmd.command('show <version>').description('print a record (validated against its schema and version)'))
    .action((version: string, o: { store: string }) => {
      process.stdout.write(JSON.stringify(withFlag('VERSION', () => new CalibrationStore(o.store).load(version)), null, 2) + '\n');
    });
  storeOpt(cmd.command('activate <version>').description('make a stored record the active one'))
    .action((version: string, o: { store: string }) => {
      withFlag('VERSION', () => new CalibrationStore(o.store).activate(version));
      process.stdout.write(`active calibration: ${version}\n`);
    });
}
