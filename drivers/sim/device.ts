import { type SchedulerLike, type Subscription, asyncScheduler } from 'rxjs';
import type { DeviceConfiguration, DeviceCounters, DeviceIdentity, DeviceStatus, RingDevice, SourceSettings, SweepSpec } from '../../src/contracts/device.ts';
import { HoloringError } from '../../src/errors.ts';
import { DeviceModelError, RingDeviceModel, every, type ModelOptions } from '../ring/model.ts';
import { RingErrors } from '../ring/protocol.ts';
import { DeviceOutputs } from '../ring/deviceBase.ts';

/**
 * The simulated ring as an in-process device: the same behaviour as the
 * emulator (RingDeviceModel over RingSimulator) without bytes or a port.
 * Frames are labelled source 'sim' and flagged SIMULATED.
 */
export interface SimDeviceOptions extends ModelOptions {
  scheduler?: SchedulerLike;
  /** Time runs this much faster than real time. */
  speed?: number;
}

export class SimRingDevice extends DeviceOutputs implements RingDevice {
  readonly model: RingDeviceModel;
  private readonly scheduler: SchedulerLike;
  private readonly speed: number;
  private ticker: Subscription | null = null;
  private bootAt = 0;
  private closed = false;
  private frameCount = 0;

  constructor(opts: SimDeviceOptions) {
    super();
    this.model = new RingDeviceModel(opts);
    this.scheduler = opts.scheduler ?? asyncScheduler;
    this.speed = opts.speed ?? 1;
  }

  async connect(): Promise<DeviceIdentity> {
    this.live();
    if (this.sm.state === 'disconnected') {
      this.sm.to('connecting');
      this.bootAt = this.scheduler.now();
      this.sm.to('connected');
    }
    return { ...this.model.identity };
  }

  async identify(): Promise<DeviceIdentity> {
    this.ready();
    return { ...this.model.identity };
  }

  async configuration(): Promise<DeviceConfiguration> {
    this.ready();
    return this.model.configuration();
  }

  async setSource(s: SourceSettings): Promise<void> {
    this.ready();
    this.guard(() => {
      if (s.site !== undefined) this.model.setSite(s.site);
      if (s.amplitude !== undefined) this.model.setAmplitude(s.amplitude);
      if (s.omega !== undefined) this.model.setFrequency(s.omega);
    });
  }

  async sweep(spec: SweepSpec, fromIndex = 0): Promise<void> {
    this.ready();
    this.guard(() => this.model.startSweep(spec, fromIndex));
    this.sync();
  }

  async startStreaming(): Promise<void> {
    this.ready();
    this.model.setStreaming(true);
    this.sync();
  }

  async stopStreaming(): Promise<void> {
    this.ready();
    this.model.setStreaming(false);
    this.sync();
  }

  async status(): Promise<DeviceStatus> {
    this.ready();
    return { ...this.model.status(), state: this.sm.state };
  }

  counters(): DeviceCounters {
    return { frames: this.frameCount, bytes: 0, checksumErrors: 0, rejects: {}, gaps: 0, missingFrames: 0, reconnects: 0, sequenceResets: 0 };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.ticker?.unsubscribe();
    this.ticker = null;
    if (this.sm.state !== 'disconnected') this.sm.to('disconnected');
    this.completeOutputs();
  }

  private live(): void {
    if (this.closed) throw new HoloringError(RingErrors.CLOSED, 'the simulated device was closed', {});
  }

  private ready(): void {
    this.live();
    if (this.sm.state === 'disconnected' || this.sm.state === 'connecting') throw new HoloringError(RingErrors.NOT_CONNECTED, 'the simulated device is not connected: call connect() first', {});
  }

  /** The device's refusals become the same error the serial driver gives for a device error reply. */
  private guard(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      if (e instanceof DeviceModelError) throw new HoloringError(RingErrors.DEVICE_ERROR, `device refused the command: ${e.code}: ${e.message}`, { deviceCode: e.code });
      throw e;
    }
  }

  private sync(): void {
    const on = this.model.streaming;
    if (on && !this.ticker) this.ticker = every(this.scheduler, 1000 / this.model.rate / this.speed, () => this.tick());
    else if (!on && this.ticker) {
      this.ticker.unsubscribe();
      this.ticker = null;
    }
    if (on && this.sm.state === 'connected') this.sm.to('streaming');
    if (!on && this.sm.state === 'streaming') this.sm.to('connected');
  }

  private tick(): void {
    if (!this.model.streaming) return this.sync();
    const { frame, sweepDone } = this.model.nextFrame((this.scheduler.now() - this.bootAt) * 1000 * this.speed);
    this.frameCount++;
    this.frames.next(frame);
    if (sweepDone !== undefined) {
      this.sync();
      this.events.next({ type: 'sweep-done', points: sweepDone });
    }
  }
}
