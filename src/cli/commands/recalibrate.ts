import { existsSync, readFileSync } from 'node:fs';
import { from } from 'rxjs';
import type { Command } from 'commander';
import { framesFromCapture } from '../../../calibration/captureFrames.ts';
import { readFramesFile } from '../../io/framesFile.ts';
import { CalibrationErrorCodes } from '../../../calibration/errors.ts';
import { recalibrate } from '../../../calibration/recalibrate.ts';
import { parseRecordText } from '../../../calibration/record.ts';
import { CalibrationStore, DEFAULT_STORE_DIR } from '../../../calibration/store.ts';
import type { CalibrationRecord } from '../../contracts/calibration.ts';
import { ErrorCodes, HoloringError } from '../../errors.ts';
import { formatResponseTable } from '../../io/responseTable.ts';
import { checkOutput, numberArg, withFlag, writeOutput } from '../args.ts';

interface RecalibrateOptions {
  frames?: string; capture?: string; record?: string; store: string; kmax: number; gamma: number; minFrames: number; out: string; json?: boolean; quiet?: boolean;
}

/** A record by version id (from the store) or by file path. */
export function resolveRecord(spec: string | undefined, store: CalibrationStore): CalibrationRecord {
  if (!spec) {
    try {
      return store.active();
    } catch (e) {
      if (e instanceof HoloringError && e.code === CalibrationErrorCodes.RECORD_NOT_FOUND) {
        throw new HoloringError(e.code, `${e.message}; or name a record with --record VERSION|FILE, or the store with --store DIR`, e.context);
      }
      throw e;
    }
  }
  if (/^cal-[0-9a-f]{16}$/.test(spec) && !existsSync(spec)) return store.load(spec);
  let text: string;
  try {
    text = readFileSync(spec, 'utf8');
  } catch (e) {
    throw new HoloringError(ErrorCodes.ARG_INVALID, `--record: "${spec}" is neither a stored version id nor a readable file (${(e as Error).message})`, { flag: '--record' });
  }
  return parseRecordText(text, spec);
}

export function registerRecalibrate(program: Command): void {
  program
    .command('recalibrate')
    .description('re-calibrate recorded raw frames with a calibration record and write the response table χ(ω + iγ, k)')
    .option('--frames <file>', 'raw frames (JSON Lines, from holoring calibrate --save-frames)')
    .option('--capture <file>', 'a capture of a serial session (from --capture of probe/calibrate)')
    .option('--record <version|file>', 'record to apply: a version id in the store or a record JSON file (default: the active record)')
    .option('--store <dir>', 'calibration record store', process.env.HOLORING_CALIBRATION_DIR ?? DEFAULT_STORE_DIR)
    .option('--kmax <k>', 'largest k of the table', numberArg('--kmax', { integer: true, min: 0, max: 255 }), 12)
    .option('--gamma <γ>', 'material damping γ written to the table (Ω = ω + iγ)', numberArg('--gamma', { min: 0 }), 0.25)
    .option('--min-frames <n>', 'frames needed per (ω, k) (σ from their scatter needs 2)', numberArg('--min-frames', { integer: true, min: 1 }), 2)
    .option('--out <file>', 'output CSV, or - for stdout', '-')
    .option('--json', 'print a JSON summary on stderr instead of text')
    .option('--quiet', 'no summary on stderr')
    .action(async (o: RecalibrateOptions) => {
      if (!!o.frames === !!o.capture) throw new HoloringError(ErrorCodes.ARG_INVALID, 'give exactly one of --frames FILE or --capture FILE', { flag: '--frames' });
      checkOutput('--out', o.out);
      // the input first: a missing frames file is reported as such, not as a missing record
      const input = o.frames ? withFlag('--frames', () => readFramesFile(o.frames as string)) : withFlag('--capture', () => framesFromCapture(o.capture as string));
      const record = withFlag('--record', () => resolveRecord(o.record, new CalibrationStore(o.store)));
      const sites = input.frames[0]?.x.length ?? record.sites;
      const kLimit = Math.floor((sites - 1) / 2);
      if (o.kmax > kLimit) {
        throw new HoloringError(ErrorCodes.ARG_INVALID, `--kmax: ${o.kmax} is beyond what a ring of ${sites} sites resolves: the DFT over the sites gives χ for |k| < N/2, i.e. k ≤ ${kLimit}; use --kmax ${kLimit} or less`, { flag: '--kmax', kmax: o.kmax, limit: kLimit });
      }
      if ('tornTail' in input && input.tornTail) {
        process.stderr.write(`holoring: warning: the last line of ${o.frames} is cut short (${input.tornBytes} bytes, the writer stopped mid-line): left out; the ${input.frames.length} complete frames before it are used\n`);
      }
      const res = await recalibrate(from(input.frames), record, input.device, { kMax: o.kmax, gamma: o.gamma, minFrames: o.minFrames });
      const calibrated = res.status.calibrated ?? 0;
      if (calibrated === 0) {
        const why = res.status['identity-mismatch']
          ? `the frames come from ${input.device.model} serial ${input.device.serial}, the record ${record.version} is for ${record.device.model} serial ${record.device.serial}`
          : res.status['record-mismatch'] ? `the record has ${record.sites} sites, the frames ${input.frames[0]?.x.length}` : 'no frames';
        throw new HoloringError('RING_ERR_CALIB_MISMATCH', `--record: no frame could be calibrated with ${record.version}: ${why}`, { version: record.version, status: res.status, flag: '--record' });
      }
      const csv = formatResponseTable(res.table.points);
      writeOutput('--out', o.out, csv);
      const summary = { version: record.version, frames: input.frames.length, tornBytes: 'tornBytes' in input ? input.tornBytes : 0, status: res.status, skipped: res.skipped, points: res.table.points.length };
      if (o.json) process.stderr.write(JSON.stringify(summary) + '\n');
      else if (!o.quiet) {
        const st = Object.entries(res.status).map(([k, n]) => `${k} ${n}`).join(', ');
        const sk = Object.entries(res.skipped).map(([k, n]) => `${k} ${n}`).join(', ') || 'none';
        process.stderr.write(`recalibrated ${input.frames.length} frames with ${record.version} (${st}); skipped: ${sk}; ${res.table.points.length} table rows${o.out === '-' ? '' : ` → ${o.out}`}\n`);
      }
    });
}
