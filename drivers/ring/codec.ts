import type { FrameSource, RingFrame } from '../../src/contracts/frame.ts';
import { crc32, crcHex } from './crc.ts';
import type { EventMessage, ReplyMessage } from './protocol.ts';

/**
 * Codec: typed messages ⇄ frame bodies. A data body is
 *   D,seq,timeUs,omega,site,amplitude,width,temperatureK,flagsHex,n,x0,y0,…,x(n-1),y(n-1)
 * a reply body R,<CMD>,OK[,field…] or R,<CMD>,ERR,<code>,<message>, an event body E,<NAME>[,field…].
 * decodeBody returns null for a body that is not a valid message (counted as malformed).
 */
export type DeviceMessage = { type: 'data'; frame: RingFrame } | ReplyMessage | EventMessage;

export const MAX_SITES = 512;
const DATA_HEAD = 10;

/** Characters a device never puts in a text field (they would break framing or fields). */
const UNSAFE = /[$,\r\n]/g;
export function safeField(s: string): string {
  return s.replace(UNSAFE, ' ');
}

/** Wraps a body into a wire frame: `$BODY*CRC\r\n`. */
export function wrapBody(body: string): Buffer {
  const b = Buffer.from(body, 'latin1');
  const out = Buffer.allocUnsafe(b.length + 12);
  out[0] = 0x24;
  b.copy(out, 1);
  out[b.length + 1] = 0x2a;
  out.write(crcHex(crc32(b)), b.length + 2, 'latin1');
  out[b.length + 10] = 0x0d;
  out[b.length + 11] = 0x0a;
  return out;
}

/** Lock-in readings go on the wire with 8 significant digits. */
const num = (v: number): string => (v === 0 ? '0' : v.toExponential(7));

export function encodeDataBody(f: RingFrame): string {
  const parts: string[] = [
    'D', String(f.seq >>> 0), String(Math.round(f.deviceTimeUs)), String(f.omega), String(f.sourceSite),
    String(f.amplitude), String(f.sourceWidth), num(f.temperatureK), (f.flags >>> 0).toString(16), String(f.x.length),
  ];
  for (let j = 0; j < f.x.length; j++) parts.push(num(f.x[j]), num(f.y[j]));
  return parts.join(',');
}

export function encodeDataFrame(f: RingFrame): Buffer {
  return wrapBody(encodeDataBody(f));
}

export function encodeReply(command: string, ok: boolean, fields: readonly (string | number)[] = []): Buffer {
  return wrapBody(['R', safeField(command), ok ? 'OK' : 'ERR', ...fields.map((v) => safeField(String(v)))].join(','));
}

export function encodeEvent(name: string, fields: readonly (string | number)[] = []): Buffer {
  return wrapBody(['E', safeField(name), ...fields.map((v) => safeField(String(v)))].join(','));
}

const isUint = (s: string): boolean => /^\d{1,16}$/.test(s);

function decodeData(p: string[], source: FrameSource): DeviceMessage | null {
  if (p.length < DATA_HEAD + 2) return null;
  const n = Number(p[9]);
  if (!Number.isInteger(n) || n < 1 || n > MAX_SITES || p.length !== DATA_HEAD + 2 * n) return null;
  if (!isUint(p[1]) || !isUint(p[2]) || !isUint(p[4]) || !/^[0-9a-fA-F]{1,8}$/.test(p[8])) return null;
  const seq = Number(p[1]);
  const site = Number(p[4]);
  if (seq > 0xffffffff || site >= n) return null;
  const omega = Number(p[3]), amplitude = Number(p[5]), sourceWidth = Number(p[6]), temperatureK = Number(p[7]);
  if (!(Number.isFinite(omega) && Number.isFinite(amplitude) && Number.isFinite(sourceWidth) && Number.isFinite(temperatureK))) return null;
  if (p[3] === '' || p[5] === '' || p[6] === '' || p[7] === '') return null;
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  for (let j = 0, k = DATA_HEAD; j < n; j++, k += 2) {
    const a = p[k], b = p[k + 1];
    const xv = +a, yv = +b;
    // `+''` is 0 and `+' 1'` is 1: refuse empty and padded fields
    if (!Number.isFinite(xv) || !Number.isFinite(yv) || a.length === 0 || b.length === 0 || a.charCodeAt(0) === 32 || b.charCodeAt(0) === 32) return null;
    x[j] = xv;
    y[j] = yv;
  }
  return {
    type: 'data',
    frame: { seq, deviceTimeUs: Number(p[2]), omega, sourceSite: site, amplitude, sourceWidth, temperatureK, x, y, flags: parseInt(p[8], 16), source },
  };
}

/** Decodes a checksummed body; null when it is not a valid message. */
export function decodeBody(body: string, source: FrameSource): DeviceMessage | null {
  const p = body.split(',');
  switch (p[0]) {
    case 'D':
      return decodeData(p, source);
    case 'R':
      if (p.length < 3 || p[1] === '' || (p[2] !== 'OK' && p[2] !== 'ERR')) return null;
      if (p[2] === 'ERR' && p.length < 5) return null;
      return { type: 'reply', command: p[1], ok: p[2] === 'OK', fields: p[2] === 'ERR' ? [p[3], p.slice(4).join(',')] : p.slice(3) };
    case 'E':
      if (p.length < 2 || p[1] === '') return null;
      return { type: 'event', name: p[1], fields: p.slice(2) };
    default:
      return null;
  }
}

/** A host command line: `HEADER[ ARG[,ARG…]]\n`. */
export function formatCommand(header: string, args: readonly (string | number)[] = []): string {
  return args.length ? `${header} ${args.join(',')}\n` : `${header}\n`;
}

/** Device side: splits a command line into upper-case header and arguments. */
export function parseCommand(line: string): { header: string; args: string[] } {
  const t = line.trim();
  const sp = t.indexOf(' ');
  const header = (sp < 0 ? t : t.slice(0, sp)).toUpperCase();
  const rest = sp < 0 ? '' : t.slice(sp + 1).trim();
  return { header, args: rest === '' ? [] : rest.split(',').map((s) => s.trim()) };
}
