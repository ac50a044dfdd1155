import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';
import { requireComponent } from './components.ts';

/** Debian's Chromium, driven by playwright-core (which downloads nothing). */
export const CHROMIUM = '/usr/bin/chromium';

/** Whether the browser tests can run (fails in CI without Chromium, skips locally). */
export const haveChromium = (): boolean => requireComponent('chromium', existsSync(CHROMIUM), 'apt-get install chromium');

export interface Browser {
  context: BrowserContext;
  /** Closes the browser and removes its temporary profile. */
  close(): Promise<void>;
}

/** Headless Chromium with a fresh temporary profile (the dashboard keeps its theme and token per profile). */
export async function launchChromium(opts: { viewport?: { width: number; height: number }; colorScheme?: 'light' | 'dark' } = {}): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'holoring-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    viewport: opts.viewport ?? { width: 1440, height: 1000 },
    ...(opts.colorScheme ? { colorScheme: opts.colorScheme } : {}),
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
