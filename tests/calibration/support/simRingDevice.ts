import { BehaviorSubject, Subject } from 'rxjs';
import type { DeviceConfiguration, DeviceCounters, DeviceIdentity, DeviceState, DeviceStatus, RingDevice, SequenceGap, SourceSettings, SweepSpec } from '../../../src/contracts/device.ts';
import type { RingFrame } from '../../../src/contracts/frame.ts';
import { type RingSimulator, SIM_DEFAULTS } from '../../../drivers/sim/simulator.ts';

/**
 * Test-local RingDevice over a RingSimulator: while streaming, one frame per
 * macrotask at the current source settings. Enough for the calibration procedure.
 */
export class TestSimDevice implements RingDevice {
  readonly frames$ = new Subject<RingFrame>();
  readonly state$ = new BehaviorSubject<DeviceState>('connected');
  readonly gaps$ = new Subject<SequenceGap>();
  private source: Required<SourceSettings> = { site: 0, amplitude: SIM_DEFAULTS.amplitude, omega: 1 };
  private streaming = false;
  private timer: NodeJS.Immediate | null = null;
  private frameCount = 0;
  constructor(
    readonly sim: RingSimulator,
    readonly ident: DeviceIdentity = { model: 'HR-SIM', serial: 'SIM-0001', firmware: 'sim', protocolVersion: '1.0' },
  ) {}
  async connect(): Promise<DeviceIdentity> { return this.ident; }
  async identify(): Promise<DeviceIdentity> { return this.ident; }
  async configuration(): Promise<DeviceConfiguration> { return { sites: this.sim.sites, sourceWidth: this.sim.width, maxAmplitude: 10 }; }
  async setSource(s: SourceSettings): Promise<void> { this.source = { ...this.source, ...s }; }
  async sweep(_spec: SweepSpec): Promise<void> { throw new Error('not used'); }
  async startStreaming(): Promise<void> {
    this.streaming = true;
    const tick = (): void => {
      if (!this.streaming) return;
      this.frameCount++;
      this.frames$.next(this.sim.frame({ omega: this.source.omega, sourceSite: this.source.site, amplitude: this.source.amplitude }));
      this.timer = setImmediate(tick);
    };
    this.timer = setImmediate(tick);
  }
  async stopStreaming(): Promise<void> {
    this.streaming = false;
    if (this.timer) clearImmediate(this.timer);
  }
  async status(): Promise<DeviceStatus> { return { state: 'connected', streaming: this.streaming, source: this.source }; }
  counters(): DeviceCounters { return { frames: this.frameCount, bytes: 0, checksumErrors: 0, rejects: {}, gaps: 0, missingFrames: 0, reconnects: 0 }; }
  async close(): Promise<void> { await this.stopStreaming(); this.frames$.complete(); }
}
