import { createWriteStream, type WriteStream } from 'node:fs';
import { HoloringError } from '../../src/errors.ts';
import { RingErrors } from './protocol.ts';
import { stripBom } from '../../src/io/json.ts';
import { readTextFile } from '../../src/io/readText.ts';

/**
 * Capture format (JSON Lines, docs/devices.md): a header line, then one line per
 * event in the order they happened, `t` in ms since the capture started:
 *   {"kind":"holoring-capture","version":1,"port":"/dev/ttyUSB0","startedAt":"2026-…"}
 *   {"t":0,"open":true}
 *   {"t":1.5,"tx":"*IDN?\n"}                      host → device, as text
 *   {"t":3.2,"rx":"JFIsKklETj8s…"}               device → host, raw bytes as received, base64
 *   {"t":9000,"close":"disconnected"}
 */
export const CAPTURE_KIND = 'holoring-capture';
export const CAPTURE_VERSION = 1;

export type CaptureEvent =
  | { t: number; open: true }
  | { t: number; tx: string }
  | { t: number; rx: string }
  | { t: number; close: string };

export interface CaptureHeader {
  kind: typeof CAPTURE_KIND;
  version: number;
  port: string;
  startedAt: string;
}

/** Where the serial driver records what crosses the link. */
export interface CaptureSink {
  record(e: CaptureEvent): void;
  close(): Promise<void>;
}

function headerLine(port: string, startedAtMs: number): string {
  const h: CaptureHeader = { kind: CAPTURE_KIND, version: CAPTURE_VERSION, port, startedAt: new Date(startedAtMs).toISOString() };
  return JSON.stringify(h) + '\n';
}

/** Records to a file (appending lines as they come). */
export class FileCapture implements CaptureSink {
  private readonly out: WriteStream;
  constructor(path: string, port: string, startedAtMs = Date.now()) {
    this.out = createWriteStream(path, { flags: 'w' });
    this.out.write(headerLine(port, startedAtMs));
  }
  record(e: CaptureEvent): void {
    this.out.write(JSON.stringify(e) + '\n');
  }
  close(): Promise<void> {
    return new Promise((res) => this.out.end(() => res()));
  }
}

/** Records in memory (tests, short sessions); `text()` gives the file contents. */
export class MemoryCapture implements CaptureSink {
  readonly events: CaptureEvent[] = [];
  constructor(
    private readonly port = 'memory',
    private readonly startedAtMs = 0,
  ) {}
  record(e: CaptureEvent): void {
    this.events.push(e);
  }
  async close(): Promise<void> {}
  text(): string {
    return headerLine(this.port, this.startedAtMs) + this.events.map((e) => JSON.stringify(e) + '\n').join('');
  }
}

export interface Capture {
  header: CaptureHeader;
  events: CaptureEvent[];
}

export function parseCapture(text: string, origin = 'capture'): Capture {
  const lines = stripBom(text).split('\n').filter((l) => l.trim() !== '');
  const fail = (line: number, why: string): never => {
    throw new HoloringError(RingErrors.CAPTURE_FORMAT, `${origin}:${line}: ${why}`, { origin, line });
  };
  const parse = (l: string, i: number): Record<string, unknown> => {
    try {
      const v = JSON.parse(l) as unknown;
      if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(i + 1, 'expected a JSON object');
      return v as Record<string, unknown>;
    } catch (e) {
      if (e instanceof HoloringError) throw e;
      return fail(i + 1, 'not valid JSON');
    }
  };
  if (lines.length === 0) fail(1, 'empty capture');
  const h = parse(lines[0], 0);
  if (h.kind !== CAPTURE_KIND) fail(1, `not a holoring capture (kind must be "${CAPTURE_KIND}")`);
  if (h.version !== CAPTURE_VERSION) fail(1, `capture version ${String(h.version)} is not supported (expected ${CAPTURE_VERSION})`);
  const events: CaptureEvent[] = [];
  let last = -Infinity;
  for (let i = 1; i < lines.length; i++) {
    const o = parse(lines[i], i);
    const t = o.t;
    if (typeof t !== 'number' || !Number.isFinite(t) || t < last) fail(i + 1, '"t" must be a finite, non-decreasing number of ms');
    last = t as number;
    if (o.open === true) events.push({ t: t as number, open: true });
    else if (typeof o.tx === 'string') events.push({ t: t as number, tx: o.tx });
    else if (typeof o.rx === 'string') {
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(o.rx)) fail(i + 1, '"rx" must be base64');
      events.push({ t: t as number, rx: o.rx });
    } else if (typeof o.close === 'string') events.push({ t: t as number, close: o.close });
    else fail(i + 1, 'expected one of "open", "tx", "rx", "close"');
  }
  return { header: h as unknown as CaptureHeader, events };
}

export function readCapture(path: string): Capture {
  const text = readTextFile(path, RingErrors.CAPTURE_FORMAT, 'capture');
  return parseCapture(text, path);
}
