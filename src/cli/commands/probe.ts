import type { Command } from 'commander';
import { FileCapture } from '../../../drivers/ring/capture.ts';
import { SerialRingDevice } from '../../../drivers/ring/serialDevice.ts';
import { SerialTransport } from '../../../drivers/ring/transport.ts';
import type { DeviceConfiguration, DeviceCounters, DeviceIdentity } from '../../contracts/device.ts';
import { FrameFlags } from '../../contracts/frame.ts';
import { numberArg } from '../args.ts';

interface ProbeOptions { port: string; seconds: number; json?: boolean; baud: number; capture?: string }

/** What `holoring probe` reports (the --json object). */
export interface ProbeSummary extends Omit<DeviceCounters, 'sequenceResets' | 'replies' | 'events'> {
  port: string;
  identity: DeviceIdentity;
  protocolVersion: string;
  configuration: DeviceConfiguration;
  seconds: number;
  rate: number;
  simulated: boolean;
  sequenceResets: number;
}

export function registerProbe(program: Command): void {
  program
    .command('probe')
    .description('connect to a ring, identify it, stream for a while and report what arrived (frames, rate, rejects, gaps)')
    .requiredOption('--port <path>', 'serial port of the ring (e.g. /dev/ttyUSB0, or the --link of holoring emulate)')
    .option('--seconds <n>', 'how long to stream', numberArg('--seconds', { min: 0, exclusiveMin: true, max: 86_400 }), 5)
    .option('--baud <rate>', 'baud rate', numberArg('--baud', { integer: true, min: 300 }), 921_600)
    .option('--capture <file>', 'also record everything received to a capture file (for replay)')
    .option('--json', 'print one JSON object instead of text')
    .action(async (o: ProbeOptions) => {
      const device = new SerialRingDevice({ transport: new SerialTransport(o.port, o.baud), ...(o.capture ? { capture: new FileCapture(o.capture, o.port) } : {}) });
      let simulated = false;
      device.frames$.subscribe((f) => (simulated ||= (f.flags & FrameFlags.SIMULATED) !== 0));
      try {
        const identity = await device.connect();
        const configuration = await device.configuration();
        const t0 = performance.now();
        await device.startStreaming();
        await new Promise((r) => setTimeout(r, o.seconds * 1000));
        const seconds = (performance.now() - t0) / 1000;
        await device.stopStreaming().catch(() => undefined);
        const c = device.counters();
        const summary: ProbeSummary = {
          port: o.port, identity, protocolVersion: identity.protocolVersion, configuration, seconds: Number(seconds.toFixed(3)),
          frames: c.frames, rate: Number((c.frames / seconds).toFixed(3)), simulated, bytes: c.bytes, checksumErrors: c.checksumErrors,
          rejects: c.rejects, gaps: c.gaps, missingFrames: c.missingFrames, reconnects: c.reconnects, sequenceResets: c.sequenceResets ?? 0,
        };
        process.stdout.write(o.json ? JSON.stringify(summary) + '\n' : formatSummary(summary));
        if (c.frames === 0) {
          process.stderr.write(`holoring probe: no frames arrived in ${o.seconds} s: check the port, the baud rate (${o.baud}) and that the device is powered\n`);
          process.exitCode = 1;
        }
      } finally {
        await device.close();
      }
    });
}

export function formatSummary(s: ProbeSummary): string {
  const rejects = Object.entries(s.rejects).filter(([, n]) => n > 0);
  return [
    `device      ${s.identity.model} serial ${s.identity.serial} firmware ${s.identity.firmware}${s.simulated ? ' (SIMULATED data)' : ''}`,
    `protocol    ${s.protocolVersion}`,
    `ring        ${s.configuration.sites} sites, source width ${s.configuration.sourceWidth} rad, max amplitude ${s.configuration.maxAmplitude}`,
    `frames      ${s.frames} in ${s.seconds} s (${s.rate} frames/s, ${s.bytes} bytes)`,
    `checksum    ${s.checksumErrors} failures`,
    `rejects     ${rejects.length ? rejects.map(([k, n]) => `${k} ${n}`).join(', ') : 'none'}`,
    `gaps        ${s.gaps} (${s.missingFrames} frames missing)`,
    `reconnects  ${s.reconnects}`,
    '',
  ].join('\n');
}
