import * as zlib from 'node:zlib';

/**
 * CRC-32 (IEEE 802.3 / zlib: reflected polynomial 0xEDB88320, init and final
 * XOR 0xFFFFFFFF; check value of "123456789" is 0xCBF43926). Uses the native
 * zlib implementation when Node provides it, the table below otherwise.
 */
const TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** Table-driven CRC-32 of bytes[start, end). */
export function crc32Table(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const native = (zlib as { crc32?: (data: Uint8Array) => number }).crc32;

/** CRC-32 of bytes[start, end). */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  if (native) return native(start === 0 && end === bytes.length ? bytes : bytes.subarray(start, end)) >>> 0;
  return crc32Table(bytes, start, end);
}

/** The checksum as it appears on the wire: 8 upper-case hex digits. */
export function crcHex(crc: number): string {
  return (crc >>> 0).toString(16).toUpperCase().padStart(8, '0');
}

/** Parses 8 hex digits at bytes[at..at+8); -1 when any is not a hex digit. */
export function parseHex8(bytes: Uint8Array, at: number): number {
  let v = 0;
  for (let i = at; i < at + 8; i++) {
    const b = bytes[i];
    let d: number;
    if (b >= 0x30 && b <= 0x39) d = b - 0x30;
    else if (b >= 0x41 && b <= 0x46) d = b - 0x37;
    else if (b >= 0x61 && b <= 0x66) d = b - 0x57;
    else return -1;
    v = v * 16 + d;
  }
  return v;
}
