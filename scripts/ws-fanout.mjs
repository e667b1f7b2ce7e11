// N WebSocket clients on `wattshare demo`'s /ws for D seconds: how long one push takes to reach
// all of them (first to last arrival, measured in this one process), and how many arrive.
// Usage: node --experimental-websocket scripts/ws-fanout.mjs PORT N D TOKEN (the demo's write token:
// its /ws wants it)
const [port, n = 100, seconds = 10] = process.argv.slice(2, 5).map(Number);
const token = process.argv[5] || '';
const arrivals = new Map();  // message time -> [first, last, count]
const sockets = [];
await Promise.all(Array.from({ length: n }, () => new Promise((resolve, reject) => {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws?token=${encodeURIComponent(token)}`);
  ws.onopen = resolve;
  ws.onerror = reject;
  ws.onmessage = (e) => {
    const now = performance.now();
    const t = JSON.parse(e.data).t_ms;
    const a = arrivals.get(t);
    if (a) { a[1] = now; a[2] += 1; } else arrivals.set(t, [now, now, 1]);
  };
  sockets.push(ws);
})));
const start = performance.now();
arrivals.clear();
await new Promise((r) => setTimeout(r, seconds * 1000));
sockets.forEach((s) => s.close());
const complete = [...arrivals.values()].filter((a) => a[2] === n).map((a) => a[1] - a[0]).sort((x, y) => x - y);
const pick = (q) => (complete.length ? complete[Math.min(complete.length - 1, Math.floor(q * complete.length))] : NaN);
console.log(JSON.stringify({
  clients: n, seconds: (performance.now() - start) / 1000, pushes: arrivals.size, pushes_to_all: complete.length,
  fanout_p50_ms: +pick(0.5).toFixed(2), fanout_p99_ms: +pick(0.99).toFixed(2),
}));
process.exit(0);
