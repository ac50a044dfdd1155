import { type ChildProcess, spawn } from 'node:child_process';
import { lstatSync, readlinkSync, unlinkSync } from 'node:fs';
import { HoloringError } from '../../src/errors.ts';
import type { RingEmulator } from './emulator.ts';
import { RingErrors } from './protocol.ts';

/**
 * Serves an emulator on a pseudo-terminal: socat creates a pty (symlinked at
 * `link`) and connects it to pipes of this process, so any serial program can
 * open `link` like a real port. A `disconnect` fault kills socat (the port
 * vanishes, as on an unplug) and starts a new one after the given time.
 */
export interface PtyHostOptions {
  link: string;
  emulator: RingEmulator;
  socat?: string;
  /** Device → host bytes queued in the pipe beyond this are not sent (counted as unsent). */
  maxBacklogBytes?: number;
}

export class PtyEmulatorHost {
  private child: ChildProcess | null = null;
  private stopped = false;
  private respawn: NodeJS.Timeout | null = null;
  private readonly socat: string;
  /** The pty device the link named when this host created it. */
  private target: string | null = null;
  private readonly maxBacklog: number;

  constructor(private readonly o: PtyHostOptions) {
    this.socat = o.socat ?? 'socat';
    this.maxBacklog = o.maxBacklogBytes ?? 1 << 20;
  }

  /** Starts socat and waits until the link exists (a path that already exists is refused: see assertLinkFree). */
  async start(again = false, rebooted = again): Promise<void> {
    if (!again) assertLinkFree(this.o.link);
    const child = spawn(this.socat, ['-d', '-d', `PTY,raw,echo=0,link=${this.o.link}`, 'STDIO'], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child = child;
    await new Promise<void>((resolve, reject) => {
      let err = '';
      const timer = setTimeout(() => fail(`socat did not start within 5 s: ${err.trim()}`), 5000);
      const fail = (why: string): void => {
        clearTimeout(timer);
        child.kill('SIGKILL');
        reject(new HoloringError(RingErrors.EMULATOR_LINK, `cannot create the pseudo-terminal ${this.o.link}: ${why}`, { link: this.o.link }));
      };
      child.on('error', (e) => fail(`${e.message} (is socat installed? apt-get install socat)`));
      child.stderr!.on('data', (d: Buffer) => {
        err += d.toString();
        if (err.includes('starting data transfer loop')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.on('exit', (code) => fail(`socat exited with code ${code}: ${err.trim()}`));
    });
    this.target = readLinkOrNull(this.o.link);
    child.removeAllListeners('exit');
    child.stderr!.removeAllListeners('data');
    child.stderr!.resume();
    child.stdin!.on('error', () => undefined);
    child.stdout!.on('data', (b: Buffer) => this.o.emulator.receive(b));
    child.on('exit', () => {
      if (this.child === child) this.child = null;
    });
    this.o.emulator.attach(
      {
        write: (bytes) => {
          const stdin = child.stdin!;
          if (this.child !== child || !stdin.writable || stdin.writableLength > this.maxBacklog) return false;
          stdin.write(bytes);
          return true;
        },
      },
      rebooted,
    );
  }

  /**
   * The port vanishes for `seconds`, then reappears: the device rebooted
   * (`reboot`, a bus-powered device), or kept running and numbering its frames
   * (an unplugged cable of a self-powered device).
   */
  disconnect(seconds: number, reboot = true): void {
    if (this.stopped) return;
    this.o.emulator.detach();
    void this.kill().then(() => {
      if (this.stopped) return;
      this.respawn = setTimeout(() => {
        this.respawn = null;
        if (!this.stopped) this.start(true, reboot).catch((e: Error) => process.stderr.write(`holoring emulate: ${e.message}\n`));
      }, seconds * 1000);
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.respawn) clearTimeout(this.respawn);
    this.o.emulator.detach();
    await this.kill();
    // remove the link only while it is still ours (it names the pty this host created)
    if (this.target !== null && readLinkOrNull(this.o.link) === this.target) {
      try {
        unlinkSync(this.o.link);
      } catch {
        // already gone
      }
    }
  }

  private kill(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      const force = setTimeout(() => child.kill('SIGKILL'), 2000);
      child.once('exit', () => {
        clearTimeout(force);
        resolve();
      });
      child.kill('SIGTERM');
    });
  }
}

/** The target of a symbolic link, or null (no such path, or not a link). */
function readLinkOrNull(path: string): string | null {
  try {
    return lstatSync(path).isSymbolicLink() ? readlinkSync(path) : null;
  } catch {
    return null;
  }
}

/**
 * Refuses a link path that exists (RING_ERR_EMULATOR_LINK): a file there would
 * be replaced and deleted when the emulator stops, and the link of a running
 * emulator would be taken over from it.
 */
export function assertLinkFree(link: string): void {
  let kind: string | null = null;
  try {
    const st = lstatSync(link);
    kind = st.isSymbolicLink() ? `a link to ${readlinkSync(link)} (another emulator's pseudo-terminal?)` : st.isDirectory() ? 'a directory' : 'a file';
  } catch {
    return;
  }
  throw new HoloringError(RingErrors.EMULATOR_LINK, `${link} already exists (${kind}); choose another path, or remove it if nothing uses it`, { link });
}
