import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { type DeviceSpec, openDevice, parseDeviceSpec } from '../../../drivers/ring/open.ts';
import { formatFramesFile } from '../../io/framesFile.ts';
import { PROCEDURE_DEFAULTS, defaultSourceSites, runCalibration } from '../../../calibration/procedure.ts';
import { REFERENCE_DEFAULTS } from '../../../calibration/reference.ts';
import { scoreCalibration } from '../../../calibration/score.ts';
import { CalibrationStore, DEFAULT_STORE_DIR } from '../../../calibration/store.ts';
import type { CalibrationRecord } from '../../contracts/calibration.ts';
import { ErrorCodes, HoloringError } from '../../errors.ts';
import { parseJson } from '../../io/json.ts';
import { parseMetricSpec } from '../../physics/metric.ts';
import { checkOutput, numberArg, writeOutput } from '../args.ts';
import { createProgress } from '../progress.ts';
import { registerCalibrations } from './calibrations.ts';
import { registerRecalibrate } from './recalibrate.ts';

interface CalibrateOptions {
  port?: string; device?: string; baud: number; capture?: string;
  simSeed: number; simMetric: string; speed: number;
  sourceSites?: number[]; omegas: number[]; amplitude: number; frames: number; offFrames: number;
  reference: 'uv-ads' | 'unit-mean'; referenceGeometry: string; delta: number; gamma: number;
  note: string; out?: string; store: string; activate: boolean; saveFrames?: string; truth?: string; json?: boolean; quiet?: boolean;
}

/** Comma-separated list of numbers, named in errors. */
export function listArg(flag: string, opts: { integer?: boolean; min?: number } = {}) {
  return (value: string): number[] => {
    const parts = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
    const nums = parts.map(Number);
    if (nums.length === 0 || nums.some((v) => !Number.isFinite(v) || (opts.integer && !Number.isInteger(v)) || (opts.min !== undefined && v < opts.min))) {
      throw new HoloringError(ErrorCodes.ARG_INVALID, `${flag}: expected a comma-separated list of ${opts.integer ? 'integers' : 'numbers'}${opts.min !== undefined ? ` ≥ ${opts.min}` : ''} (got "${value}")`, { flag, value });
    }
    return nums;
  };
}

/** The device to calibrate: --device SPEC, else --port, else the in-process emulator. */
function deviceSpec(o: CalibrateOptions): DeviceSpec {
  let metric;
  try {
    metric = parseMetricSpec(o.simMetric);
  } catch (e) {
    if (e instanceof HoloringError) throw new HoloringError(e.code, `--sim-metric: ${e.message}`, { ...e.context, flag: '--sim-metric' });
    throw e;
  }
  const spec: DeviceSpec = o.device ? parseDeviceSpec(o.device) : o.port ? { kind: 'serial', port: o.port } : { kind: 'emulator' };
  switch (spec.kind) {
    case 'serial':
      return { ...spec, baudRate: o.baud, ...(o.capture ? { capture: o.capture } : {}) };
    case 'emulator':
    case 'sim':
      return { ...spec, seed: spec.seed ?? o.simSeed, metric, speed: o.speed };
    case 'replay':
      return { ...spec, speed: spec.speed ?? Infinity };
  }
}

export function registerCalibrate(program: Command): void {
  program
    .command('calibrate')
    .description('measure offsets and complex gains of every site (redundant calibration), save a new calibration record and make it active')
    .option('--port <path>', 'serial port of the ring (or the --link of holoring emulate); default: an in-process emulated ring')
    .option('--device <spec>', 'instead of --port: emulator[:SEED] | sim[:SEED] | replay:FILE[@SPEED] (re-run a captured calibration) | a serial port')
    .option('--baud <rate>', 'baud rate with --port', numberArg('--baud', { integer: true, min: 300 }), 921_600)
    .option('--capture <file>', 'with a serial port: record the traffic to a capture file (holoring recalibrate --capture, or --device replay:FILE)')
    .option('--sim-seed <n>', 'seed of the in-process emulator/simulator (default device; --device emulator|sim without :SEED)', numberArg('--sim-seed', { integer: true, min: 0 }), 1)
    .option('--sim-metric <spec>', 'bulk metric of the in-process emulator/simulator', 'ads')
    .option('--speed <x>', 'run the in-process emulator/simulator this many times faster than real time', numberArg('--speed', { min: 0, exclusiveMin: true, max: 100_000 }), 200)
    .option('--source-sites <list>', 'source sites, comma-separated (default: 16 spread over the ring plus site 1)', listArg('--source-sites', { integer: true, min: 0 }))
    .option('--omegas <list>', 'drive frequencies ω, comma-separated', listArg('--omegas', { min: 0 }), [...PROCEDURE_DEFAULTS.omegas])
    .option('--amplitude <J0>', 'source amplitude', numberArg('--amplitude', { min: 0, exclusiveMin: true }), PROCEDURE_DEFAULTS.amplitude)
    .option('--frames <n>', 'frames per source setting (≥ 2: σ from their scatter)', numberArg('--frames', { integer: true, min: 2, max: 10_000 }), PROCEDURE_DEFAULTS.framesPerSetting)
    .option('--off-frames <n>', 'frames with the source off (offsets)', numberArg('--off-frames', { integer: true, min: 4, max: 100_000 }), PROCEDURE_DEFAULTS.offFrames)
    .option('--reference <kind>', 'overall scale and phase: uv-ads | unit-mean', 'uv-ads')
    .option('--reference-geometry <g>', 'closed form of the uv-ads reference: ads | btz:RH', REFERENCE_DEFAULTS.geometry)
    .option('--delta <Δ>', 'conformal dimension Δ (uv-ads reference)', numberArg('--delta'), REFERENCE_DEFAULTS.delta)
    .option('--gamma <γ>', 'material damping γ (uv-ads reference)', numberArg('--gamma', { min: 0 }), REFERENCE_DEFAULTS.gamma)
    .option('--note <text>', 'operator note stored in the record', '')
    .option('--out <file>', 'also write the record JSON to FILE')
    .option('--store <dir>', 'calibration record store', process.env.HOLORING_CALIBRATION_DIR ?? DEFAULT_STORE_DIR)
    .option('--no-activate', 'save the record without making it the active one')
    .option('--save-frames <file>', 'write the raw calibration frames (JSON Lines) for re-calibration')
    .option('--truth <file>', 'score the result against injected errors (the JSON of holoring emulate --truth)')
    .option('--json', 'print a JSON summary on stdout')
    .option('--quiet', 'no progress on stderr')
    .action(async (o: CalibrateOptions) => {
      if (o.reference !== 'uv-ads' && o.reference !== 'unit-mean') {
        throw new HoloringError(ErrorCodes.ARG_INVALID, `--reference: expected uv-ads or unit-mean (got "${o.reference}")`, { flag: '--reference' });
      }
      if (o.port && o.device) throw new HoloringError(ErrorCodes.ARG_INVALID, 'give --port or --device, not both', { flag: '--device' });
      checkOutput('--out', o.out);
      checkOutput('--save-frames', o.saveFrames);
      const spec = deviceSpec(o);
      if (o.capture && spec.kind !== 'serial') throw new HoloringError(ErrorCodes.ARG_INVALID, '--capture needs a serial port (--port): only serial traffic can be recorded', { flag: '--capture' });
      const store = new CalibrationStore(o.store);
      const previous = store.activeVersion();
      const opened = openDevice(spec);
      const device = opened.device;
      const where = spec.kind === 'serial' ? ` on ${spec.port}` : spec.kind === 'replay' ? `, replay of ${spec.file}` : `, in-process ${spec.kind === 'sim' ? 'simulator' : 'emulator'}`;
      let result;
      try {
        const identity = await device.connect();
        const config = await device.configuration();
        const sites = o.sourceSites ?? defaultSourceSites(config.sites);
        const total = o.offFrames + sites.length * o.omegas.length * o.frames;
        const progress = createProgress('calibrate', total, { quiet: o.quiet });
        if (!o.quiet) process.stderr.write(`calibrating ${identity.model} serial ${identity.serial} (${config.sites} sites${where}): ${sites.length} source sites × ${o.omegas.length} ω × ${o.frames} frames + ${o.offFrames} source-off frames\n`);
        try {
          result = await runCalibration(device, {
            sourceSites: sites, omegas: o.omegas, amplitude: o.amplitude, framesPerSetting: o.frames, offFrames: o.offFrames,
            note: o.note, supersedes: previous ?? undefined,
            solve: { reference: { kind: o.reference, geometry: o.referenceGeometry, delta: o.delta, gamma: o.gamma } },
            onProgress: (d, _t, info) => progress.update(d, info),
          });
        } finally {
          progress.stop();
        }
      } finally {
        await opened.dispose();
      }
      const { record, frames } = result;
      if (o.saveFrames) writeOutput('--save-frames', o.saveFrames, formatFramesFile(result.identity, frames));
      const path = store.save(record);
      if (o.activate) store.activate(record.version);
      if (o.out) writeOutput('--out', o.out, JSON.stringify(record, null, 2) + '\n');
      const score = o.truth ? scoreCalibration(record, readTruth(o.truth)) : undefined;
      const summary = { version: record.version, path, active: o.activate, simulated: record.method.simulated, ...summarise(record), ...(score ? { score } : {}) };
      if (o.json) process.stdout.write(JSON.stringify(summary) + '\n');
      else process.stdout.write(formatSummary(record, path, o.activate, summary.simulated, score));
    });
  registerRecalibrate(program);
  registerCalibrations(program);
}

function summarise(r: CalibrationRecord) {
  const amp = r.gains.map((g) => Math.hypot(g.re, g.im));
  const ph = r.gains.map((g) => (Math.atan2(g.im, g.re) * 180) / Math.PI);
  return {
    gainRange: [Math.min(...amp), Math.max(...amp)], phaseRangeDeg: [Math.min(...ph), Math.max(...ph)],
    medianGainSigma: [...r.gainSigma].sort((a, b) => a - b)[Math.floor(r.sites / 2)],
    reducedChi2: r.residuals.reducedChi2, condition: r.residuals.condition, referenceSigma: r.reference.sigma,
  };
}

function formatSummary(r: CalibrationRecord, path: string, active: boolean, simulated: boolean, score?: ReturnType<typeof scoreCalibration>): string {
  const s = summarise(r);
  const lines = [
    `record      ${r.version}${active ? ' (active)' : ''} → ${path}`,
    `device      ${r.device.model} serial ${r.device.serial}${simulated ? ' (SIMULATED data)' : ''}`,
    `gains       |c| ${s.gainRange[0].toFixed(4)} … ${s.gainRange[1].toFixed(4)}, arg c ${s.phaseRangeDeg[0].toFixed(3)}° … ${s.phaseRangeDeg[1].toFixed(3)}°, median σ ${s.medianGainSigma.toExponential(2)}`,
    `fit         reduced χ² ${s.reducedChi2.toFixed(3)} (dof ${r.residuals.dof}), condition ${s.condition.toFixed(1)}, ${r.method.framesUsed} frames used, ${r.method.framesRejected} rejected`,
    `reference   ${r.reference.kind}${r.reference.geometry ? ` (${r.reference.geometry}, Δ ${r.reference.delta}, γ ${r.reference.gamma}, k ${r.reference.kMin}…${r.reference.kMax})` : ''}: λ = ${r.reference.factor.re.toFixed(6)} ${r.reference.factor.im >= 0 ? '+' : '−'} ${Math.abs(r.reference.factor.im).toFixed(6)}i ± ${r.reference.sigma.toExponential(1)}`,
  ];
  if (score) {
    lines.push(`vs truth    gains ≤ ${(100 * score.gainMaxRel).toFixed(3)}%, phases ≤ ${score.phaseMaxDeg.toFixed(3)}° (relative); overall ${score.overall.re.toFixed(6)} ${score.overall.im >= 0 ? '+' : '−'} ${Math.abs(score.overall.im).toFixed(6)}i (${score.overallZ.toFixed(1)} σ); offsets max ${score.offsetMaxZ.toFixed(1)} σ`);
  }
  return lines.join('\n') + '\n';
}

function readTruth(path: string): { gains: { re: number; im: number }[]; offsets: { re: number; im: number }[] } {
  let v: { gains?: unknown; offsets?: unknown };
  try {
    v = parseJson(readFileSync(path, 'utf8')) as typeof v;
  } catch (e) {
    throw new HoloringError(ErrorCodes.ARG_INVALID, `--truth: cannot read ${path}: ${(e as Error).message}`, { flag: '--truth' });
  }
  const ok = (a: unknown): a is { re: number; im: number }[] => Array.isArray(a) && a.every((c) => c && Number.isFinite(c.re) && Number.isFinite(c.im));
  if (!ok(v.gains) || !ok(v.offsets)) throw new HoloringError(ErrorCodes.ARG_INVALID, `--truth: ${path} has no gains/offsets arrays of {re, im}`, { flag: '--truth' });
  return { gains: v.gains, offsets: v.offsets };
}
