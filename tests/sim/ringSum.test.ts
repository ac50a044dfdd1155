import { describe, expect, it } from 'vitest';
import { RingSimulator } from '../../drivers/sim/simulator.ts';
import { diskChi } from '../../src/physics/closedForm.ts';
import { applyCalibration } from '../../src/pipeline/calibrate.ts';
import { truthRecord } from '../calibration/support/truthRecord.ts';

/**
 * physics.md §6, written out independently of src/physics/ring.ts: the ideal
 * ring response at site j to a source at site s,
 *   ⟨O(θ_j)⟩ = (J₀/2π) Σ_{k=−K..K} e^{ik(θ_j − θ_s)} e^{−k²σ²/2} χ(Ω, k),
 * summed over negative and positive k with complex exponentials (no folding
 * into cosines), with χ from the closed form of §5 (pure AdS).
 */
function section6Sum(delta: number, omega: number, gamma: number, sites: number, s: number, width: number, amplitude: number, j: number): { re: number; im: number } {
  let re = 0;
  let im = 0;
  for (let k = -90; k <= 90; k++) {
    const chi = diskChi(delta, { re: omega, im: gamma }, Math.abs(k));
    const phase = k * ((2 * Math.PI * j) / sites - (2 * Math.PI * s) / sites);
    const w = Math.exp((-k * k * width * width) / 2);
    re += w * (Math.cos(phase) * chi.re - Math.sin(phase) * chi.im);
    im += w * (Math.cos(phase) * chi.im + Math.sin(phase) * chi.re);
  }
  return { re: (amplitude / (2 * Math.PI)) * re, im: (amplitude / (2 * Math.PI)) * im };
}

const ident = { model: 'HR-SIM', serial: 'SIM-0001', firmware: 'sim', protocolVersion: '1.0' };

describe('simulated ring against the §6 sum of the closed form', () => {
  it.each([
    [1.5, 0.5, 0, 1, 64, 0.15],
    [1.5, 7.3, 40, 2.5, 64, 0.15],
    [2.5, 2, 5, 0.7, 48, 0.3],
  ])('Δ = %s, ω = %s, source at %s, J₀ = %s, %s sites, σ = %s', (delta, omega, s, amplitude, sites, width) => {
    const sim = new RingSimulator({ seed: 2, delta, sites, width, noise: 0, noiseFloor: 0 });
    // the simulator's readings carry its injected gains and offsets; the exact record removes them
    const f = applyCalibration(sim.frame({ omega, sourceSite: s, amplitude }), truthRecord(sim), ident);
    let scale = 0;
    const expected = Array.from({ length: sites }, (_, j) => section6Sum(delta, omega, 0.25, sites, s, width, amplitude, j));
    for (const e of expected) scale = Math.max(scale, Math.hypot(e.re, e.im));
    for (let j = 0; j < sites; j++) {
      expect(Math.abs(f.x[j] - expected[j].re) / scale).toBeLessThan(1e-9);
      expect(Math.abs(f.y[j] - expected[j].im) / scale).toBeLessThan(1e-9);
    }
    // the response is real-symmetric about the source: ⟨O(θ_s + θ)⟩ = ⟨O(θ_s − θ)⟩
    for (let d = 1; d < sites / 2; d++) {
      expect(Math.abs(f.x[(s + d) % sites] - f.x[(s - d + sites) % sites]) / scale).toBeLessThan(1e-9);
    }
  });
});
