import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SerialTransport, portOpenHint } from '../../drivers/ring/transport.ts';
import { runCli } from '../support/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'holoring-probe-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('RING_ERR_PORT_OPEN says what to do', () => {
  it('a port that does not exist: the reason, how to list the ports and to try one with holoring probe', async () => {
    const path = join(dir, 'ttyNONE');
    const e = await new SerialTransport(path).open().then(() => null, (x: unknown) => x as { code: string; message: string });
    expect(e?.code).toBe('RING_ERR_PORT_OPEN');
    expect(e?.message).toMatch(/cannot open .*ttyNONE: .*No such file.* — is it the right path\? .*ls \/dev\/serial\/by-id\/.*holoring probe --port PATH/);
    const r = runCli(['probe', '--port', path, '--seconds', '1']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^holoring: error RING_ERR_PORT_OPEN: .*holoring probe --port PATH/);
  });

  it('a file that is not a serial port is named as such', async () => {
    const path = join(dir, 'plain-file');
    writeFileSync(path, '');
    const e = await new SerialTransport(path).open().then(() => null, (x: unknown) => x as { message: string });
    expect(e?.message).toMatch(/plain-file is not a serial port/);
  });

  it('permissions point at the dialout group, a busy port at lsof, an unknown reason at all three', () => {
    expect(portOpenHint('/dev/ttyUSB0', 'Error: Permission denied, cannot open /dev/ttyUSB0')).toMatch(/dialout group: `sudo usermod -aG dialout \$USER`/);
    expect(portOpenHint('/dev/ttyUSB0', 'Error: Resource busy, cannot open /dev/ttyUSB0')).toMatch(/`lsof \/dev\/ttyUSB0`/);
    expect(portOpenHint('/dev/ttyUSB0', 'Error: Cannot lock port')).toMatch(/lsof/);
    const all = portOpenHint('/dev/ttyUSB0', 'Error: something else');
    for (const hint of [/holoring probe/, /dialout/, /lsof/]) expect(all).toMatch(hint);
  });
});
