import { describe, expect, it } from 'vitest';
import { TOPICS, WsErrorCodes, encode, parseClientMessage, parseTopics, sig } from '../../src/server/protocol.ts';

describe('WebSocket protocol: client messages', () => {
  it('accepts subscribe and ping', () => {
    expect(parseClientMessage('{"type":"subscribe","topics":["ring","fit"],"maxHz":{"ring":2}}')).toEqual({ ok: true, message: { type: 'subscribe', topics: ['ring', 'fit'], maxHz: { ring: 2 } } });
    expect(parseClientMessage(Buffer.from('{"type":"ping","id":7}'))).toEqual({ ok: true, message: { type: 'ping', id: 7 } });
  });

  it('refuses malformed, unknown and invalid messages with stable codes', () => {
    const code = (data: string, binary = false) => {
      const r = parseClientMessage(data, binary);
      return r.ok ? 'ok' : r.code;
    };
    expect(code('{not json')).toBe(WsErrorCodes.MALFORMED);
    expect(code('[1,2]')).toBe(WsErrorCodes.MALFORMED);
    expect(code('"text"')).toBe(WsErrorCodes.MALFORMED);
    expect(code('{"type":"ping"}', true)).toBe(WsErrorCodes.MALFORMED);
    expect(code('{"type":"shutdown"}')).toBe(WsErrorCodes.UNKNOWN_TYPE);
    expect(code('{"topics":[]}')).toBe(WsErrorCodes.UNKNOWN_TYPE);
    expect(code('{"type":"subscribe","topics":["weather"]}')).toBe(WsErrorCodes.INVALID);
    expect(code('{"type":"subscribe","topics":["ring"],"maxHz":{"ring":0}}')).toBe(WsErrorCodes.INVALID);
    expect(code('{"type":"ping","extra":1}')).toBe(WsErrorCodes.INVALID);
    const r = parseClientMessage('{"type":"subscribe","topics":["weather"]}');
    expect(r.ok ? '' : r.message).toMatch(/topics\.0/);
  });

  it('parses the topics of the connect URL', () => {
    expect(parseTopics(undefined)).toEqual([...TOPICS]);
    expect(parseTopics('ring,fit')).toEqual(['ring', 'fit']);
    expect(parseTopics('ring,weather')).toBeNull();
  });
});

describe('WebSocket protocol: encoding', () => {
  it('encodes a message once as JSON text with its type and seq', () => {
    const text = encode({ type: 'ring', seq: 42, time: '2026-01-01T00:00:00.000Z', ring: { omega: 1.5 } });
    expect(JSON.parse(text)).toEqual({ type: 'ring', seq: 42, time: '2026-01-01T00:00:00.000Z', ring: { omega: 1.5 } });
  });

  it('rounds plotted numbers to significant digits', () => {
    expect(sig(1.23456789, 4)).toBe(1.235);
    expect(sig(-0.000123456, 3)).toBe(-0.000123);
    expect(sig(0)).toBe(0);
    expect(sig(Infinity)).toBe(Infinity);
    expect(sig(123456789, 6)).toBe(123457000);
  });
});
