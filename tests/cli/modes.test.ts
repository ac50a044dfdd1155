import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readResponseTable } from '../../src/io/responseTable.ts';
import { runCli } from '../support/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'holoring-modes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('holoring modes / simulate --model', () => {
  it('simulate --model diffusion writes the ordinary ring χ = Dk²/(Dk² − iΩ) with 1% noise, σ > 0 even where χ = 0', () => {
    const out = join(dir, 'diff.csv');
    const r = runCli(['simulate', '--model', 'diffusion:0.5', '--kmax', '3', '--noise', '0.01', '--out', out, '--quiet']);
    expect(r.code).toBe(0);
    const t = readResponseTable(out);
    expect(t.points).toHaveLength(48 * 4);
    for (const p of t.points) {
      expect(p.sigma).toBeGreaterThan(0);
      const a = 0.5 * p.k * p.k;
      // closed form: Dk²/(Dk² − iΩ), Ω = ω + iγ
      const den = { re: a + p.gamma, im: -p.omega };
      const d = den.re ** 2 + den.im ** 2;
      const chi = { re: (a * den.re) / d, im: (-a * den.im) / d };
      expect(Math.hypot(p.chiRe - chi.re, p.chiIm - chi.im)).toBeLessThan(6 * p.sigma + 1e-12);
    }
  });

  it('--json on a simulated disk: holographic, Δ and the spacing from the ladder, the poles with errors', () => {
    const table = join(dir, 'disk.csv');
    expect(runCli(['simulate', '--kmax', '1', '--noise', '0.01', '--out', table, '--quiet']).code).toBe(0);
    const r = runCli(['modes', '--data', table, '--json', '--resamples', '8']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(Object.keys(j)).toEqual(['holographic', 'status', 'geometry', 'delta', 'delta_err', 'spacing', 'spacing_err', 'temperature', 'temperature_err', 'poles', 'evidence']);
    expect(j).toMatchObject({ holographic: true, status: 'holographic', geometry: 'disk', temperature: null });
    expect(Math.abs(j.delta - 1.5)).toBeLessThan(Math.max(3 * j.delta_err, 1e-4));
    expect(Math.abs(j.spacing - 2)).toBeLessThan(Math.max(3 * j.spacing_err, 1e-4));
    // k = 0: 1.5, 3.5, …, 11.5; k = 1: 2.5, …, 10.5 (12.5 lies beyond the window)
    expect(j.poles.map((p: { k: number; re: number }) => [p.k, Math.round(p.re * 2) / 2])).toEqual([
      [0, 1.5], [0, 3.5], [0, 5.5], [0, 7.5], [0, 9.5], [0, 11.5], [1, 2.5], [1, 4.5], [1, 6.5], [1, 8.5], [1, 10.5],
    ]);
    for (const p of j.poles) expect(p.err).toBeGreaterThan(0);
    expect(j.evidence.disk.pValue).toBeGreaterThan(0.01);
    expect(j.evidence.resolvability.note).toMatch(/resolved when d ≤ 2\.94/);
  });

  it('a disk with the deformed bulk metric is holographic; its deviation from the pure AdS ladder is information', () => {
    const table = join(dir, 'deformed.csv');
    expect(runCli(['simulate', '--metric', 'deformed', '--kmax', '2', '--noise', '0.01', '--out', table, '--quiet']).code).toBe(0);
    const r = runCli(['modes', '--data', table, '--resamples', '8']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/holographic, disk: .*one tower per k/);
    expect(r.stdout).toMatch(/deviate from the pure AdS ladder by up to 0\.[1-3]\d* of the half-spacing a /);
  });

  it('a deformed black hole is holographic: the black-hole check passes and says why, T with its σ', () => {
    const table = join(dir, 'blackhole.csv');
    expect(runCli(['simulate', '--metric', 'blackhole:1.5,0.3,0,2.4,0.7', '--kmax', '6', '--noise', '0.01', '--out', table, '--quiet']).code).toBe(0);
    const text = runCli(['modes', '--data', table, '--resamples', '8']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/holographic, black hole: .*below the real axis/);
    expect(text.stdout).toMatch(/^disk check \(normal modes of a regular bulk\): failed — /m);
    expect(text.stdout).toMatch(/^black-hole check \(quasinormal modes of a horizon\): passed — .*light cone/m);
    expect(text.stdout).toContain('Ω = ±k − i4πT(n + Δ/2)');
    const j = JSON.parse(runCli(['modes', '--data', table, '--json', '--resamples', '8']).stdout);
    expect(j).toMatchObject({ holographic: true, status: 'holographic', geometry: 'horizon', spacing: null, spacing_err: null });
    // T = √(f′(r_h)g′(r_h))/4π = r_h·√1.3/2π for this metric (the bump is 1 + 0.3e^{−(0.9/0.7)²} at r_h)
    const T = (1.5 * Math.sqrt(1 + 0.3 * Math.exp(-((0.9 / 0.7) ** 2)))) / (2 * Math.PI);
    expect(Math.abs(j.temperature - T)).toBeLessThan(3 * j.temperature_err);
    expect(j.evidence.horizon.lightCone.a).toBeGreaterThan(0.9);
    for (const p of j.poles) expect(p.im).toBeLessThan(0);
  });

  it('refuses --model with --metric, and an unknown model, naming the flag', () => {
    const both = runCli(['simulate', '--model', 'oscillators', '--metric', 'ads']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--model: give either --metric');
    const bad = runCli(['simulate', '--model', 'phonons']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--model: ordinary ring "phonons": expected oscillators[:c,m0,Gamma] or diffusion[:D]');
  });
});
