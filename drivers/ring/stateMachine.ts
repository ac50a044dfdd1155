import { BehaviorSubject, distinctUntilChanged } from 'rxjs';
import type { DeviceState } from '../../src/contracts/device.ts';

/** The connection state machine, as data: which state may follow which. */
export const DEVICE_TRANSITIONS: Readonly<Record<DeviceState, readonly DeviceState[]>> = Object.freeze({
  disconnected: ['connecting'],
  connecting: ['connected', 'disconnected'],
  connected: ['streaming', 'disconnected'],
  streaming: ['connected', 'stalled', 'disconnected'],
  stalled: ['streaming', 'connected', 'disconnected'],
});

export class DeviceStateMachine {
  private readonly subject = new BehaviorSubject<DeviceState>('disconnected');
  readonly state$ = this.subject.pipe(distinctUntilChanged());
  /** The last transitions taken, oldest first (bounded, for diagnostics). */
  readonly history: DeviceState[] = ['disconnected'];
  static readonly HISTORY_LIMIT = 100;

  get state(): DeviceState {
    return this.subject.value;
  }

  /** Moves to `next`; a move the table does not allow is a programming error. */
  to(next: DeviceState): void {
    const cur = this.subject.value;
    if (cur === next) return;
    if (!DEVICE_TRANSITIONS[cur].includes(next)) throw new Error(`illegal device state transition ${cur} → ${next}`);
    this.history.push(next);
    if (this.history.length > DeviceStateMachine.HISTORY_LIMIT) this.history.shift();
    this.subject.next(next);
  }

  complete(): void {
    this.subject.complete();
  }
}
