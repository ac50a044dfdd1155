import { assertFinite } from '../errors.ts';

/** Reduced Planck constant ħ (J·s, CODATA 2018, exact). */
export const HBAR = 1.054571817e-34;
/** Boltzmann constant k_B (J/K, SI exact). */
export const K_B = 1.380649e-23;

/**
 * The Hawking–Page temperature of a ring in kelvin (physics.md §2, §6):
 * T_HP = 1/2π in units ħv/(k_B·R), i.e. T_HP = ħv/(k_B·L) with L = 2πR the
 * circumference. v is the material's "light" velocity in m/s, L in metres.
 * Example: v = 10⁴ m/s, R = 1 µm → 12.2 mK.
 * @throws RING_ERR_NON_FINITE for a non-finite input.
 */
export function hawkingPageKelvin(velocityMps: number, circumferenceM: number): number {
  assertFinite('ring velocity and circumference', velocityMps, circumferenceM);
  return (HBAR * velocityMps) / (K_B * circumferenceM);
}

/**
 * A sample temperature in kelvin as the dimensionless T of the bulk
 * (units v/R, ħ = k_B = 1), so that T_HP = 1/2π and a BTZ black hole has
 * r_h = 2πT (physics.md §2): T = T_K / (2π·T_HP(K)).
 */
export function reducedTemperature(temperatureK: number, velocityMps: number, circumferenceM: number): number {
  return temperatureK / (2 * Math.PI * hawkingPageKelvin(velocityMps, circumferenceM));
}
