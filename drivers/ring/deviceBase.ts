import { Subject } from 'rxjs';
import type { DeviceEvent, SequenceGap } from '../../src/contracts/device.ts';
import type { RingFrame } from '../../src/contracts/frame.ts';
import { DeviceStateMachine } from './stateMachine.ts';

/** What every device publishes: frames, gaps, events and its state; all complete on close. */
export abstract class DeviceOutputs {
  protected readonly frames = new Subject<RingFrame>();
  protected readonly gaps = new Subject<SequenceGap>();
  protected readonly events = new Subject<DeviceEvent>();
  protected readonly sm = new DeviceStateMachine();
  readonly frames$ = this.frames.asObservable();
  readonly gaps$ = this.gaps.asObservable();
  readonly events$ = this.events.asObservable();
  readonly state$ = this.sm.state$;

  protected completeOutputs(): void {
    this.frames.complete();
    this.gaps.complete();
    this.events.complete();
    this.sm.complete();
  }
}
