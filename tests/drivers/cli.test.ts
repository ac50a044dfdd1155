import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCapture } from '../../drivers/ring/capture.ts';
import { RingSimulator } from '../../drivers/sim/simulator.ts';
import { hasCommand, requireComponent } from '../support/components.ts';
import { type EmulatorProcess, startEmulator } from './emulateProcess.ts';

const run = promisify(execFile);

/** Whether process `pid` has `path` open (Linux /proc). */
function holdsFile(pid: number, path: string): boolean {
  try {
    return readdirSync(`/proc/${pid}/fd`).some((fd) => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`) === path;
      } catch {
        return false;
      }
    });
  } catch {
    return false;
  }
}
const socat = requireComponent('socat', hasCommand('socat'), 'apt-get install socat; needed for holoring emulate');
const dir = mkdtempSync(join(tmpdir(), 'holoring-cli-'));
const emulators: EmulatorProcess[] = [];

async function emulate(link: string, args: string[]): Promise<EmulatorProcess> {
  const e = await startEmulator(link, args);
  emulators.push(e);
  return e;
}

afterAll(async () => {
  for (const e of emulators) await e.stop('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!socat)('holoring emulate + holoring probe over a pseudo-terminal', () => {
  it('probe --json reports what the emulator injected; SIGINT prints the emulator report and removes the link', async () => {
    const link = join(dir, 'ttyA');
    const truth = join(dir, 'truth.json');
    const capture = join(dir, 'probe.capture');
    const emu = await emulate(link, ['--rate', '100', '--corrupt', '0.2', '--drop', '0.1', '--seed', '9', '--sites', '16', '--truth', truth]);
    const { stdout } = await run(process.execPath, ['bin/holoring.mjs', 'probe', '--port', link, '--seconds', '2', '--json', '--capture', capture], { timeout: 30_000 });
    const p = JSON.parse(stdout) as Record<string, unknown> & { rejects: Record<string, number> };
    await emu.stop('SIGINT');
    const report = JSON.parse(emu.stdout().trim().split('\n').pop()!) as { numbered: number; sent: number; corrupted: number; dropped: number; unsent: number };
    expect(Object.keys(report)).toEqual(['numbered', 'sent', 'corrupted', 'garbage', 'dropped', 'unsent', 'reboots', 'numberings']);
    expect(report.numbered).toBe(report.sent + report.dropped + report.unsent);
    expect(existsSync(link)).toBe(false);
    expect(p).toMatchObject({ protocolVersion: '1.1', simulated: true, reconnects: 0, identity: { serial: 'SIM-9' }, configuration: { sites: 16 } });
    for (const k of ['frames', 'checksumErrors', 'gaps', 'missingFrames', 'reconnects', 'rate']) expect(typeof p[k]).toBe('number');
    expect(p.frames as number).toBeGreaterThan(20);
    expect(p.checksumErrors as number).toBeGreaterThan(0);
    expect(p.checksumErrors).toBe(p.rejects.RING_ERR_CHECKSUM);
    // everything the probe saw, the emulator sent; every lost frame is a missing sequence number
    expect(p.frames as number).toBeLessThanOrEqual(report.sent - report.corrupted);
    expect(p.checksumErrors as number).toBeLessThanOrEqual(report.corrupted);
    expect((p.missingFrames as number) > 0).toBe(true);
    // the truth file holds the simulator's injected errors for that seed
    const t = JSON.parse(readFileSync(truth, 'utf8')) as { sites: number; seed: number; gains: { re: number; im: number }[] };
    const want = new RingSimulator({ sites: 16, seed: 9 }).truth();
    expect(t).toMatchObject({ kind: 'holoring-calibration-truth', sites: 16, seed: 9 });
    expect(t.gains).toEqual(want.gains);
    // the capture parses and starts with the identification
    const cap = parseCapture(readFileSync(capture, 'utf8'));
    expect(cap.events[0]).toMatchObject({ open: true });
    expect(cap.events.find((e) => 'tx' in e)).toMatchObject({ tx: '*IDN?\n' });
  });

  it('the serial driver rides through a disconnect of the emulated port (settings from a scenario file)', async () => {
    const link = join(dir, 'ttyB');
    const scenario = join(dir, 'scenario.json');
    writeFileSync(scenario, JSON.stringify({ rate: 50, sites: 8 }));
    const emu = await emulate(link, ['--scenario', scenario, '--control']);
    const pty = realpathSync(link);
    let probeOut = '';
    const probe = execFile(process.execPath, ['bin/holoring.mjs', 'probe', '--port', link, '--seconds', '6', '--json'], { timeout: 60_000 }, (_e, out) => (probeOut = out));
    const exited = new Promise((r) => probe.once('exit', r));
    // the disconnect comes once the probe holds the port (its start-up takes seconds on a busy machine)
    let open = false;
    for (let i = 0; i < 300 && !open && probe.exitCode === null; i++) {
      await new Promise((r) => setTimeout(r, 100));
      open = holdsFile(probe.pid!, pty);
    }
    expect(open).toBe(true);
    await new Promise((r) => setTimeout(r, 1000));
    emu.control({ disconnect: 1 });
    await exited;
    await emu.stop('SIGTERM');
    const p = JSON.parse(probeOut) as { reconnects: number; frames: number; configuration: { sites: number } };
    expect(p.configuration.sites).toBe(8);
    expect(p.reconnects).toBe(1);
    expect(p.frames).toBeGreaterThan(50);
  });

  it('plays fault events written to its control channel at run time, skipping a bad line', async () => {
    const link = join(dir, 'ttyD');
    const emu = await emulate(link, ['--rate', '100', '--sites', '8', '--control']);
    emu.control({ stall: 0 }); // refused (not a fault event), the device goes on
    emu.control({ corrupt: 0.5 });
    const { stdout } = await run(process.execPath, ['bin/holoring.mjs', 'probe', '--port', link, '--seconds', '2', '--json'], { timeout: 30_000 });
    await emu.stop('SIGTERM');
    const p = JSON.parse(stdout) as { frames: number; checksumErrors: number };
    const report = JSON.parse(emu.stdout().trim().split('\n').pop()!) as { corrupted: number };
    expect(p.frames).toBeGreaterThan(20);
    expect(report.corrupted).toBeGreaterThan(0);
    expect(p.checksumErrors).toBeGreaterThan(0);
  });

  it('refuses a bad scenario file with its code and the offending field', async () => {
    const scenario = join(dir, 'bad.json');
    writeFileSync(scenario, JSON.stringify({ events: [{ at: 1, stall: -2 }] }));
    const r = await run(process.execPath, ['bin/holoring.mjs', 'emulate', '--link', join(dir, 'ttyC'), '--scenario', scenario]).catch((e: { code: number; stderr: string }) => e);
    expect((r as { code: number }).code).not.toBe(0);
    expect((r as { stderr: string }).stderr).toMatch(/RING_ERR_SCENARIO_INVALID.*events\.0/);
  });

  it('probe on a missing port fails with a message naming the port', async () => {
    const r = await run(process.execPath, ['bin/holoring.mjs', 'probe', '--port', join(dir, 'nothing'), '--seconds', '1']).catch((e: { code: number; stderr: string }) => e);
    expect((r as { code: number }).code).toBe(1);
    expect((r as { stderr: string }).stderr).toMatch(/RING_ERR_PORT_OPEN.*nothing/);
  });
});
