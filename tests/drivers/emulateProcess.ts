import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

/** `holoring emulate` as a child process (tests that need the emulator on a real pty). */
export interface EmulatorProcess {
  child: ChildProcess;
  /** Everything it printed on stdout so far. */
  stdout(): string;
  /** Sends `signal` and waits for the exit (no-op when already gone). */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Writes one fault event (JSON, played at once) to its control channel; needs `--control` among the args. */
  control(event: object): void;
}

/** Starts `holoring emulate --link LINK --quiet ARGS…` and waits (bounded, 60 s: start-up is slow on a loaded machine) for the link to appear. */
export async function startEmulator(link: string, args: string[] = []): Promise<EmulatorProcess> {
  const child = spawn(process.execPath, ['bin/holoring.mjs', 'emulate', '--link', link, '--quiet', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdin!.on('error', () => undefined);
  let out = '';
  let err = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (err += b.toString()));
  const stop = async (signal: NodeJS.Signals = 'SIGTERM'): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill(signal);
    await exited;
  };
  for (let i = 0; i < 1200 && !existsSync(link) && child.exitCode === null; i++) await new Promise((r) => setTimeout(r, 50));
  if (!existsSync(link)) {
    await stop('SIGKILL');
    throw new Error(`holoring emulate did not create ${link}: ${err.trim()}`);
  }
  return { child, stdout: () => out, stop, control: (event) => void child.stdin!.write(JSON.stringify(event) + '\n') };
}
