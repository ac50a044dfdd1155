// Dashboard clients for the server benchmark, in their own process (as browsers
// would be): N WebSocket clients on URL, the last one stalled (its socket paused
// after the hello, so it reads nothing). Each live client records when every
// `ring` message arrives (epoch ms, sub-ms) and how many bytes it received.
// Runs for SECONDS, then prints one JSON line with the results and exits.
import WebSocket from 'ws';

const [url, nArg, secondsArg, stalledArg] = process.argv.slice(2);
const n = Number(nArg);
const seconds = Number(secondsArg);
const stalledCount = Number(stalledArg ?? 1);
const now = () => performance.timeOrigin + performance.now();
const clients = [];
for (let i = 0; i < n; i++) {
  const stalled = i >= n - stalledCount;
  const c = { stalled, bytes: 0, rings: [], ws: new WebSocket(url) };
  c.ws.on('message', (data, isBinary) => {
    c.bytes += isBinary ? data.length : Buffer.byteLength(data);
    const m = JSON.parse(String(data));
    if (m.type === 'hello' && stalled) c.ws._socket.pause();
    if (m.type === 'ring') c.rings.push([m.ring.seq, now()]);
  });
  c.ws.on('error', () => {});
  clients.push(c);
}
const t0 = now();
setTimeout(() => {
  const elapsed = (now() - t0) / 1000;
  const out = clients.map((c) => ({ stalled: c.stalled, bytes: c.bytes, rings: c.rings }));
  process.stdout.write(JSON.stringify({ elapsed, clients: out }) + '\n');
  for (const c of clients) c.ws.terminate();
  process.exit(0);
}, seconds * 1000);
