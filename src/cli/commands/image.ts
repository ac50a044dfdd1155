import { from } from 'rxjs';
import type { Command } from 'commander';
import { recalibrate } from '../../../calibration/recalibrate.ts';
import { CalibrationStore, DEFAULT_STORE_DIR } from '../../../calibration/store.ts';
import type { ResponsePoint } from '../../contracts/response.ts';
import { ErrorCodes, HoloringError } from '../../errors.ts';
import { readFramesFile } from '../../io/framesFile.ts';
import { formatLinePlotSvg } from '../../io/plotSvg.ts';
import { readResponseTable } from '../../io/responseTable.ts';
import { IMAGE_DEFAULTS, MAX_APERTURE, assertApertureOffSource, REFOCUSING_GAIN, type RingImage, SINGLE_WAVE_GAIN, SPOT_SNR, imageFromTable, imageSummary } from '../../physics/ringImage.ts';
import { checkOutput, numberArg, withFlag, writeOutput } from '../args.ts';
import { resolveRecord } from './recalibrate.ts';

interface ImageOptions {
  data?: string; frames?: string; record?: string; store: string; gamma: number;
  omega: number; aperture: number; focal: number; width?: number; extent: number; samples: number;
  out?: string; json?: boolean;
}

/** What `--out` writes, from its name: CSV (`.csv`, or `-` for stdout) or an SVG plot (`.svg`); any other name is refused before any work. */
export function imageOutputKind(out: string): 'csv' | 'svg' {
  if (out === '-') return 'csv';
  const ext = /\.([^./\\]+)$/.exec(out)?.[1]?.toLowerCase();
  if (ext === 'csv' || ext === 'svg') return ext;
  throw new HoloringError(ErrorCodes.ARG_INVALID, `--out: ${out}: the image is written as CSV (a name ending in .csv, or - for stdout) or as an SVG plot (.svg)${ext ? `, not .${ext}` : '; the name has no extension'}`, { flag: '--out', path: out });
}

/** Response-table rows and the source width from --frames: calibrated with a record, as `recalibrate` does. */
async function framesTable(o: ImageOptions): Promise<{ points: ResponsePoint[]; sourceWidth: number }> {
  const input = withFlag('--frames', () => readFramesFile(o.frames!));
  const record = withFlag('--record', () => resolveRecord(o.record, new CalibrationStore(o.store)));
  const sites = input.frames[0]?.x.length ?? 0;
  const res = await recalibrate(from(input.frames), record, input.device, { kMax: Math.max(0, Math.ceil(sites / 2) - 1), gamma: o.gamma });
  if (res.table.points.length === 0) {
    throw new HoloringError('RING_ERR_CALIB_MISMATCH', `--frames: no frame of ${o.frames} could be calibrated with ${record.version} (status: ${JSON.stringify(res.status)})`, { version: record.version });
  }
  const at = input.frames.find((f) => Math.abs(f.omega - o.omega) <= 1e-9 * Math.max(1, o.omega));
  return { points: res.table.points, sourceWidth: at?.sourceWidth ?? IMAGE_DEFAULTS.sourceWidth };
}

/** The verdict of the text output: the focused spot, a centred image without refocusing (a wave along the ring), or no central spot. */
export function spotVerdict(img: Pick<RingImage, 'spot' | 'central' | 'refocusing' | 'antipodeSnr'>): string {
  if (img.spot) return 'a central spot (the response refocuses at the antipode)';
  if (!img.central) return 'no central spot';
  if (img.refocusing < REFOCUSING_GAIN) return `a centred image but no focused spot: the response does not refocus at the antipode (gain ${img.refocusing.toFixed(2)} < ${REFOCUSING_GAIN}; a wave along the ring reaches at most ${SINGLE_WAVE_GAIN.toFixed(2)})`;
  return `a centred image but no focused spot: the response at the antipode is within the noise (S/N ${(img.antipodeSnr ?? 0).toFixed(2)} < ${SPOT_SNR})`;
}

export function registerImage(program: Command): void {
  program
    .command('image')
    .description('the ring image: the response seen through a virtual lens at the antipode of the source (physics.md §13)')
    .option('--data <file>', 'response table CSV (omega,gamma,k,chi_re,chi_im,sigma)')
    .option('--frames <file>', 'raw frames (JSON Lines), calibrated with --record first')
    .option('--record <version|file>', 'with --frames: calibration record (default: the active record of --store)')
    .option('--store <dir>', 'with --frames: calibration record store', process.env.HOLORING_CALIBRATION_DIR ?? DEFAULT_STORE_DIR)
    .option('--gamma <γ>', 'with --frames: material damping γ (Ω = ω + iγ)', numberArg('--gamma', { min: 0 }), 0.25)
    .requiredOption('--omega <ω>', 'drive frequency ω of the image (a row of the table), units v/R', numberArg('--omega', { min: 0, exclusiveMin: true }))
    .option('--aperture <d>', 'half-aperture d of the lens along the arc (rad), 0 < d < π − 3σ (σ: --width)', numberArg('--aperture', { min: 0, exclusiveMin: true, max: MAX_APERTURE, exclusiveMax: true, hint: 'the arc [−d, d] around the antipode must stay on the ring and off the source at ±π' }), IMAGE_DEFAULTS.aperture)
    .option('--focal <f>', 'focal length f', numberArg('--focal', { min: 0, exclusiveMin: true }), IMAGE_DEFAULTS.focal)
    .option('--width <σ>', 'source width σ (rad); default 0.15, or the frames\' own with --frames', numberArg('--width', { min: 0 }))
    .option('--extent <e>', 'image plane x_S ∈ [−e·f, e·f]', numberArg('--extent', { min: 0, exclusiveMin: true }), IMAGE_DEFAULTS.extent)
    .option('--samples <n>', 'points of the image plane', numberArg('--samples', { integer: true, min: 3, max: 100001 }), IMAGE_DEFAULTS.samples)
    .option('--out <file>', 'write the image: FILE.csv (x_s,intensity) or FILE.svg; - for CSV on stdout')
    .option('--json', 'print {spot, position, width, contrast, omega, …} on stdout')
    .action(async (o: ImageOptions) => {
      if (!!o.data === !!o.frames) throw new HoloringError(ErrorCodes.ARG_INVALID, 'give exactly one of --data FILE or --frames FILE', {});
      const kind = o.out === undefined ? null : imageOutputKind(o.out);
      checkOutput('--out', o.out);
      const src = o.data
        ? { points: withFlag('--data', () => readResponseTable(o.data!)).points, sourceWidth: IMAGE_DEFAULTS.sourceWidth }
        : await framesTable(o);
      withFlag('--aperture', () => assertApertureOffSource(o.aperture, o.width ?? src.sourceWidth));
      const img = withFlag('--omega', () =>
        imageFromTable(src.points, o.omega, { aperture: o.aperture, focal: o.focal, sourceWidth: o.width ?? src.sourceWidth, extent: o.extent, samples: o.samples }),
      );
      if (o.out) {
        const text = kind === 'svg'
          ? formatLinePlotSvg({ x: img.x, y: img.intensity, title: `ring image at Ω = ${img.omega} + ${img.Omega.im}i (d = ${o.aperture}, f = ${o.focal}, |k| ≤ ${img.kMax})`, xLabel: 'x_S', yLabel: '|Ψ(x_S)|² / max' })
          : ['x_s,intensity', ...Array.from(img.x, (x, i) => `${x},${img.intensity[i]}`)].join('\n') + '\n';
        writeOutput('--out', o.out, text);
      }
      if (o.json) process.stdout.write(JSON.stringify(imageSummary(img, o)) + '\n');
      else if (o.out !== '-') {
        const f = (v: number): string => v.toFixed(3);
        process.stdout.write(
          `ring image at Ω = ${img.omega} + ${img.Omega.im}i (|k| ≤ ${img.kMax}): ${spotVerdict(img)}; brightest at x_S = ${f(img.position)}, FWHM ${f(img.width)}, centre/mean ${f(img.contrast)}, antipodal refocusing ${f(img.refocusing)}\n`,
        );
      }
    });
}
