import type { Command } from 'commander';
import { accessSync, constants, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ErrorCodes, HoloringError } from '../errors.ts';

/** Argument parsers for commander: each refusal names the argument. */
export function numberArg(flag: string, opts: { min?: number; max?: number; exclusiveMin?: boolean; exclusiveMax?: boolean; integer?: boolean; hint?: string } = {}) {
  return (value: string): number => {
    const v = Number(value);
    const bad = (why: string): never => {
      throw new HoloringError(ErrorCodes.ARG_INVALID, `${flag}: ${why} (got "${value}")${opts.hint ? `: ${opts.hint}` : ''}`, { flag, value });
    };
    if (value.trim() === '' || !Number.isFinite(v)) bad('expected a finite number');
    if (opts.integer && !Number.isInteger(v)) bad('expected an integer');
    if (opts.min !== undefined && (opts.exclusiveMin ? !(v > opts.min) : !(v >= opts.min))) bad(`must be ${opts.exclusiveMin ? '>' : '≥'} ${opts.min}`);
    if (opts.max !== undefined && (opts.exclusiveMax ? !(v < opts.max) : !(v <= opts.max))) bad(`must be ${opts.exclusiveMax ? '<' : '≤'} ${opts.max === Math.PI ? 'π' : opts.max}`);
    return v;
  };
}

/** Parses START:STOP:STEP (or a single value). */
export function rangeArg(flag: string) {
  return (value: string): { start: number; stop: number; step: number } => {
    const parts = value.split(':').map((s) => Number(s));
    const bad = (why: string): never => {
      throw new HoloringError(ErrorCodes.ARG_INVALID, `${flag}: ${why} (got "${value}")`, { flag, value });
    };
    if (parts.length === 1 && Number.isFinite(parts[0])) return { start: parts[0], stop: parts[0], step: 1 };
    if (parts.length !== 3 || parts.some((p) => !Number.isFinite(p))) bad('expected START:STOP:STEP');
    const [start, stop, step] = parts;
    if (!(step > 0)) bad('STEP must be > 0');
    if (!(stop >= start)) bad('STOP must be ≥ START');
    return { start, stop, step };
  };
}

/** Runs fn; a HoloringError it throws (or rejects with) is re-thrown with the flag named first. */
export function withFlag<T>(flag: string, fn: () => T): T {
  const blame = (e: unknown): never => {
    if (e instanceof HoloringError) throw new HoloringError(e.code, `${flag}: ${e.message}`, { ...e.context, flag });
    throw e;
  };
  try {
    const r = fn();
    return (r instanceof Promise ? r.catch(blame) : r) as T;
  } catch (e) {
    return blame(e);
  }
}

/** Writes the file a flag names (`-` = stdout); a failure names the flag. */
export function writeOutput(flag: string, path: string, text: string): void {
  if (path === '-') {
    process.stdout.write(text);
    return;
  }
  try {
    writeFileSync(path, text);
  } catch (e) {
    throw new HoloringError(ErrorCodes.ARG_INVALID, `${flag}: cannot write ${path}: ${(e as Error).message}`, { flag, path });
  }
}

/**
 * Checks, before any work is done, that the file a flag names can be written
 * (`-` = stdout): not a directory, its directory exists and is writable, and an
 * existing file is writable. Refuses with RING_ERR_ARG_INVALID naming the flag.
 */
export function checkOutput(flag: string, path: string | undefined): void {
  if (path === undefined || path === '-') return;
  const bad = (why: string): never => {
    throw new HoloringError(ErrorCodes.ARG_INVALID, `${flag}: cannot write ${path}: ${why}`, { flag, path });
  };
  let st;
  try {
    st = statSync(path);
  } catch {
    st = null;
  }
  if (st?.isDirectory()) bad('it is a directory');
  const dir = dirname(resolve(path));
  try {
    if (!statSync(dir).isDirectory()) bad(`${dir} is not a directory`);
  } catch (e) {
    if (e instanceof HoloringError) throw e;
    bad(`the directory ${dir} does not exist`);
  }
  try {
    accessSync(st ? path : dir, constants.W_OK);
  } catch {
    bad(st ? 'the file is not writable' : `the directory ${dir} is not writable`);
  }
}

/**
 * Help text shows every default the way it is typed: arrays as `a,b,c`, ranges
 * as `START:STOP:STEP` (not as JSON objects). Applied to a command and its
 * subcommands.
 */
export function tidyDefaultsInHelp(cmd: Command): void {
  for (const opt of cmd.options) {
    const v: unknown = opt.defaultValue;
    if (opt.defaultValueDescription !== undefined || v === undefined || v === null) continue;
    if (Array.isArray(v)) opt.defaultValueDescription = v.join(',');
    else if (typeof v === 'object' && 'start' in v && 'stop' in v && 'step' in v) {
      const r = v as { start: number; stop: number; step: number };
      opt.defaultValueDescription = `${r.start}:${r.stop}:${r.step}`;
    }
  }
  for (const sub of cmd.commands) tidyDefaultsInHelp(sub);
}

/**
 * For options whose default comes from elsewhere (a configuration file that the
 * flags override), appends "(default: …)" to their help text; keys are the
 * options' attribute names (e.g. `journalDir`).
 */
export function describeDefaults(cmd: Command, defaults: Record<string, string | number>): Command {
  for (const opt of cmd.options) {
    const d = defaults[opt.attributeName()];
    if (d !== undefined && opt.defaultValue === undefined && !opt.description.includes('(default:')) opt.description = `${opt.description} (default: ${d})`;
  }
  return cmd;
}
