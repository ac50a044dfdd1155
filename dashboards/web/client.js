// The dashboard's WebSocket client (docs/ws-protocol.md, protocol 1): connects,
// reconnects with exponential backoff, and resumes from the last seq it saw
// (the server replays what was missed, or sends a fresh snapshot).

export const PROTOCOL_VERSION = 1;

/** Backoff before reconnect attempt n (0, 1, ...): 0.5 s doubling up to 10 s, spread by the attempt's own phase. */
export function backoffMs(n) {
  const base = Math.min(10_000, 500 * 2 ** n);
  return Math.round(base * (0.75 + 0.25 * ((n * 0.618) % 1)));
}

/**
 * connect({ onMessage(m), onState(state, info), protocols() }) → { drop(), close(), lastSeq }
 * protocols() gives the WebSocket subprotocols of each attempt (the token, src/server/auth.ts).
 * States: 'connecting', 'live', 'reconnecting' (info.attempt, info.inMs).
 */
export function connect({ onMessage, onState, path = '/ws', protocols = () => [] }) {
  let ws = null;
  let lastSeq = null;
  let instance = null;
  let attempt = 0;
  let timer = null;
  let closed = false;

  const url = () => {
    const q = new URLSearchParams();
    if (instance !== null && lastSeq !== null) {
      q.set('since', String(lastSeq));
      q.set('instance', instance);
    }
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const qs = q.toString();
    return `${proto}//${location.host}${path}${qs ? `?${qs}` : ''}`;
  };

  const open = () => {
    timer = null;
    onState(attempt === 0 ? 'connecting' : 'reconnecting', { attempt });
    const sock = new WebSocket(url(), protocols());
    ws = sock;
    sock.onmessage = (e) => {
      let m;
      try {
        m = JSON.parse(e.data);
      } catch {
        return;
      }
      if (typeof m.seq === 'number') lastSeq = lastSeq === null ? m.seq : Math.max(lastSeq, m.seq);
      if (m.type === 'hello') {
        if (m.protocol !== PROTOCOL_VERSION) {
          onState('offline', { reason: `server speaks protocol ${m.protocol}, this page ${PROTOCOL_VERSION}: reload the page` });
          closed = true;
          sock.close();
          return;
        }
        instance = m.instance;
        lastSeq = m.seq;
        attempt = 0;
        onState('live', { resumed: m.resumed });
      }
      onMessage(m);
    };
    sock.onclose = () => {
      if (ws !== sock) return;
      ws = null;
      if (closed) return;
      const inMs = backoffMs(attempt);
      attempt++;
      onState('reconnecting', { attempt, inMs });
      timer = setTimeout(open, inMs);
    };
    sock.onerror = () => {
      // onclose follows and schedules the reconnect
    };
  };

  open();
  return {
    /** Closes the socket as a network failure would (the client reconnects). */
    drop() {
      if (ws) ws.close(4000, 'dropped by the page');
    },
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      if (ws) ws.close(1000, 'page closed');
    },
    send(msg) {
      if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(msg));
    },
    get lastSeq() {
      return lastSeq;
    },
  };
}
