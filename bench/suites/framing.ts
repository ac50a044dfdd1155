import type { BenchRow } from '../harness.ts';
import { time } from '../harness.ts';
import type { BenchSuite } from '../run.ts';
import { encodeDataFrame } from '../../drivers/ring/codec.ts';
import { RingDecoder } from '../../drivers/ring/decoder.ts';
import { RingSimulator } from '../../drivers/sim/simulator.ts';

/**
 * Framing + CRC + codec throughput on 64-site data frames, as frames/s, against
 * (a) a plain line split of the same bytes (what @serialport/parser-readline does) and
 * (b) the frame rate of a saturated 921600-baud 8N1 line (goal: ≥ 10×).
 */
const FRAMES = 2000;
const CHUNK = 4096;

export const suite: BenchSuite = {
  name: 'framing',
  cases: async () => {
    const sim = new RingSimulator({ sites: 64, seed: 1 });
    const parts: Buffer[] = [];
    for (let i = 0; i < FRAMES; i++) parts.push(encodeDataFrame(sim.frame({ omega: 0.5 + 0.5 * (i % 8) })));
    const stream = Buffer.concat(parts);
    const chunks: Buffer[] = [];
    for (let i = 0; i < stream.length; i += CHUNK) chunks.push(stream.subarray(i, i + CHUNK));
    const bytesPerFrame = stream.length / FRAMES;

    let decoded = 0;
    const decode = (): void => {
      decoded = 0;
      const dec = new RingDecoder(() => decoded++);
      for (const c of chunks) dec.push(c);
      if (decoded !== FRAMES) throw new Error(`decoded ${decoded} of ${FRAMES} frames`);
    };
    let lines = 0;
    const lineSplit = (): void => {
      lines = 0;
      let rest = '';
      for (const c of chunks) {
        const parts = (rest + c.toString('latin1')).split('\n');
        rest = parts.pop()!;
        lines += parts.length;
      }
      if (lines !== FRAMES) throw new Error(`split ${lines} of ${FRAMES} lines`);
    };
    return [
      async (): Promise<BenchRow[]> => {
        const base = await time(lineSplit, 9, 3);
        const t = await time(decode, 9, 3);
        const fps = (ms: number): number => (FRAMES / ms) * 1000;
        const lineRate = 921_600 / 10 / bytesPerFrame;
        return [
          {
            name: 'framing+codec, 64-site frames',
            value: fps(t.median), unit: 'frames/s', baseline: fps(base.median), ratio: fps(t.median) / fps(base.median),
            median: fps(t.median), min: fps(t.max), max: fps(t.min),
            note: `baseline: plain line split of the same ${(stream.length / 1e6).toFixed(1)} MB (ratio = speed relative to it)`,
          },
          {
            name: 'framing+codec vs saturated 921600-baud line',
            value: fps(t.median), unit: 'frames/s', baseline: lineRate, ratio: fps(t.median) / lineRate,
            note: `baseline: ${lineRate.toFixed(1)} frames/s of ${bytesPerFrame.toFixed(0)} bytes at 921600 baud 8N1; goal ratio ≥ 10`,
          },
        ];
      },
    ];
  },
};
