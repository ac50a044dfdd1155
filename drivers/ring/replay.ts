import { type SchedulerLike, asyncScheduler } from 'rxjs';
import { HoloringError } from '../../src/errors.ts';
import { type Capture, type CaptureEvent, readCapture } from './capture.ts';
import { encodeReply, parseCommand } from './codec.ts';
import { Commands, RingErrors } from './protocol.ts';
import { SerialRingDevice, type SerialDeviceOptions } from './serialDevice.ts';
import { SimpleLink, type Transport, type TransportLink } from './transport.ts';

/**
 * Replay: a recorded capture as a transport. Each `open` of the recording is
 * one link; received bytes are delivered with the recorded spacing divided by
 * `speed` (Infinity: at once), exactly as they were chunked. The host must send
 * the commands the recording sent, in order: a recorded command holds playback
 * until the host sends it, and a different command is refused
 * (RING_ERR_REPLAY_DIVERGED). A link the device lost in the recording is lost
 * again; one the host closed stays open until the host closes it. Deterministic: the same capture and commands give
 * the same bytes in the same order.
 *
 * `follow: 'session'` replays a session into a host that drives the device
 * its own way (the daemon replaying a capture made by `probe --capture` or
 * `calibrate --capture`): the recorded commands are followed while the host
 * sends the same ones (it always starts with *IDN? and CONF?); at the first
 * different command the replay answers it itself (`R,HEADER,OK`, with the
 * number of points for SWE) and from then on plays the recorded device
 * output — data frames, events, the recorded replies — without waiting for
 * commands, answering every further command the same way.
 */
export class ReplayTransport implements Transport {
  readonly description: string;
  private cursor = 0;
  private readonly scheduler: SchedulerLike;
  private readonly speed: number;
  private readonly follow: ReplayFollow;

  constructor(
    private readonly capture: Capture,
    opts: { scheduler?: SchedulerLike; speed?: number; origin?: string; follow?: ReplayFollow } = {},
  ) {
    this.follow = opts.follow ?? 'commands';
    this.scheduler = opts.scheduler ?? asyncScheduler;
    this.speed = opts.speed ?? 1;
    if (!(this.speed > 0)) throw new HoloringError('RING_ERR_ARG_INVALID', `replay speed must be > 0 (got ${this.speed})`, { speed: this.speed });
    this.description = `replay of ${opts.origin ?? capture.header.port}`;
  }

  async open(): Promise<TransportLink> {
    const ev = this.capture.events;
    while (this.cursor < ev.length && !('open' in ev[this.cursor])) this.cursor++;
    if (this.cursor >= ev.length) throw new HoloringError(RingErrors.REPLAY_END, `${this.description}: the capture has no more sessions`, {});
    const start = ++this.cursor;
    let end = start;
    while (end < ev.length && !('open' in ev[end]) && !('close' in ev[end])) end++;
    const segment = ev.slice(start, end + (end < ev.length && 'close' in ev[end] ? 1 : 0));
    this.cursor = end;
    return new ReplayLink(segment, ev[start - 1].t, this.scheduler, this.speed, this.description, this.follow).link;
  }
}

class ReplayLink {
  readonly link: SimpleLink;
  private i = 0;
  private lastT: number;
  /** Index of the next recorded command not yet sent by the host. */
  private nextTx: number;
  private timerPending = false;
  private stopped = false;
  /** Session mode after the host diverged: play the device output, answer commands here. */
  private free = false;

  constructor(
    private readonly events: CaptureEvent[],
    t0: number,
    private readonly scheduler: SchedulerLike,
    private readonly speed: number,
    private readonly description: string,
    private readonly follow: ReplayFollow = 'commands',
  ) {
    this.lastT = t0;
    this.nextTx = this.findTx(0);
    this.link = new SimpleLink(
      async (text) => this.hostWrote(text),
      async () => {
        this.stopped = true;
      },
    );
    queueMicrotask(() => this.pump());
  }

  private findTx(from: number): number {
    let k = from;
    while (k < this.events.length && !('tx' in this.events[k])) k++;
    return k;
  }

  private hostWrote(text: string): void {
    const e = this.events[this.nextTx];
    if (this.free || (this.follow === 'session' && (!e || !('tx' in e) || e.tx !== text))) {
      this.free = true;
      this.nextTx = this.events.length;
      queueMicrotask(() => {
        if (!this.stopped) this.link.deliver(sessionReply(text));
        this.pump();
      });
      return;
    }
    if (!e || !('tx' in e) || e.tx !== text) {
      const want = e && 'tx' in e ? JSON.stringify(e.tx) : 'no further command';
      throw new HoloringError(RingErrors.REPLAY_DIVERGED, `${this.description}: the host sent ${JSON.stringify(text)} where the recording has ${want}`, { sent: text });
    }
    this.nextTx = this.findTx(this.nextTx + 1);
    queueMicrotask(() => this.pump());
  }

  /** Plays events until one must wait (for time or for a command). */
  private pump(): void {
    if (this.timerPending) return;
    while (!this.stopped && this.i < this.events.length) {
      const e = this.events[this.i];
      if ('close' in e && e.close === 'host') return; // the host closed it in the recording: wait for ours
      if ('tx' in e) {
        if (this.i >= this.nextTx && !this.free) return; // waiting for the host to send it
        this.lastT = e.t;
        this.i++;
        continue;
      }
      const delay = Number.isFinite(this.speed) ? (e.t - this.lastT) / this.speed : 0;
      if (delay > 0) {
        this.timerPending = true;
        this.scheduler.schedule(() => {
          this.timerPending = false;
          this.step(e);
          this.pump();
        }, delay);
        return;
      }
      this.step(e);
    }
  }

  private step(e: CaptureEvent): void {
    this.lastT = e.t;
    this.i++;
    this.apply(e);
  }

  private apply(e: CaptureEvent): void {
    if (this.stopped) return;
    if ('rx' in e) this.link.deliver(Buffer.from(e.rx, 'base64'));
    else if ('close' in e) this.link.end(e.close);
  }
}

/** How a replay treats the host's commands: `commands` (the recorded ones, in order) or `session` (any; see ReplayTransport). */
export type ReplayFollow = 'commands' | 'session';

/** The replay's own answer to a command the recording did not send: OK, with the point count for SWE. */
function sessionReply(text: string): Buffer {
  const { header, args } = parseCommand(text.trim());
  if (header === Commands.SWEEP) {
    const [start, stop, step] = args.map(Number);
    const points = step > 0 && stop >= start ? Math.floor((stop - start) / step + 1e-9) + 1 : 0;
    return encodeReply(header, true, [points]);
  }
  return encodeReply(header, true);
}

/** A device that replays a capture file (or parsed capture) behind the device contract. */
export function createReplayDevice(capture: string | Capture, opts: { speed?: number; scheduler?: SchedulerLike; follow?: ReplayFollow } & Omit<SerialDeviceOptions, 'transport' | 'source'> = {}): SerialRingDevice {
  const cap = typeof capture === 'string' ? readCapture(capture) : capture;
  const transport = new ReplayTransport(cap, { scheduler: opts.scheduler, speed: opts.speed, origin: typeof capture === 'string' ? capture : undefined, follow: opts.follow });
  return new SerialRingDevice({ watchdogMs: Infinity, ...opts, transport, source: 'replay' });
}
