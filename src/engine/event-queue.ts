/**
 * Binary min-heap of events keyed by (time, insertion sequence), stored in parallel typed arrays so
 * that pushing and popping allocate nothing. An event is three integers: a kind and two arguments;
 * the model interprets them. Equal times pop in insertion order, which makes runs replay exactly.
 */
export class EventQueue {
  private time: Float64Array;
  private seq: Float64Array;
  private kind: Int32Array;
  private argA: Int32Array;
  private argB: Int32Array;
  private n = 0;
  private nextSeq = 0;

  /** Fields of the event last returned by pop(). */
  topTime = 0;
  topKind = 0;
  topA = 0;
  topB = 0;

  constructor(capacity = 1024) {
    this.time = new Float64Array(capacity);
    this.seq = new Float64Array(capacity);
    this.kind = new Int32Array(capacity);
    this.argA = new Int32Array(capacity);
    this.argB = new Int32Array(capacity);
  }

  get size(): number {
    return this.n;
  }

  /** Time of the earliest event; Infinity when empty. */
  peekTime(): number {
    return this.n > 0 ? this.time[0] : Infinity;
  }

  push(t: number, kind: number, a: number, b: number): void {
    if (this.n === this.time.length) this.grow();
    const time = this.time, seq = this.seq, kinds = this.kind, as = this.argA, bs = this.argB;
    const q = this.nextSeq++;
    let i = this.n++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pt = time[p];
      if (pt < t || (pt === t && seq[p] < q)) break;
      time[i] = pt; seq[i] = seq[p]; kinds[i] = kinds[p]; as[i] = as[p]; bs[i] = bs[p];
      i = p;
    }
    time[i] = t; seq[i] = q; kinds[i] = kind; as[i] = a; bs[i] = b;
  }

  /** Removes the earliest event into topTime/topKind/topA/topB. The queue must not be empty. */
  pop(): void {
    const time = this.time, seq = this.seq, kinds = this.kind, as = this.argA, bs = this.argB;
    this.topTime = time[0]; this.topKind = kinds[0]; this.topA = as[0]; this.topB = bs[0];
    const n = --this.n;
    if (n === 0) return;
    const t = time[n], q = seq[n], k = kinds[n], a = as[n], b = bs[n];
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      const r = c + 1;
      if (r < n && (time[r] < time[c] || (time[r] === time[c] && seq[r] < seq[c]))) c = r;
      const ct = time[c];
      if (t < ct || (t === ct && q < seq[c])) break;
      time[i] = ct; seq[i] = seq[c]; kinds[i] = kinds[c]; as[i] = as[c]; bs[i] = bs[c];
      i = c;
    }
    time[i] = t; seq[i] = q; kinds[i] = k; as[i] = a; bs[i] = b;
  }

  private grow(): void {
    const cap = this.time.length * 2;
    const t = new Float64Array(cap); t.set(this.time); this.time = t;
    const s = new Float64Array(cap); s.set(this.seq); this.seq = s;
    const k = new Int32Array(cap); k.set(this.kind); this.kind = k;
    const a = new Int32Array(cap); a.set(this.argA); this.argA = a;
    const b = new Int32Array(cap); b.set(this.argB); this.argB = b;
  }
}
