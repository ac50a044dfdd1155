import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/schema.ts';
import type { AccumulatedResponse, CalibratedFrame } from '../../src/contracts/calibration.ts';
import type { ResponsePoint } from '../../src/contracts/response.ts';
import { btzBoverA, diskBoverA } from '../../src/physics/closedForm.ts';
import { imageFromTable } from '../../src/physics/ringImage.ts';
import { createServer } from '../../src/server/index.ts';
import { parseClientMessage } from '../../src/server/protocol.ts';
import { FakeSocket } from './fakeSocket.ts';
import { standInDaemon } from './standInDaemon.ts';
import { VirtualClock } from './virtualClock.ts';

/**
 * GET /api/image and the `image` topic on a response table from the closed
 * forms of physics.md §5 (Δ = 1.5, |k| ≤ 40), checked against the ring-image
 * table of physics.md §13.
 */
const DELTA = 1.5;
const K = 40;

/** χ = (2Δ − 2)·B/A at Ω = ω + iγ for |k| = 0..K. */
function rows(omega: number, gamma: number, bOverA: (O: { re: number; im: number }, k: number) => { re: number; im: number }): ResponsePoint[] {
  return Array.from({ length: K + 1 }, (_, k) => {
    const b = bOverA({ re: omega, im: gamma }, k);
    return { omega, gamma, k, chiRe: (2 * DELTA - 2) * b.re, chiIm: (2 * DELTA - 2) * b.im, sigma: 0.001 };
  });
}
const disk = (O: { re: number; im: number }, k: number) => diskBoverA(DELTA, O, k);
const btz = (O: { re: number; im: number }, k: number) => btzBoverA(DELTA, 1.5, O, k);

/** A daemon stand-in (unit test) whose response table and frames the test sets. */
function tableDaemon(points: ResponsePoint[] | null) {
  const table = (): AccumulatedResponse | null => (points ? { points, noiseless: false, calibrationVersion: 'cal-test', frames: 7, dropped: {} } : null);
  const { daemon, calibrated$, response$ } = standInDaemon({ table });
  /** A calibrated frame at drive frequency ω (only what the server reads of it). */
  const frame = (omega: number, sourceWidth = 0.15) => calibrated$.next({ seq: 1, omega, sourceSite: 0, amplitude: 1, x: [1, 0], y: [0, 1], status: 'calibrated', calibrationVersion: 'cal-test', flags: 0, sourceWidth } as unknown as CalibratedFrame);
  return { daemon, frame, changed: () => response$.next(table()!) };
}

const config = parseConfig({ server: { port: 0, responseMs: 500 } });
const table = [...rows(7.3, 0.1, disk), ...rows(12, 0.25, disk), ...rows(20, 0.25, disk)];

async function image(server: ReturnType<typeof createServer>, query: string) {
  const res = await server.app.inject({ url: `/api/image${query}` });
  return { status: res.statusCode, body: res.json() };
}

describe('GET /api/image', () => {
  it('images a disk as a central spot that narrows as ω grows (physics.md §13)', async () => {
    const server = createServer(tableDaemon(table).daemon, config);
    // physics.md §13: FWHM 0.98, 0.80, 0.52 and centre/mean 3.0, 3.6, 5.4 at Ω = 7.3 + 0.1i, 12 + 0.25i, 20 + 0.25i
    for (const [omega, gamma, fwhm, contrast] of [[7.3, 0.1, 0.98, 3.0], [12, 0.25, 0.8, 3.6], [20, 0.25, 0.52, 5.4]]) {
      const { status, body } = await image(server, `?omega=${omega}`);
      expect(status).toBe(200);
      expect(body).toMatchObject({ spot: true, position: 0, omega, gamma, kMax: K, aperture: 0.5, focal: 1, sourceWidth: 0.15, calibrationVersion: 'cal-test', frames: 7 });
      expect(body.width).toBeCloseTo(fwhm, 1);
      expect(body.contrast).toBeCloseTo(contrast, 1);
      expect(body.x).toHaveLength(601);
      expect(body.intensity).toHaveLength(601);
      expect(body.x[300]).toBe(0);
      expect(Math.max(...body.intensity)).toBe(1);
      expect(body.intensity[300]).toBe(1);
    }
    await server.close();
  });

  it('finds no central spot for a BTZ black hole (physics.md §13: peaks at ±1.1, FWHM 2.6, centre/mean 0.41)', async () => {
    const server = createServer(tableDaemon(rows(12, 0.25, btz)).daemon, config);
    const { status, body } = await image(server, '?omega=12');
    expect(status).toBe(200);
    expect(body.spot).toBe(false);
    expect(Math.abs(body.position)).toBeCloseTo(1.1, 1);
    expect(body.width).toBeCloseTo(2.6, 1);
    expect(body.contrast).toBeCloseTo(0.41, 2);
    await server.close();
  });

  it('takes the lens from ?aperture and ?focal: a narrower aperture blurs the spot', async () => {
    const server = createServer(tableDaemon(table).daemon, config);
    const wide = (await image(server, '?omega=12')).body;
    const narrow = (await image(server, '?omega=12&aperture=0.25&focal=2')).body;
    expect(narrow).toMatchObject({ aperture: 0.25, focal: 2 });
    const lib = imageFromTable(table, 12, { aperture: 0.25, focal: 2 });
    expect(narrow.width).toBeCloseTo(lib.width, 12);
    expect(narrow.contrast).toBeCloseTo(lib.contrast, 12);
    // diffraction: half the aperture, twice the focal length: a much wider spot in x_S
    expect(narrow.width / wide.width).toBeGreaterThan(2);
    await server.close();
  });

  it('defaults to the drive frequency of the latest frame, else the table’s latest ω, with the frame’s source width', async () => {
    const d = tableDaemon(table);
    const server = createServer(d.daemon, config);
    expect((await image(server, '')).body.omega).toBe(20);
    d.frame(7.3, 0.2);
    const at = (await image(server, '')).body;
    expect(at).toMatchObject({ omega: 7.3, sourceWidth: 0.2 });
    // a frame at an ω the table does not hold yet (the sweep just moved on): the table's latest ω
    d.frame(12.5);
    expect((await image(server, '')).body.omega).toBe(20);
    await server.close();
  });

  it('refuses bad parameters with RING_ERR_HTTP_INVALID, naming the parameter, and an ω the table lacks with RING_ERR_IMAGE_OMEGA', async () => {
    const server = createServer(tableDaemon(table).daemon, config);
    for (const [q, word] of [['?omega=abc', 'omega'], ['?omega=-2', 'omega'], ['?omega=0', 'omega'], ['?omega=', 'omega'], ['?omega=Infinity', 'omega'], ['?aperture=0', 'aperture'], ['?aperture=4', 'aperture must be < π'], ['?aperture=3', 'aperture: lens half-aperture d must be in (0, π − 3σ)'], ['?focal=-1', 'focal'], ['?omega=12&lens=3', 'lens'], ['?omega=12&omega=20', 'omega']]) {
      const { status, body } = await image(server, q);
      expect(status, q).toBe(400);
      expect(body.error.code).toBe('RING_ERR_HTTP_INVALID');
      expect(body.error.message).toContain(word);
    }
    const { status, body } = await image(server, '?omega=13');
    expect(status).toBe(404);
    expect(body.error.code).toBe('RING_ERR_IMAGE_OMEGA');
    expect(body.error.message).toMatch(/no rows at ω = 13; nearest: 12, /);
    await server.close();
  });

  it('is not ready before the response table has a row', async () => {
    const server = createServer(tableDaemon(null).daemon, config);
    const { status, body } = await image(server, '');
    expect(status).toBe(404);
    expect(body.error.code).toBe('RING_ERR_NOT_READY');
    await server.close();
  });
});

describe('the image topic', () => {
  it('publishes the image at the current ω with the response table, decimated to server.responseMs, and in the snapshot', async () => {
    const clock = new VirtualClock();
    const d = tableDaemon(table);
    const server = createServer(d.daemon, config, { clock });
    const s = new FakeSocket();
    d.frame(12);
    server.hub.attach(s.as(), { topics: ['image'] });
    expect((s.sent[0] as { snapshot: { image: { omega: number } } }).snapshot.image.omega).toBe(12);
    d.changed();
    const images = () => s.sent.filter((m) => m.type === 'image') as { image: { omega: number; spot: boolean; intensity: number[] } }[];
    expect(images()).toHaveLength(1);
    const api = (await image(server, '')).body;
    expect(images()[0].image).toEqual(api);
    // three table changes within one interval: one more image, after it
    d.frame(20);
    d.changed();
    d.changed();
    d.changed();
    expect(images()).toHaveLength(1);
    clock.advance(500);
    expect(images()).toHaveLength(2);
    expect(images()[1].image).toMatchObject({ omega: 20, spot: true });
    expect(s.types().every((t) => t === 'hello' || t === 'image')).toBe(true);
    await server.close();
  });

  it('accepts image as a topic and a rate cap', () => {
    expect(parseClientMessage(JSON.stringify({ type: 'subscribe', topics: ['image'], maxHz: { image: 1 } })).ok).toBe(true);
    expect(parseClientMessage(JSON.stringify({ type: 'subscribe', topics: ['image'], maxHz: { image: 0 } })).ok).toBe(false);
  });
});
