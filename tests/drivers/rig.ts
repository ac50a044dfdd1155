import { asyncScheduler } from 'rxjs';
import type { RingFrame } from '../../src/contracts/frame.ts';
import { MemoryCapture } from '../../drivers/ring/capture.ts';
import { RingEmulator } from '../../drivers/ring/emulator.ts';
import { NO_FAULTS, type FaultPlan } from '../../drivers/ring/faults.ts';
import { EmulatorTransport } from '../../drivers/ring/loopback.ts';
import { RingDeviceModel } from '../../drivers/ring/model.ts';
import { SerialRingDevice, type SerialDeviceOptions } from '../../drivers/ring/serialDevice.ts';
import { SimpleLink, type Transport, type TransportLink } from '../../drivers/ring/transport.ts';
import { encodeReply } from '../../drivers/ring/codec.ts';
import { RingSimulator } from '../../drivers/sim/simulator.ts';
import type { DeviceIdentity } from '../../src/contracts/device.ts';

/** Records when the driver tried to open the port (virtual ms) and whether it worked. */
export class RecordingTransport implements Transport {
  readonly attempts: { at: number; ok: boolean }[] = [];
  constructor(private readonly inner: Transport) {}
  get description(): string {
    return this.inner.description;
  }
  async open(): Promise<TransportLink> {
    const at = asyncScheduler.now();
    try {
      const l = await this.inner.open();
      this.attempts.push({ at, ok: true });
      return l;
    } catch (e) {
      this.attempts.push({ at, ok: false });
      throw e;
    }
  }
}

export interface Rig {
  emulator: RingEmulator;
  device: SerialRingDevice;
  transport: RecordingTransport;
  frames: RingFrame[];
  capture: MemoryCapture;
}

/** Serial driver ↔ in-process emulator, all on the (possibly faked) async scheduler. */
export function emulatorRig(o: { faults?: Partial<FaultPlan>; rate?: number; sites?: number; seed?: number; identity?: Partial<DeviceIdentity>; device?: Partial<SerialDeviceOptions> } = {}): Rig {
  const sim = new RingSimulator({ sites: o.sites ?? 8, seed: o.seed ?? 5 });
  const model = new RingDeviceModel({ sim, rate: o.rate ?? 20, identity: o.identity });
  const loop = new EmulatorTransport({ seed: o.seed ?? 5 });
  const emulator = new RingEmulator({ model, faults: { ...NO_FAULTS, ...o.faults }, seed: o.seed ?? 5, onDisconnect: (s) => loop.disconnect(s) });
  loop.bind(emulator);
  emulator.start();
  const transport = new RecordingTransport(loop);
  const capture = new MemoryCapture('emulator');
  const device = new SerialRingDevice({ transport, capture, ...o.device });
  const frames: RingFrame[] = [];
  device.frames$.subscribe((f) => frames.push(f));
  return { emulator, device, transport, frames, capture };
}

/** A scripted device: `answer` decides what (if anything) it sends back for each command line. */
export function scripted(answer: (line: string, link: SimpleLink) => void): Transport {
  return {
    description: 'scripted',
    async open(): Promise<TransportLink> {
      const link: SimpleLink = new SimpleLink(async (text) => answer(text, link), async () => undefined);
      return link;
    },
  };
}

/**
 * A scripted device that answers every command OK (identity RING SN9, protocol 1.3);
 * `link()` is the current link, to push data frames on; `opens` counts port openings.
 */
export function obligingDevice(): { transport: Transport; link: () => SimpleLink; opens: () => number } {
  let current: SimpleLink | null = null;
  let opens = 0;
  const inner = scripted((line, l) => {
    const header = line.split(/[ \n]/)[0];
    l.deliver(encodeReply(header, true, header === '*IDN?' ? ['RING', 'SN9', '2.1', '1.3'] : []));
  });
  return {
    transport: {
      description: inner.description,
      async open() {
        opens++;
        current = (await inner.open()) as SimpleLink;
        return current;
      },
    },
    link: () => current!,
    opens: () => opens,
  };
}
