import { crc32 as zlibCrc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { encodeDataFrame, encodeEvent, encodeReply, type DeviceMessage } from '../../drivers/ring/codec.ts';
import { crc32, crc32Table } from '../../drivers/ring/crc.ts';
import { RingDecoder } from '../../drivers/ring/decoder.ts';
import { RingErrors } from '../../drivers/ring/protocol.ts';
import { Rng } from '../../src/util/random.ts';
import { framesAgree, syntheticFrame } from './helpers.ts';

function decodeChunks(chunks: Buffer[]): { out: DeviceMessage[]; dec: RingDecoder } {
  const out: DeviceMessage[] = [];
  const dec = new RingDecoder((m) => out.push(m));
  for (const c of chunks) dec.push(c);
  return { out, dec };
}

describe('CRC-32', () => {
  it('has the standard check value and agrees with zlib on random data', () => {
    const check = Buffer.from('123456789');
    expect(crc32Table(check)).toBe(0xcbf43926);
    expect(crc32(check)).toBe(0xcbf43926);
    const rng = new Rng(3);
    for (let t = 0; t < 50; t++) {
      const b = Buffer.alloc(1 + (rng.nextU32() % 3000));
      for (let i = 0; i < b.length; i++) b[i] = rng.nextU32() & 0xff;
      const a = rng.nextU32() % b.length;
      const e = a + (rng.nextU32() % (b.length - a + 1));
      expect(crc32Table(b, a)).toBe(zlibCrc32(b.subarray(a)) >>> 0);
      // any window [a, e), also through the dispatching crc32 (native or table)
      expect(crc32Table(b, a, e)).toBe(zlibCrc32(b.subarray(a, e)) >>> 0);
      expect(crc32(b, a, e)).toBe(crc32Table(b, a, e));
    }
  });
});

describe('framing + codec', () => {
  const rng = new Rng(11);
  const frames = Array.from({ length: 5 }, (_, i) => syntheticFrame(rng, 100 + i, 8));
  const stream = Buffer.concat([
    Buffer.from('\r\nnoise'),
    encodeDataFrame(frames[0]),
    encodeReply('*IDN?', true, ['HOLORING', 'RB-8', 'SN1', '1.0.0', '1.0']),
    encodeDataFrame(frames[1]),
    encodeEvent('SWEEP_DONE', [40]),
    encodeDataFrame(frames[2]),
    encodeReply('SOUR:FREQ', false, ['BAD_ARGUMENT', 'frequency must be finite']),
    encodeDataFrame(frames[3]),
    encodeDataFrame(frames[4]),
  ]);

  function checkIntact(out: DeviceMessage[]): void {
    expect(out.map((m) => m.type)).toEqual(['data', 'reply', 'data', 'event', 'data', 'reply', 'data', 'data']);
    const data = out.filter((m) => m.type === 'data');
    data.forEach((m, i) => expect(framesAgree(m.frame, frames[i])).toBe(true));
    expect(out[1]).toMatchObject({ type: 'reply', command: '*IDN?', ok: true, fields: ['HOLORING', 'RB-8', 'SN1', '1.0.0', '1.0'] });
    expect(out[3]).toMatchObject({ type: 'event', name: 'SWEEP_DONE', fields: ['40'] });
    expect(out[5]).toMatchObject({ type: 'reply', command: 'SOUR:FREQ', ok: false, fields: ['BAD_ARGUMENT', 'frequency must be finite'] });
  }

  it('decodes the stream whole, byte by byte, and split at every byte boundary', () => {
    const whole = decodeChunks([stream]);
    checkIntact(whole.out);
    expect(whole.dec.rejects[RingErrors.GARBAGE]).toBe(1);
    const bytewise = decodeChunks([...stream].map((b) => Buffer.from([b])));
    checkIntact(bytewise.out);
    expect(bytewise.dec.rejects).toEqual(whole.dec.rejects);
    for (let cut = 1; cut < stream.length; cut++) {
      const r = decodeChunks([stream.subarray(0, cut), stream.subarray(cut)]);
      checkIntact(r.out);
      expect(r.dec.rejects).toEqual(whole.dec.rejects);
    }
  });

  it('counts a frame cut short by a new frame as truncated and resynchronises', () => {
    const a = encodeDataFrame(frames[0]);
    const b = encodeDataFrame(frames[1]);
    const { out, dec } = decodeChunks([a.subarray(0, 50), b]);
    expect(out).toHaveLength(1);
    expect(framesAgree((out[0] as { frame: typeof frames[0] }).frame, frames[1])).toBe(true);
    expect(dec.rejects[RingErrors.TRUNCATED]).toBe(1);
    // a line ending before the checksum trailer
    const c = decodeChunks([a.subarray(0, 40), Buffer.from('\n'), b]);
    expect(c.out).toHaveLength(1);
    expect(c.dec.rejects[RingErrors.TRUNCATED]).toBe(1);
  });

  it('bounds the line length: an over-long line is rejected and the next frame comes out', () => {
    const out: DeviceMessage[] = [];
    const dec = new RingDecoder((m) => out.push(m), 'serial', { maxLineBytes: 1000 });
    const long = Buffer.concat([Buffer.from('$D,'), Buffer.alloc(5000, 0x31)]);
    for (let i = 0; i < long.length; i += 97) dec.push(long.subarray(i, i + 97));
    dec.push(Buffer.from('1111\n'));
    dec.push(encodeDataFrame(frames[2]));
    expect(dec.rejects[RingErrors.TOO_LONG]).toBe(1);
    expect(dec.rejects[RingErrors.GARBAGE]).toBe(0);
    expect(out).toHaveLength(1);
    expect(dec.pendingBytes).toBe(0);
  });

  it('rejects a valid checksum over an invalid body as malformed', () => {
    // checksummed frames whose bodies are not messages: an event without a name, a data frame with no sites
    const { out, dec } = decodeChunks([encodeEvent('', []), encodeDataFrame({ ...frames[0], x: new Float64Array(0), y: new Float64Array(0) })]);
    expect(out).toHaveLength(0);
    expect(dec.rejects[RingErrors.MALFORMED]).toBe(2);
  });

  it('with injected corruption, every intact frame and no corrupt one comes out, at any split', () => {
    const crng = new Rng(2024);
    const many = Array.from({ length: 300 }, (_, i) => syntheticFrame(crng, i, 16));
    const parts: Buffer[] = [];
    const intact: number[] = [];
    for (const f of many) {
      const enc = Buffer.from(encodeDataFrame(f));
      const kind = crng.nextU32() % 6;
      const at = 1 + (crng.nextU32() % (enc.length - 3));
      if (kind === 0) enc[at] ^= 1 << (crng.nextU32() % 8); // bit flip
      else if (kind === 1) { parts.push(enc.subarray(0, at), enc.subarray(at + 1)); continue; } // byte lost
      else if (kind === 2) { parts.push(enc.subarray(0, at), Buffer.from([crng.nextU32() & 0xff]), enc.subarray(at)); continue; } // byte inserted
      else if (kind === 3) { parts.push(enc.subarray(0, at)); continue; } // truncated
      else intact.push(f.seq);
      parts.push(enc);
    }
    const stream = Buffer.concat(parts);
    const check = (out: DeviceMessage[]): void => {
      const data = out.filter((m) => m.type === 'data').map((m) => m.frame);
      expect(data.map((f) => f.seq)).toEqual(intact);
      for (const f of data) expect(framesAgree(f, many[f.seq])).toBe(true);
    };
    const whole = decodeChunks([stream]);
    check(whole.out);
    const rejected = Object.values(whole.dec.rejects).reduce((a, b) => a + b, 0);
    expect(rejected).toBeGreaterThanOrEqual(many.length - intact.length);
    // every split point of a window, and random multi-chunk splits
    for (let cut = 1; cut < 1500; cut++) check(decodeChunks([stream.subarray(0, cut), stream.subarray(cut)]).out);
    for (let t = 0; t < 20; t++) {
      const chunks: Buffer[] = [];
      for (let i = 0; i < stream.length; ) {
        const len = 1 + (crng.nextU32() % 300);
        chunks.push(stream.subarray(i, i + len));
        i += len;
      }
      const r = decodeChunks(chunks);
      check(r.out);
      expect(r.dec.rejects).toEqual(whole.dec.rejects);
    }
  });
});
