import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, haveChromium, launchChromium } from '../support/browser.ts';
import { type LiveDaemon, startLiveDaemon } from '../support/liveDaemon.ts';

/**
 * The dashboard in real headless Chromium against the whole daemon in-process
 * on the simulated ring (deformed bulk, accelerated): the metric drawn is the
 * one the API serves, the ring and health panels move, a dropped WebSocket
 * comes back by itself, and the page logs no console error.
 */
const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'dashboard');

describe.skipIf(!haveChromium())('dashboard in headless Chromium', () => {
  let live: LiveDaemon;
  let browser: Browser;
  let page: Page;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    live = await startLiveDaemon();
    browser = await launchChromium({ colorScheme: 'light' });
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(String(e)));
    await page.goto(live.url);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await live?.stop();
  });

  it('draws the metric the API serves, round after round', async () => {
    await page.waitForFunction(() => (window as unknown as Hol).holoring?.panels.metric.drawnRounds.length >= 2, null, { timeout: 45_000 });
    // the chart's own data against GET /api/metric (retry if a newer round lands in between)
    for (let attempt = 0; ; attempt++) {
      const drawn = await page.evaluate(() => {
        const h = (window as unknown as Hol).holoring;
        const u = h.charts.metric;
        return { round: h.state.metric.round, r: Array.from(u.data[0]), f: Array.from(u.data[1]), g: Array.from(u.data[6]), fHi: Array.from(u.data[2]) };
      });
      const api = (await (await fetch(live.url + 'api/metric')).json()) as { round: number; r: number[]; f: number[]; g: number[]; f_err: number[] };
      if (api.round !== drawn.round && attempt < 5) continue;
      expect(api.round).toBe(drawn.round);
      expect(drawn.r.length).toBeGreaterThan(100);
      for (let i = 0; i < drawn.r.length; i++) {
        const ads = 1 + api.r[i] * api.r[i];
        expect(drawn.r[i]).toBe(api.r[i]);
        expect(drawn.f[i]).toBeCloseTo(api.f[i] / ads, 12);
        expect(drawn.g[i]).toBeCloseTo(api.g[i] / ads, 12);
        expect(drawn.fHi[i]).toBeCloseTo((api.f[i] + api.f_err[i]) / ads, 12);
      }
      // the deformed bulk is visible: f(0)/f_AdS(0) = 1.3 for the default deformation
      expect(drawn.f[0]).toBeGreaterThan(1.15);
      break;
    }
  });

  it('updates the ring and health panels', async () => {
    const before = await page.evaluate(() => {
      const p = (window as unknown as Hol).holoring.panels;
      return { ring: p.ring.updates, seq: p.ring.last()?.seq, health: p.health.updates };
    });
    await page.waitForFunction((b) => {
      const p = (window as unknown as Hol).holoring.panels;
      return p.ring.updates > b.ring + 3 && p.ring.last()?.seq !== b.seq && p.health.updates > b.health + 1;
    }, before, { timeout: 20_000 });
    const ring = await page.evaluate(() => (window as unknown as Hol).holoring.panels.ring.last());
    expect(ring.amplitude).toHaveLength(64);
    expect(ring.status).toBe('calibrated');
    await expect.poll(() => page.locator('#health-kv').textContent()).toContain('streaming');
    await expect.poll(() => page.locator('#conn').textContent()).toMatch(/^live/);
  });

  it('saves screenshots of the page and of each panel (laptop, phone, dark)', async () => {
    await page.locator('#k-select').selectOption('2');
    await page.waitForFunction(() => (window as unknown as Hol).holoring.state.response?.modelRound !== null, null, { timeout: 20_000 });
    await page.screenshot({ path: join(ARTIFACTS, 'page.png'), fullPage: true });
    for (const id of ['metric', 'space', 'ring', 'response', 'image', 'training', 'health', 'run']) {
      await page.locator(`#panel-${id}`).screenshot({ path: join(ARTIFACTS, `panel-${id}.png`) });
    }
    await page.click('#theme');
    await page.screenshot({ path: join(ARTIFACTS, 'page-dark.png') });
    await page.click('#theme');
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: join(ARTIFACTS, 'page-phone.png'), fullPage: true });
    await page.setViewportSize({ width: 1440, height: 1000 });
    // every chart fits inside its panel on the phone width too (no horizontal scroll)
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1)).toBe(true);
  });

  it('says so when the WebSocket drops, reconnects and resumes from its last seq', async () => {
    const resumedBefore = live.server.hub.stats().resumed;
    await page.evaluate(() => (window as unknown as Hol).holoring.client.drop());
    await expect.poll(() => page.locator('#conn').getAttribute('data-state')).toBe('reconnecting');
    await expect.poll(() => page.locator('#banner').textContent()).toContain('Disconnected');
    await page.screenshot({ path: join(ARTIFACTS, 'page-disconnected.png') });
    await page.waitForFunction(() => (window as unknown as Hol).holoring.state.connection === 'live', null, { timeout: 20_000 });
    expect(live.server.hub.stats().resumed).toBe(resumedBefore + 1);
    const seqAfter = await page.evaluate(() => (window as unknown as Hol).holoring.client.lastSeq);
    await page.waitForFunction((s) => (window as unknown as Hol).holoring.client.lastSeq > s, seqAfter, { timeout: 10_000 });
    expect(await page.locator('#banner').isHidden()).toBe(true);
  });

  it('logged no console error', () => {
    expect(consoleErrors).toEqual([]);
  });
});

// the page's test handle (window.holoring), loosely typed
interface Hol {
  holoring: {
    state: { metric: { round: number }; connection: string; response: { modelRound: number | null } | null };
    charts: { metric: { data: number[][] } };
    client: { drop(): void; lastSeq: number };
    panels: {
      metric: { drawnRounds: number[] };
      ring: { updates: number; last(): { seq: number; amplitude: number[]; status: string } };
      health: { updates: number };
    };
  };
}
