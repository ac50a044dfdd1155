import { type Capture, readCapture } from '../drivers/ring/capture.ts';
import { RingDecoder } from '../drivers/ring/decoder.ts';
import { Commands, identityFromReply } from '../drivers/ring/protocol.ts';
import type { DeviceIdentity } from '../src/contracts/device.ts';
import type { RingFrame } from '../src/contracts/frame.ts';
import { HoloringError } from '../src/errors.ts';

/**
 * Raw frames of a recorded serial session (a capture file of the serial
 * driver), decoded offline: the received bytes of every session go through the
 * same framing, checksum and codec as live data; the device identity is the
 * recorded reply to *IDN?. No commands are sent, so any recorded run can be
 * re-calibrated, whatever the host did during it.
 */
export const CAPTURE_NO_IDENTITY = 'RING_ERR_CALIB_CAPTURE_IDENTITY';

export function framesFromCapture(capture: string | Capture): { device: DeviceIdentity; frames: RingFrame[]; rejects: Record<string, number> } {
  const cap = typeof capture === 'string' ? readCapture(capture) : capture;
  const origin = typeof capture === 'string' ? capture : cap.header.port;
  const frames: RingFrame[] = [];
  let device: DeviceIdentity | null = null;
  const decoder = new RingDecoder((m) => {
    if (m.type === 'data') frames.push(m.frame);
    else if (m.type === 'reply' && m.ok && m.command === Commands.IDENTIFY && !device) device = identityFromReply(m.fields);
  }, 'replay');
  for (const e of cap.events) {
    if ('open' in e) decoder.reset();
    else if ('rx' in e) decoder.push(Buffer.from(e.rx, 'base64'));
  }
  if (!device) {
    throw new HoloringError(CAPTURE_NO_IDENTITY, `${origin}: the capture holds no reply to ${Commands.IDENTIFY}, so the device it recorded is unknown; record from connect() on`, { origin });
  }
  return { device, frames, rejects: { ...decoder.rejects } };
}
