/**
 * A reader that stops early (`holoring … | head`) closes the pipe: the command ends
 * quietly with exit 0 (src/cli/main.ts), not with an unhandled EPIPE and a stack.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../bin/holoring.mjs', import.meta.url));

describe('holoring writing into a closed pipe', () => {
  it('ends quietly with exit 0 when the reader goes away after the first bytes', async () => {
    // a table of ~1 MB, written in one go to stdout
    const child = spawn(process.execPath, [BIN, 'simulate', '--omega', '0.25:40:0.25', '--kmax', '60', '--out', '-'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(stderr).not.toMatch(/EPIPE|Error/);
    expect(code).toBe(0);
  }, 60_000);
});
