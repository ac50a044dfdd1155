import { Subject, type Observable } from 'rxjs';
import { SerialPort } from 'serialport';
import { HoloringError } from '../../src/errors.ts';
import { RingErrors } from './protocol.ts';

/**
 * The byte transport under the device driver: opening gives a link with bytes
 * in, bytes out and a close notification. Implementations: a serial port
 * (`serialport`), the in-process emulator, a replayed capture.
 */
export interface LinkClosed {
  /** 'host' when we closed it, otherwise what went wrong. */
  reason: string;
}

export interface TransportLink {
  readonly data$: Observable<Buffer>;
  /** Emits once when the link is gone (unplugged, error, or closed by us). */
  readonly closed$: Observable<LinkClosed>;
  write(text: string): Promise<void>;
  close(): Promise<void>;
}

export interface Transport {
  /** For messages: the port path or what stands in for it. */
  readonly description: string;
  open(): Promise<TransportLink>;
}

/** A link built from callbacks; implementations push bytes and report closing. */
export class SimpleLink implements TransportLink {
  private readonly data = new Subject<Buffer>();
  private readonly closed = new Subject<LinkClosed>();
  private done = false;
  readonly data$ = this.data.asObservable();
  readonly closed$ = this.closed.asObservable();

  constructor(
    private readonly writer: (text: string) => Promise<void>,
    private readonly closer: () => Promise<void>,
  ) {}

  get isClosed(): boolean {
    return this.done;
  }

  deliver(bytes: Buffer): void {
    if (!this.done) this.data.next(bytes);
  }

  /** The far side went away. */
  end(reason: string): void {
    if (this.done) return;
    this.done = true;
    this.closed.next({ reason });
    this.closed.complete();
    this.data.complete();
  }

  write(text: string): Promise<void> {
    if (this.done) return Promise.reject(new HoloringError(RingErrors.DISCONNECTED, 'the link is closed', {}));
    return this.writer(text);
  }

  async close(): Promise<void> {
    if (this.done) return;
    await this.closer().catch(() => undefined);
    this.end('host');
  }
}

/**
 * What to do about a port that would not open, from the operating system's
 * reason: a path that does not exist or is not a serial port, permissions (the
 * `dialout` group), a port another program holds; all three when the reason says none of these.
 */
export function portOpenHint(path: string, reason: string): string {
  const missing = `is it the right path? list the serial ports with \`ls /dev/serial/by-id/ /dev/ttyUSB* /dev/ttyACM*\` and try one with \`holoring probe --port PATH\``;
  const denied = `the user needs the dialout group: \`sudo usermod -aG dialout $USER\`, then log in again (under systemd: Group=dialout)`;
  const busy = `another program holds the port: \`lsof ${path}\` names it (stop it, or another holoring daemon on this port)`;
  if (/ENOENT|no such file/i.test(reason)) return missing;
  if (/EACCES|EPERM|permission denied/i.test(reason)) return denied;
  if (/EBUSY|resource busy|cannot lock|locked/i.test(reason)) return busy;
  if (/ENOTTY|inappropriate ioctl/i.test(reason)) return `${path} is not a serial port: ${missing}`;
  return `check the path (${missing}), the permissions (${denied}) and whether the port is busy (${busy})`;
}

/** A serial port through `serialport` (8N1, no flow control). */
export class SerialTransport implements Transport {
  constructor(
    readonly path: string,
    readonly baudRate = 921_600,
  ) {}

  get description(): string {
    return this.path;
  }

  open(): Promise<TransportLink> {
    const port = new SerialPort({ path: this.path, baudRate: this.baudRate, autoOpen: false });
    return new Promise((resolve, reject) => {
      port.open((err) => {
        if (err) {
          reject(new HoloringError(RingErrors.PORT_OPEN, `cannot open ${this.path}: ${err.message} — ${portOpenHint(this.path, err.message)}`, { port: this.path }));
          return;
        }
        const link = new SimpleLink(
          (text) => new Promise((res, rej) => port.write(text, 'latin1', (e) => (e ? rej(new HoloringError(RingErrors.DISCONNECTED, `write to ${this.path} failed: ${e.message}`, { port: this.path })) : res()))),
          () => new Promise<void>((res) => (port.isOpen ? port.close(() => res()) : res())),
        );
        port.on('data', (b: Buffer) => link.deliver(b));
        port.on('error', (e: Error) => {
          link.end(`error: ${e.message}`);
          if (port.isOpen) port.close(() => undefined);
        });
        port.on('close', (e?: Error & { disconnected?: boolean }) => link.end(e?.disconnected ? 'disconnected' : e ? `closed: ${e.message}` : 'closed'));
        resolve(link);
      });
    });
  }
}
