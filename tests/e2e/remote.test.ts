import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createToken } from '../../src/auth/tokens.ts';
import { type Browser, haveChromium, launchChromium } from '../support/browser.ts';
import { type LiveDaemon, startLiveDaemon } from '../support/liveDaemon.ts';

/**
 * The dashboard of a daemon that requires tokens, in real headless Chromium:
 * the page asks for a token (again, saying why, after a wrong one), shows the
 * role, disables every control for a viewer, and lets an operator who holds
 * the bench lock stop the sweeps.
 */
const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'remote');
const viewer = createToken({ role: 'viewer', label: 'home' });
const operator = createToken({ role: 'operator', label: 'bench' });
/** The refused /api/whoami before a token is entered is expected; nothing else may log an error. */
const expected = (text: string): boolean => /status of 401/.test(text);

describe.skipIf(!haveChromium())('remote dashboard in headless Chromium', () => {
  let live: LiveDaemon;
  let browser: Browser;
  const consoleErrors: string[] = [];

  const newPage = async (): Promise<Page> => {
    const page = await browser.context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error' && !expected(m.text())) consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(String(e)));
    await page.goto(live.url);
    return page;
  };
  const signIn = async (page: Page, token: string): Promise<void> => {
    await page.locator('#token-dialog input').fill(token);
    await page.locator('#token-dialog button[type=submit]').click();
  };

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    live = await startLiveDaemon({ device: { speed: 20 }, server: { auth: { tokens: [viewer.entry, operator.entry] } } }, { train: false });
    browser = await launchChromium({ viewport: { width: 1280, height: 900 } });
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await live?.stop();
  });

  it('asks for a token, says why a wrong one is refused, and disables the controls for a viewer', async () => {
    const page = await newPage();
    const dialog = page.locator('#token-dialog');
    await expect.poll(() => dialog.isVisible()).toBe(true);
    expect(await dialog.locator('.why').textContent()).toMatch(/requires a token/);
    await page.screenshot({ path: join(ARTIFACTS, 'token-prompt.png') });
    await signIn(page, createToken({ role: 'viewer' }).token);
    await expect.poll(async () => (await dialog.isVisible()) && (await dialog.locator('.why').textContent())).toMatch(/refused/);
    await signIn(page, viewer.token);
    await expect.poll(() => page.locator('#conn').getAttribute('data-state'), { timeout: 30_000 }).toBe('live');
    expect(await page.locator('#control-role').textContent()).toMatch(/^viewer · home/);
    const buttons = page.locator('#panel-control button');
    expect(await buttons.count()).toBe(5);
    for (let i = 0; i < 5; i++) expect(await buttons.nth(i).isDisabled()).toBe(true);
    await page.locator('#panel-control').screenshot({ path: join(ARTIFACTS, 'panel-control-viewer.png') });
    await page.close();
  }, 90_000);

  it('lets an operator take the bench lock and stop the sweeps', async () => {
    const page = await newPage();
    await signIn(page, operator.token);
    await expect.poll(() => page.locator('#control-role').textContent(), { timeout: 30_000 }).toMatch(/^operator · bench/);
    const stop = page.locator('#panel-control button[data-command="sweep/stop"]');
    expect(await stop.isDisabled()).toBe(true);
    await page.locator('#control-lock-btn').click();
    await expect.poll(() => stop.isDisabled()).toBe(false);
    expect(await page.locator('#control-lock').textContent()).toMatch(/held by bench/);
    await stop.click();
    await expect.poll(() => page.locator('#control-msg').textContent(), { timeout: 30_000 }).toMatch(/Stop sweeps: done/);
    expect(live.daemon.status().acquisition).toBe('stopped');
    await page.locator('#panel-control').screenshot({ path: join(ARTIFACTS, 'panel-control-operator.png') });
    expect(consoleErrors).toEqual([]);
    await page.close();
  }, 90_000);
});
