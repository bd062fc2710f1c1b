// The speed benchmark's reference loop, as shared/reference/tandem-reference.mjs (the project's steering
// folder) gives it: kept here byte for byte below this header so that npm run bench works from a clone.
// Hand-tuned engine: binary min-heap over typed arrays, (time, seq) ordering, no allocation in the loop.
const N = 64, TARGET = +(process.argv[2] || 2000000);
let s = 12345 >>> 0;
function rnd() { s = (s + 0x6D2B79F5) | 0; let t = Math.imul(s ^ (s >>> 15), 1 | s); t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t; return ((t ^ (t >>> 14)) >>> 0) / 4294967296; }
const exp = (m) => -m * Math.log(1 - rnd());
const CAP = 1 << 20;
const ht = new Float64Array(CAP), hs = new Float64Array(CAP), hk = new Int32Array(CAP);
let n = 0, seq = 0;
function push(t, k) { let i = n++; const q = seq++; while (i > 0) { const p = (i - 1) >> 1; if (ht[p] < t || (ht[p] === t && hs[p] < q)) break; ht[i] = ht[p]; hs[i] = hs[p]; hk[i] = hk[p]; i = p; } ht[i] = t; hs[i] = q; hk[i] = k; }
let topT = 0, topK = 0;
function pop() { topT = ht[0]; topK = hk[0]; const t = ht[--n], q = hs[n], k = hk[n]; let i = 0; for (;;) { let c = 2 * i + 1; if (c >= n) break; if (c + 1 < n && (ht[c + 1] < ht[c] || (ht[c + 1] === ht[c] && hs[c + 1] < hs[c]))) c++; if (t < ht[c] || (t === ht[c] && q < hs[c])) break; ht[i] = ht[c]; hs[i] = hs[c]; hk[i] = hk[c]; i = c; } ht[i] = t; hs[i] = q; hk[i] = k; }
// iothread FIFO
const fifo = new Int32Array(N + 1); let fh = 0, ft = 0, fl = 0, busy = false;
const IO_DONE = 0, DEV_DONE = 1; let now = 0, done = 0, events = 0;
function arrive(r) { if (!busy) { busy = true; push(now + exp(2), (r << 1) | IO_DONE); } else { fifo[ft] = r; ft = (ft + 1) % (N + 1); fl++; } }
for (let r = 0; r < N; r++) arrive(r);
const t0 = process.hrtime.bigint();
while (done < TARGET) {
  pop(); now = topT; events++; const r = topK >> 1;
  if ((topK & 1) === IO_DONE) { push(now + exp(80), (r << 1) | DEV_DONE); if (fl > 0) { const nx = fifo[fh]; fh = (fh + 1) % (N + 1); fl--; push(now + exp(2), (nx << 1) | IO_DONE); } else busy = false; }
  else { done++; arrive(r); }
}
const wall = Number(process.hrtime.bigint() - t0) / 1e9;
console.log(JSON.stringify({ engine: 'fast-js', sim_req_per_s: done / (now * 1e-6), events, wall_s: wall, events_per_s: events / wall, req_per_wall_s: done / wall }));
