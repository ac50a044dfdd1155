import { type SchedulerLike, asyncScheduler } from 'rxjs';
import { HoloringError } from '../../src/errors.ts';
import { Rng } from '../../src/util/random.ts';
import type { RingEmulator } from './emulator.ts';
import { RingErrors } from './protocol.ts';
import { SimpleLink, type Transport, type TransportLink } from './transport.ts';

/**
 * The emulator as an in-process transport: bytes cross asynchronously, device
 * → host bytes arrive in seeded random chunk sizes (as a serial port delivers
 * them), and the emulator's `disconnect` fault makes the port vanish for a
 * while. Construct the emulator with `onDisconnect: (s) => transport.disconnect(s)`.
 */
export class EmulatorTransport implements Transport {
  readonly description = 'in-process emulator';
  private link: SimpleLink | null = null;
  private goneUntil = -Infinity;
  private rebootPending = false;
  private readonly rng: Rng;
  private readonly scheduler: SchedulerLike;
  private emu: RingEmulator | null = null;

  constructor(opts: { scheduler?: SchedulerLike; seed?: number; maxChunk?: number } = {}) {
    this.scheduler = opts.scheduler ?? asyncScheduler;
    this.rng = new Rng(opts.seed ?? 7);
    this.maxChunk = opts.maxChunk ?? 512;
  }

  private readonly maxChunk: number;

  /** Binds the emulator this transport serves. */
  bind(emu: RingEmulator): this {
    this.emu = emu;
    return this;
  }

  async open(): Promise<TransportLink> {
    const emu = this.emu;
    if (!emu) throw new HoloringError(RingErrors.PORT_OPEN, 'no emulator bound to the transport', {});
    if (this.scheduler.now() < this.goneUntil) throw new HoloringError(RingErrors.PORT_OPEN, 'cannot open in-process emulator: device absent (disconnect fault)', {});
    this.link?.end('replaced');
    const link = new SimpleLink(
      async (text) => {
        const b = Buffer.from(text, 'latin1');
        queueMicrotask(() => emu.receive(b));
      },
      async () => emu.detach(),
    );
    this.link = link;
    const rebooted = this.rebootPending;
    this.rebootPending = false;
    emu.attach(
      {
        write: (bytes) => {
          if (link.isClosed) return false;
          const copy = Buffer.from(bytes);
          queueMicrotask(() => {
            for (let i = 0; i < copy.length; ) {
              const n = 1 + (this.rng.nextU32() % this.maxChunk);
              link.deliver(copy.subarray(i, i + n));
              i += n;
            }
          });
          return true;
        },
      },
      rebooted,
    );
    return link;
  }

  /** The device vanishes for `seconds` (the open link ends; opens fail meanwhile); it comes back rebooted unless `reboot` is false (an unplug). */
  disconnect(seconds: number, reboot = true): void {
    this.goneUntil = this.scheduler.now() + seconds * 1000;
    this.rebootPending ||= reboot;
    this.emu?.detach();
    this.link?.end('disconnected');
    this.link = null;
  }
}
