import { execFileSync } from 'node:child_process';

/**
 * Real components (socat, influxd, chromium) are required in CI (CI=true): a
 * missing one fails the test. Locally the test is skipped with a visible reason.
 */
export const inCI = (): boolean => process.env.CI === 'true' || process.env.CI === '1';

export function hasCommand(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Returns true when the component is available. When it is not: throws in CI,
 * otherwise prints a visible skip reason and returns false (use with describe.skipIf / it.skipIf).
 */
export function requireComponent(name: string, available: boolean, hint: string): boolean {
  if (available) return true;
  const msg = `${name} is not available (${hint})`;
  if (inCI()) throw new Error(`CI requires ${msg}`);
  process.stderr.write(`SKIP: ${msg}; tests that need it are skipped locally\n`);
  return false;
}
