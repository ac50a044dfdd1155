import { Subject, skip, type SchedulerLike, type Subscription, asyncScheduler } from 'rxjs';
import type { DeviceConfiguration, DeviceCounters, DeviceIdentity, DeviceState, DeviceStatus, RingDevice, SourceSettings, SweepSpec } from '../../src/contracts/device.ts';
import type { FrameSource } from '../../src/contracts/frame.ts';
import { HoloringError, isHoloringError } from '../../src/errors.ts';
import { type Logger, silentLogger } from '../../src/log.ts';
import type { CaptureSink } from './capture.ts';
import { type DeviceMessage, formatCommand } from './codec.ts';
import { RingDecoder } from './decoder.ts';
import { Commands, DeviceEvents, type RejectKind, RingErrors, SUPPORTED_MAJOR, identityFromReply, isCompatibleVersion } from './protocol.ts';
import { FrameAccounting } from './accounting.ts';
import { FaultSummary } from './faultSummary.ts';
import { IdleWatchdog } from './watchdog.ts';
import { DeviceOutputs } from './deviceBase.ts';
import type { Transport, TransportLink } from './transport.ts';
import { CommandWaiter } from './waiter.ts';
import { definedOnly } from '../../src/util/options.ts';

export interface SerialDeviceOptions {
  transport: Transport;
  scheduler?: SchedulerLike;
  /** Label of the frames (default 'serial'). */
  source?: FrameSource;
  commandTimeoutMs?: number;
  /** No bytes for this long while streaming → stalled (Infinity: off). */
  watchdogMs?: number;
  /** No bytes for this long while streaming → drop the link and reconnect. */
  stallReconnectMs?: number;
  backoff?: { initialMs: number; maxMs: number; factor: number };
  capture?: CaptureSink;
  /** Structured logger; the driver logs through a child `{component: 'device', port}`. */
  logger?: Logger;
}

export const SERIAL_DEFAULTS = {
  commandTimeoutMs: 2000,
  watchdogMs: 2000,
  stallReconnectMs: 10_000,
  backoff: { initialMs: 250, maxMs: 10_000, factor: 2 },
} as const;

/**
 * The device driver: transport → framing → codec → device. One command
 * waiter, the connection state as data, counters, sequence gaps as data,
 * reconnection with backoff, a no-data watchdog, and on reconnect it
 * re-identifies the device, restores the source and resumes the sweep.
 */
export class SerialRingDevice extends DeviceOutputs implements RingDevice {
  private readonly o: Required<Omit<SerialDeviceOptions, 'capture' | 'logger'>> & { capture?: CaptureSink };
  private readonly log: Logger;
  private readonly rejected = new Subject<HoloringError>();
  private readonly scheduler: SchedulerLike;
  private readonly waiter: CommandWaiter;
  private readonly decoder: RingDecoder;
  private readonly acct = new FrameAccounting();
  private readonly faults: FaultSummary;
  private readonly watchdog: IdleWatchdog | null;
  private link: TransportLink | null = null;
  private linkSubs: Subscription[] = [];
  private retry: Subscription | null = null;
  private attempt = 0;
  private closing = false;
  private established = false;
  private captureT0: number;
  private ident: DeviceIdentity | null = null;
  private readonly counts = { frames: 0, reconnects: 0, replies: 0, events: 0, unexpectedReplies: 0 };
  /** What the host asked for, restored after a reconnect. */
  private readonly wanted: { source: SourceSettings; streaming: boolean; sweep: (SweepSpec & { index: number }) | null } = { source: {}, streaming: false, sweep: null };

  constructor(opts: SerialDeviceOptions) {
    super();
    const given = definedOnly(opts);
    this.o = { source: 'serial', ...SERIAL_DEFAULTS, scheduler: asyncScheduler, ...given, transport: opts.transport };
    this.scheduler = this.o.scheduler;
    this.log = (opts.logger ?? silentLogger()).child({ component: 'device', port: opts.transport.description });
    this.sm.state$.pipe(skip(1)).subscribe((to) => this.log[(to === 'stalled' || to === 'disconnected') && !this.closing ? 'warn' : 'info']({ event: 'state', state: to }, `device ${to}`));
    this.captureT0 = this.scheduler.now();
    this.waiter = new CommandWaiter(this.scheduler, { port: opts.transport.description });
    this.decoder = new RingDecoder((m) => this.onMessage(m), this.o.source, { onReject: (code) => this.onReject(code) });
    this.faults = new FaultSummary(this.log, this.scheduler, () => ({ ...this.acct.account(), rejects: { ...this.decoder.rejects } }));
    this.watchdog = Number.isFinite(this.o.watchdogMs) ? new IdleWatchdog(this.scheduler, Math.max(1, this.o.watchdogMs / 4), (idle) => this.checkWatchdog(idle)) : null;
  }

  get state(): DeviceState {
    return this.sm.state;
  }

  async connect(): Promise<DeviceIdentity> {
    if (this.closing) throw this.closedError();
    if (this.established) return this.ident!;
    await this.establish(false);
    return this.ident!;
  }

  async identify(): Promise<DeviceIdentity> {
    const f = await this.command(Commands.IDENTIFY);
    const id = identityFromReply(f);
    if (!id) throw new HoloringError(RingErrors.MALFORMED, `*IDN? reply has ${f.length} fields, expected 4`, { port: this.port });
    if (!isCompatibleVersion(id.protocolVersion)) {
      throw new HoloringError(RingErrors.PROTOCOL_VERSION, `device ${id.model} ${id.serial} on ${this.port} speaks protocol ${id.protocolVersion}; this host speaks ${SUPPORTED_MAJOR}.x — update the device firmware or holoring`, { port: this.port, deviceVersion: id.protocolVersion });
    }
    this.ident = id;
    return id;
  }

  async configuration(): Promise<DeviceConfiguration> {
    const f = await this.command(Commands.CONFIGURATION);
    const [sites, sourceWidth, maxAmplitude] = f.map(Number);
    if (f.length < 3 || !Number.isInteger(sites) || !Number.isFinite(sourceWidth) || !Number.isFinite(maxAmplitude)) {
      throw new HoloringError(RingErrors.MALFORMED, `CONF? reply is not sites,width,maxAmplitude: ${f.join(',')}`, { port: this.port });
    }
    return { sites, sourceWidth, maxAmplitude };
  }

  async setSource(s: SourceSettings): Promise<void> {
    if (s.site !== undefined) await this.command(Commands.SOURCE_SITE, [s.site]);
    if (s.amplitude !== undefined) await this.command(Commands.SOURCE_AMPLITUDE, [s.amplitude]);
    if (s.omega !== undefined) await this.command(Commands.SOURCE_FREQUENCY, [s.omega]);
    Object.assign(this.wanted.source, s);
  }

  async sweep(spec: SweepSpec, fromIndex = 0): Promise<void> {
    await this.command(Commands.SWEEP, [spec.start, spec.stop, spec.step, spec.dwellMs, ...(fromIndex ? [fromIndex] : [])]);
    this.wanted.sweep = { ...spec, index: fromIndex };
    this.wanted.streaming = true;
    this.markStreaming();
  }

  async startStreaming(): Promise<void> {
    await this.command(Commands.STREAM, ['ON']);
    this.wanted.streaming = true;
    this.markStreaming();
  }

  async stopStreaming(): Promise<void> {
    await this.streamOff();
    this.wanted.streaming = false;
    this.wanted.sweep = null;
    if (this.sm.state === 'streaming' || this.sm.state === 'stalled') this.sm.to('connected');
  }

  async status(): Promise<DeviceStatus> {
    const f = await this.command(Commands.STATUS);
    const v = f.map(Number);
    if (f.length < 7 || v.some((x) => !Number.isFinite(x))) throw new HoloringError(RingErrors.MALFORMED, `STAT? reply is malformed: ${f.join(',')}`, { port: this.port });
    const sw = this.wanted.sweep;
    return {
      state: this.sm.state,
      streaming: v[0] === 1,
      source: { site: v[1], amplitude: v[2], omega: v[3] },
      ...(v[4] >= 0 && sw ? { sweep: { start: sw.start, stop: sw.stop, step: sw.step, dwellMs: sw.dwellMs, index: v[4] } } : {}),
      temperatureK: v[6],
    };
  }

  counters(): DeviceCounters {
    const rejects: Record<string, number> = { ...this.decoder.rejects, [RingErrors.UNEXPECTED_REPLY]: this.counts.unexpectedReplies };
    return {
      frames: this.counts.frames,
      bytes: this.decoder.bytes,
      checksumErrors: this.decoder.rejects[RingErrors.CHECKSUM],
      rejects,
      gaps: this.acct.gaps,
      missingFrames: this.acct.missingTotal,
      reconnects: this.counts.reconnects,
      sequenceResets: this.acct.restarts,
      replies: this.counts.replies,
      events: this.counts.events,
      account: this.acct.account(),
    };
  }

  async close(): Promise<void> {
    if (this.closing) return;
    if (this.established && this.wanted.streaming) await this.streamOff(500).catch(() => undefined);
    this.closing = true;
    this.retry?.unsubscribe();
    this.waiter.failAll((c) => new HoloringError(RingErrors.CLOSED, `${c} abandoned: the device was closed`, { port: this.port, command: c }));
    await this.dropLink();
    this.sm.to('disconnected');
    this.faults.flush();
    await this.o.capture?.close();
    this.completeOutputs();
    this.rejected.complete();
  }

  /**
   * `STRM OFF`. A device of protocol 1.1 names in its reply the last frame it
   * numbered: frames after the last one received never will be, and are
   * accounted at once (a gap of cause `stop`, or `rejected` for those that
   * arrived damaged). A 1.0 device's reply has no field: nothing to account.
   */
  private async streamOff(timeoutMs = this.o.commandTimeoutMs): Promise<void> {
    const fields = await this.command(Commands.STREAM, ['OFF'], timeoutMs);
    const lastSeq = fields.length > 0 && /^\d+$/.test(fields[0]) ? Number(fields[0]) : null;
    if (lastSeq === null) return;
    const gap = this.acct.stopped(lastSeq, this.scheduler.now());
    if (gap) {
      this.faults.gap(gap);
      this.gaps.next(gap);
    }
  }

  private get port(): string {
    return this.o.transport.description;
  }

  private closedError(): HoloringError {
    return new HoloringError(RingErrors.CLOSED, `the device on ${this.port} was closed`, { port: this.port });
  }

  /** Public commands need an established connection; internal ones run while (re)connecting. */
  private command(header: string, args: (string | number)[] = [], timeoutMs = this.o.commandTimeoutMs, internal = false): Promise<string[]> {
    if (this.closing) return Promise.reject(this.closedError());
    const link = this.link;
    if (!link || (!internal && !this.established && this.sm.state !== 'connecting')) {
      return Promise.reject(new HoloringError(RingErrors.NOT_CONNECTED, `cannot send ${header}: the device on ${this.port} is ${this.sm.state}`, { port: this.port, command: header }));
    }
    const line = formatCommand(header, args);
    return this.waiter.run(header, () => {
      this.capture({ t: this.t(), tx: line });
      return link.write(line);
    }, timeoutMs);
  }

  private t(): number {
    return this.scheduler.now() - this.captureT0;
  }

  private capture(e: Parameters<CaptureSink['record']>[0]): void {
    this.o.capture?.record(e);
  }

  private async establish(isReconnect: boolean): Promise<void> {
    this.sm.to('connecting');
    let link: TransportLink;
    try {
      link = await this.o.transport.open();
    } catch (e) {
      this.sm.to('disconnected');
      throw e;
    }
    if (this.closing) {
      await link.close();
      throw this.closedError();
    }
    this.attach(link);
    try {
      await this.identify();
      if (isReconnect) await this.restore();
      if (this.link !== link) throw new HoloringError(RingErrors.DISCONNECTED, `${this.port} went away while connecting`, { port: this.port });
    } catch (e) {
      await this.dropLink();
      this.sm.to('disconnected');
      throw e;
    }
    this.established = true;
    this.sm.to('connected');
    if (this.wanted.streaming) this.markStreaming();
  }

  /** After a reconnect: the device may have rebooted, so put back what the host asked for. */
  private async restore(): Promise<void> {
    const s = this.wanted.source;
    if (s.site !== undefined) await this.command(Commands.SOURCE_SITE, [s.site], undefined, true);
    if (s.amplitude !== undefined) await this.command(Commands.SOURCE_AMPLITUDE, [s.amplitude], undefined, true);
    if (s.omega !== undefined) await this.command(Commands.SOURCE_FREQUENCY, [s.omega], undefined, true);
    const sw = this.wanted.sweep;
    if (sw) await this.command(Commands.SWEEP, [sw.start, sw.stop, sw.step, sw.dwellMs, sw.index], undefined, true);
    else if (this.wanted.streaming) await this.command(Commands.STREAM, ['ON'], undefined, true);
  }

  private attach(link: TransportLink): void {
    this.link = link;
    this.decoder.reset();
    this.capture({ t: this.t(), open: true });
    this.linkSubs = [
      link.data$.subscribe((b) => {
        this.watchdog?.fed();
        this.capture({ t: this.t(), rx: b.toString('base64') });
        if (this.sm.state === 'stalled') this.sm.to('streaming');
        this.decoder.push(b);
      }),
      link.closed$.subscribe((c) => this.onLinkClosed(link, c.reason)),
    ];
    this.watchdog?.start();
  }

  private async dropLink(): Promise<void> {
    const link = this.link;
    this.link = null;
    this.established = false;
    this.watchdog?.stop();
    // whatever the device sends until the next link is lost to us: the next gap says so
    this.acct.linkDown(this.scheduler.now());
    for (const s of this.linkSubs.splice(0)) s.unsubscribe();
    if (link) {
      await link.close();
      this.capture({ t: this.t(), close: 'host' });
    }
  }

  private onLinkClosed(link: TransportLink, reason: string): void {
    if (link !== this.link || this.closing) return;
    this.capture({ t: this.t(), close: reason });
    this.lose(reason);
  }

  /** The link is gone (or useless): fail the waiting command, reconnect with backoff. */
  private lose(reason: string): void {
    const wasEstablished = this.established;
    this.log.warn({ event: 'link-lost', reason }, `link lost: ${reason}`);
    this.waiter.failAll((c) => new HoloringError(RingErrors.DISCONNECTED, `${c} abandoned: ${this.port} ${reason}`, { port: this.port, command: c, reason }));
    void this.dropLink();
    this.sm.to('disconnected');
    if (wasEstablished) this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closing) return;
    const b = this.o.backoff;
    const delay = Math.min(b.maxMs, b.initialMs * b.factor ** this.attempt);
    this.attempt++;
    const attempt = this.attempt;
    this.log.info({ event: 'reconnect-scheduled', attempt, delayMs: delay }, `reconnect attempt ${attempt} in ${delay} ms`);
    this.retry = this.scheduler.schedule(() => {
      this.establish(true).then(
        () => {
          this.attempt = 0;
          this.counts.reconnects++;
          this.log.info({ event: 'reconnected', attempt, reconnects: this.counts.reconnects }, 'device reconnected');
        },
        (e: unknown) => {
          this.log.warn({ event: 'reconnect-failed', attempt, code: isHoloringError(e) ? e.code : undefined, err: (e as Error)?.message }, `reconnect attempt ${attempt} failed`);
          // an incompatible device will not become compatible by retrying, nor will a replay grow
          if (isHoloringError(e) && (e.code === RingErrors.PROTOCOL_VERSION || e.code === RingErrors.REPLAY_END)) {
            this.events.next({ type: 'error', code: e.code, message: e.message });
            return;
          }
          this.scheduleReconnect();
        },
      );
    }, delay);
  }

  private checkWatchdog(idle: number): void {
    const st = this.sm.state;
    if (st !== 'streaming' && st !== 'stalled') return;
    if (idle >= this.o.stallReconnectMs) this.lose(`sent no data for ${Math.round(idle)} ms`);
    else if (idle >= this.o.watchdogMs && st === 'streaming') this.sm.to('stalled');
  }

  private markStreaming(): void {
    this.watchdog?.fed();
    if (this.sm.state === 'connected') this.sm.to('streaming');
  }

  /** Rejected input as errors with context (port, last good sequence number); counted in counters().rejects. */
  readonly rejects$ = this.rejected.asObservable();

  private onReject(code: RejectKind): void {
    const err = new HoloringError(code, `rejected input on ${this.port} (${code})`, { port: this.port, lastGoodSeq: this.acct.lastSeq });
    this.log.debug({ event: 'reject', code, lastGoodSeq: this.acct.lastSeq }, err.message);
    // every reject but stray garbage may have been a data frame: it explains a hole in the numbering
    if (code !== RingErrors.GARBAGE) this.acct.reject();
    this.faults.reject(code);
    this.rejected.next(err);
  }

  private onMessage(m: DeviceMessage): void {
    if (m.type === 'data') {
      const f = m.frame;
      const { accept, gap } = this.acct.frame(f.seq, this.scheduler.now(), f.deviceTimeUs);
      if (gap) {
        this.faults.gap(gap);
        // the gap (a restart marker too) goes out before the first frame after it
        this.gaps.next(gap);
      }
      if (!accept) return;
      this.counts.frames++;
      const sw = this.wanted.sweep;
      if (sw) sw.index = Math.min(Math.max(0, Math.round((f.omega - sw.start) / sw.step)), Math.floor((sw.stop - sw.start) / sw.step + 1e-9));
      this.frames.next(f);
    } else if (m.type === 'reply') {
      this.counts.replies++;
      if (!this.waiter.offer(m)) this.counts.unexpectedReplies++;
    } else {
      this.counts.events++;
      if (m.name === DeviceEvents.SWEEP_DONE && this.established) {
        this.wanted.sweep = null;
        this.wanted.streaming = false;
        if (this.sm.state === 'streaming' || this.sm.state === 'stalled') this.sm.to('connected');
        this.events.next({ type: 'sweep-done', points: Number(m.fields[0]) });
      } else if (m.name === DeviceEvents.BOOT) {
        this.acct.boot();
        this.events.next({ type: 'boot', protocolVersion: m.fields[0] ?? '' });
        // the device restarted under us and forgot its settings: reconnect, which re-identifies and restores them
        if (this.established) this.lose('rebooted');
      }
    }
  }
}
