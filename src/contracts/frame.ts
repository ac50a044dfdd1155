/**
 * A ring frame: one lock-in sample of every site of the ring at one drive
 * frequency, as the hardware (or a simulator of it) delivers it.
 */
export const FrameFlags = {
  /** A lock-in channel overloaded. */
  OVERLOAD: 1 << 0,
  /** The lock-in reference is not locked. */
  UNLOCKED: 1 << 1,
  /** The source is off (amplitude 0): an offset measurement. */
  SOURCE_OFF: 1 << 2,
  /** Data produced by a simulator, not by a physical ring. */
  SIMULATED: 1 << 3,
  /** Sweep point settling: the drive frequency changed within the dwell. */
  SETTLING: 1 << 4,
} as const;

export type FrameSource = 'sim' | 'emulator' | 'serial' | 'replay';

export interface RingFrame {
  /** Device sequence number (monotonic per device session, wraps at 2^32). */
  seq: number;
  /** Device timestamp in microseconds since the device started. */
  deviceTimeUs: number;
  /** Drive frequency ω in units of v/R. */
  omega: number;
  /** Site the source is applied at. */
  sourceSite: number;
  /** Source amplitude J₀ (0 = source off). */
  amplitude: number;
  /** Source profile width σ in radians. */
  sourceWidth: number;
  /** Sample temperature in kelvin. */
  temperatureK: number;
  /** In-phase part of each site's lock-in reading. */
  x: Float64Array;
  /** Quadrature part of each site's lock-in reading. */
  y: Float64Array;
  /** Bitmask of FrameFlags. */
  flags: number;
  /** Where the frame came from. */
  source: FrameSource;
}
