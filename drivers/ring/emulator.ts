import { type SchedulerLike, type Subscription, asyncScheduler } from 'rxjs';
import { Rng } from '../../src/util/random.ts';
import { encodeDataFrame, encodeEvent, encodeReply, parseCommand } from './codec.ts';
import { NO_FAULTS, type FaultEvent, type FaultPlan } from './faults.ts';
import { DeviceModelError, RingDeviceModel, every } from './model.ts';
import { Commands, DeviceErrorCodes, DeviceEvents, LINE_END, MAX_COMMAND_BYTES } from './protocol.ts';

/**
 * The protocol server of an emulated ring: commands in, replies and data frames
 * out, over any byte link (a socat pty in `holoring emulate`, an in-memory pipe
 * in tests). Paced by an injected scheduler; faults from a FaultPlan.
 */
export interface EmulatorLink {
  /** Writes bytes to the host; false when the link is backed up (the bytes are not sent). */
  write(bytes: Buffer): boolean;
}

export interface EmulatorOptions {
  model: RingDeviceModel;
  scheduler?: SchedulerLike;
  /** Time runs this much faster than real time (dwell and frame period shrink). */
  speed?: number;
  faults?: FaultPlan;
  /** Seed of the fault injection. */
  seed?: number;
  /**
   * Called on a `disconnect` or `unplug` fault: the hosting link should vanish for `seconds` (wall
   * time) and reappear, with the device rebooted (`reboot`, a disconnect) or not (an unplug).
   */
  onDisconnect?: (seconds: number, reboot: boolean) => void;
}

export interface EmulatorStats {
  /** Data frames given a sequence number: sent, dropped on purpose, or unsent. */
  numbered: number;
  sent: number;
  corrupted: number;
  /** Bursts of line noise sent between frames. */
  garbage: number;
  dropped: number;
  /** Frames not sent because the link was backed up or absent. */
  unsent: number;
  commands: number;
  /** Boots after the first (a disconnect brings the device back rebooted, or a reboot event). */
  reboots: number;
  /** One entry per numbering (the first boot, then one per reboot): frames numbered and the last seq given (null: none). */
  numberings: { numbered: number; lastSeq: number | null }[];
}

export class RingEmulator {
  readonly model: RingDeviceModel;
  private readonly scheduler: SchedulerLike;
  private readonly speed: number;
  private readonly faults: { corrupt: number; drop: number; garbage: number; replyDelayMs: number };
  private readonly plan: FaultPlan;
  private readonly rng: Rng;
  private readonly onDisconnect?: (seconds: number, reboot: boolean) => void;
  private link: EmulatorLink | null = null;
  private readonly subs = new Set<Subscription>();
  private ticker: Subscription | null = null;
  private stalledUntil = -Infinity;
  private bootAt = 0;
  private cmdBuf = '';
  private cmdOverflow = false;
  private readonly counts: Omit<EmulatorStats, 'numberings'> = { numbered: 0, sent: 0, corrupted: 0, garbage: 0, dropped: 0, unsent: 0, commands: 0, reboots: 0 };
  private readonly numberings: EmulatorStats['numberings'] = [{ numbered: 0, lastSeq: null }];

  constructor(opts: EmulatorOptions) {
    this.model = opts.model;
    this.scheduler = opts.scheduler ?? asyncScheduler;
    this.speed = opts.speed ?? 1;
    this.plan = opts.faults ?? NO_FAULTS;
    this.faults = { corrupt: this.plan.corrupt, drop: this.plan.drop, garbage: this.plan.garbage ?? 0, replyDelayMs: this.plan.replyDelayMs };
    this.rng = new Rng((opts.seed ?? 1) ^ 0x0fa017);
    this.onDisconnect = opts.onDisconnect;
  }

  /** Starts the device clock. The fault timeline starts with the first command a host sends. */
  start(): void {
    this.bootAt = this.scheduler.now();
  }

  private timelineStarted = false;

  private startTimeline(): void {
    if (this.timelineStarted) return;
    this.timelineStarted = true;
    for (const ev of this.plan.events) this.later((ev.at * 1000) / this.speed, () => this.applyEvent(ev));
  }

  stop(): void {
    this.ticker?.unsubscribe();
    this.ticker = null;
    for (const s of this.subs) s.unsubscribe();
    this.subs.clear();
    this.link = null;
  }

  /**
   * A host link appeared: the first time (power-on), after a disconnect (the
   * device rebooted), or a host reopening the port (no reboot: the numbering
   * goes on). BOOT is announced only when the device booted.
   */
  attach(link: EmulatorLink, rebooted = false): void {
    this.link = link;
    this.cmdBuf = '';
    if (rebooted) this.resetModel();
    if (rebooted || !this.booted) link.write(encodeEvent(DeviceEvents.BOOT, [this.model.identity.protocolVersion]));
    this.booted = true;
  }

  private booted = false;

  detach(): void {
    this.link = null;
  }

  /** The device restarts without leaving the bus: settings back to defaults, a BOOT event. */
  reboot(): void {
    this.resetModel();
    this.send(encodeEvent(DeviceEvents.BOOT, [this.model.identity.protocolVersion]));
  }

  /** The device stops sending data frames for good (no more are numbered); commands are still answered. */
  hold(): void {
    this.stalledUntil = Infinity;
  }

  stats(): EmulatorStats {
    return { ...this.counts, numberings: this.numberings.map((n) => ({ ...n })) };
  }

  /** The device restarts: power-on settings, and a new numbering from seq 0. */
  private resetModel(): void {
    this.model.reset();
    this.syncTicker();
    this.counts.reboots++;
    this.numberings.push({ numbered: 0, lastSeq: null });
  }

  /** Bytes from the host. */
  receive(chunk: Buffer): void {
    let text = chunk.toString('latin1');
    while (text.length) {
      const nl = text.indexOf(String.fromCharCode(LINE_END));
      const part = nl < 0 ? text : text.slice(0, nl);
      text = nl < 0 ? '' : text.slice(nl + 1);
      if (!this.cmdOverflow) this.cmdBuf += part;
      if (this.cmdBuf.length > MAX_COMMAND_BYTES) {
        this.cmdOverflow = true;
        this.cmdBuf = '';
      }
      if (nl < 0) break;
      if (this.cmdOverflow) {
        this.cmdOverflow = false;
        this.reply('?', false, [DeviceErrorCodes.LINE_TOO_LONG, `command lines are limited to ${MAX_COMMAND_BYTES} bytes`]);
      } else if (this.cmdBuf.trim() !== '') this.execute(this.cmdBuf);
      this.cmdBuf = '';
    }
  }

  private now(): number {
    return this.scheduler.now();
  }

  private execute(line: string): void {
    this.startTimeline();
    this.counts.commands++;
    const { header, args } = parseCommand(line);
    const safeHeader = /^[A-Z0-9:*?_]{1,32}$/.test(header) ? header : '?';
    try {
      this.reply(safeHeader, true, this.dispatch(header, args));
    } catch (e) {
      if (!(e instanceof DeviceModelError)) throw e;
      this.reply(safeHeader, false, [e.code, e.message]);
    }
  }

  private dispatch(header: string, args: string[]): (string | number)[] {
    const m = this.model;
    const arg = (i: number): number => {
      const v = args[i] === undefined || args[i] === '' ? NaN : Number(args[i]);
      if (!Number.isFinite(v)) throw new DeviceModelError(DeviceErrorCodes.BAD_ARGUMENT, `${header}: argument ${i + 1} must be a number`);
      return v;
    };
    const arity = (min: number, max = min): void => {
      if (args.length < min || args.length > max) throw new DeviceModelError(DeviceErrorCodes.BAD_ARGUMENT, `${header} takes ${min === max ? min : `${min}..${max}`} argument(s)`);
    };
    switch (header) {
      case Commands.IDENTIFY: {
        arity(0);
        const id = m.identity;
        return [id.model, id.serial, id.firmware, id.protocolVersion];
      }
      case Commands.CONFIGURATION: {
        arity(0);
        const c = m.configuration();
        return [c.sites, c.sourceWidth, c.maxAmplitude];
      }
      case Commands.SOURCE_SITE:
        arity(1);
        m.setSite(arg(0));
        return [];
      case Commands.SOURCE_AMPLITUDE:
        arity(1);
        m.setAmplitude(arg(0));
        return [];
      case Commands.SOURCE_FREQUENCY:
        arity(1);
        m.setFrequency(arg(0));
        return [];
      case Commands.SWEEP: {
        arity(4, 5);
        const n = m.startSweep({ start: arg(0), stop: arg(1), step: arg(2), dwellMs: arg(3) }, args.length > 4 ? arg(4) : 0);
        this.syncTicker();
        return [n];
      }
      case Commands.STREAM: {
        arity(1);
        const on = args[0].toUpperCase();
        if (on !== 'ON' && on !== 'OFF') throw new DeviceModelError(DeviceErrorCodes.BAD_ARGUMENT, 'STRM takes ON or OFF');
        m.setStreaming(on === 'ON');
        this.syncTicker();
        // protocol 1.1: STRM OFF names the last frame numbered since boot (−1: none), so the host can account for frames in flight
        return on === 'OFF' ? [this.numberings[this.numberings.length - 1].lastSeq ?? -1] : [];
      }
      case Commands.STATUS: {
        arity(0);
        const s = m.status();
        return [s.streaming ? 1 : 0, s.source.site, s.source.amplitude, s.source.omega, s.sweep ? s.sweep.index : -1, m.sweepPoints, s.temperatureK ?? 0];
      }
      default:
        throw new DeviceModelError(DeviceErrorCodes.UNKNOWN_COMMAND, `unknown command ${header.slice(0, 32)}`);
    }
  }

  private reply(header: string, ok: boolean, fields: (string | number)[]): void {
    const bytes = encodeReply(header, ok, fields);
    const at = Math.max(this.now() + this.faults.replyDelayMs / this.speed, this.stalledUntil);
    const delay = at - this.now();
    if (delay <= 0) this.send(bytes);
    else this.later(delay, () => this.send(bytes));
  }

  /** Runs `fn` after `delay` ms unless stopped first (pending timers are tracked, and forgotten once run). */
  private later(delay: number, fn: () => void): void {
    const sub = this.scheduler.schedule(() => {
      this.subs.delete(sub);
      fn();
    }, delay);
    if (!sub.closed) this.subs.add(sub);
  }

  private send(bytes: Buffer): boolean {
    return this.link ? this.link.write(bytes) : false;
  }

  /** Keeps the frame ticker running exactly while the model streams. */
  private syncTicker(): void {
    if (this.model.streaming && !this.ticker) this.ticker = every(this.scheduler, 1000 / this.model.rate / this.speed, () => this.tick());
    else if (!this.model.streaming && this.ticker) {
      this.ticker.unsubscribe();
      this.ticker = null;
    }
  }

  private tick(): void {
    if (!this.model.streaming) return this.syncTicker();
    if (this.now() < this.stalledUntil) return;
    const { frame, sweepDone } = this.model.nextFrame((this.now() - this.bootAt) * 1000 * this.speed);
    this.counts.numbered++;
    const numbering = this.numberings[this.numberings.length - 1];
    numbering.numbered++;
    numbering.lastSeq = frame.seq;
    if (this.faults.garbage > 0 && this.rng.uniform() < this.faults.garbage && this.send(this.noise())) this.counts.garbage++;
    if (this.faults.drop > 0 && this.rng.uniform() < this.faults.drop) this.counts.dropped++;
    else {
      const bytes = encodeDataFrame(frame);
      const corrupt = this.faults.corrupt > 0 && this.rng.uniform() < this.faults.corrupt;
      if (corrupt) this.corruptBody(bytes);
      if (this.send(bytes)) {
        this.counts.sent++;
        if (corrupt) this.counts.corrupted++;
      } else this.counts.unsent++;
    }
    if (sweepDone !== undefined) {
      this.send(encodeEvent(DeviceEvents.SWEEP_DONE, [sweepDone]));
      this.syncTicker();
    }
  }

  /** 1–24 random bytes of line noise (any value: markers and line ends included). */
  private noise(): Buffer {
    const n = 1 + (this.rng.nextU32() % 24);
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = this.rng.nextU32() & 0xff;
    return b;
  }

  /** Flips one bit of one body byte, never making a frame marker or line end. */
  private corruptBody(bytes: Buffer): void {
    for (;;) {
      const at = 1 + (this.rng.nextU32() % (bytes.length - 12));
      const v = bytes[at] ^ (1 << (this.rng.nextU32() % 8));
      if (v === 0x24 || v === 0x0a || v === 0x0d) continue;
      bytes[at] = v;
      return;
    }
  }

  /**
   * Plays one fault event now, whatever its `at` (a control channel driving
   * the device at run time, e.g. `holoring emulate --control`): stall,
   * disconnect/unplug (seconds of device time), reboot, or a change of rate.
   */
  inject(ev: FaultEvent): void {
    this.applyEvent(ev);
  }

  private applyEvent(ev: FaultPlan['events'][number]): void {
    if ('stall' in ev) this.stalledUntil = this.now() + (ev.stall * 1000) / this.speed;
    else if ('disconnect' in ev || 'unplug' in ev) {
      const seconds = 'disconnect' in ev ? ev.disconnect : ev.unplug;
      if (this.onDisconnect) this.onDisconnect(seconds / this.speed, 'disconnect' in ev);
      else this.stalledUntil = this.now() + (seconds * 1000) / this.speed;
    } else if ('reboot' in ev) this.reboot();
    else if ('corrupt' in ev) this.faults.corrupt = ev.corrupt;
    else if ('garbage' in ev) this.faults.garbage = ev.garbage;
    else if ('drop' in ev) this.faults.drop = ev.drop;
    else this.faults.replyDelayMs = ev.replyDelayMs;
  }
}
