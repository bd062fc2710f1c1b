/**
 * Events keyed by (time, insertion sequence), earliest first. An event is three integers: a kind and
 * two arguments; the model interprets them. The earliest event is often the one just pushed (the end
 * of a short CPU step, with device completions further out), so it is held beside the heap and goes
 * out without touching it. The heap holds only each event's time and the slot of its payload
 * (sequence, kind, arguments), so a sift moves two numbers per level, not five; the sequence is read
 * only when two times tie. Typed arrays throughout: pushing and popping allocate nothing. Equal times
 * pop in insertion order, which makes runs replay exactly.
 */
export class EventQueue {
  private time: Float64Array;
  private slot: Int32Array;
  private seqOf: Float64Array;
  private kindOf: Int32Array;
  private aOf: Int32Array;
  private bOf: Int32Array;
  /** Slots not holding an event, as a stack. */
  private free: Int32Array;
  private freeTop: number;
  private n = 0;
  private nextSeq = 0;
  /** The earliest event, when it is held outside the heap: earlier than every event in the heap. */
  private hasFirst = false;
  private firstTime = 0;
  private firstSeq = 0;
  private firstKind = 0;
  private firstA = 0;
  private firstB = 0;

  /** Fields of the event last returned by pop(). */
  topTime = 0;
  topKind = 0;
  topA = 0;
  topB = 0;

  constructor(capacity = 1024) {
    this.time = new Float64Array(capacity);
    this.slot = new Int32Array(capacity);
    this.seqOf = new Float64Array(capacity);
    this.kindOf = new Int32Array(capacity);
    this.aOf = new Int32Array(capacity);
    this.bOf = new Int32Array(capacity);
    this.free = new Int32Array(capacity);
    for (let i = 0; i < capacity; i++) this.free[i] = capacity - 1 - i;
    this.freeTop = capacity;
  }

  get size(): number {
    return this.n + (this.hasFirst ? 1 : 0);
  }

  /** Time of the earliest event; Infinity when empty. */
  peekTime(): number {
    return this.hasFirst ? this.firstTime : this.n > 0 ? this.time[0] : Infinity;
  }

  push(t: number, kind: number, a: number, b: number): void {
    const q = this.nextSeq++;
    // Strictly earlier than the heap's top (a tie goes after it, being pushed later).
    if (this.hasFirst ? t < this.firstTime : this.n === 0 || t < this.time[0]) {
      if (this.hasFirst) this.heapPush(this.firstTime, this.firstSeq, this.firstKind, this.firstA, this.firstB);
      this.hasFirst = true;
      this.firstTime = t; this.firstSeq = q; this.firstKind = kind; this.firstA = a; this.firstB = b;
      return;
    }
    this.heapPush(t, q, kind, a, b);
  }

  private heapPush(t: number, q: number, kind: number, a: number, b: number): void {
    if (this.freeTop === 0) this.grow();
    const s = this.free[--this.freeTop];
    const seqOf = this.seqOf;
    seqOf[s] = q; this.kindOf[s] = kind; this.aOf[s] = a; this.bOf[s] = b;
    const time = this.time, slot = this.slot;
    let i = this.n++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pt = time[p];
      if (pt < t || (pt === t && seqOf[slot[p]] < q)) break;
      time[i] = pt; slot[i] = slot[p];
      i = p;
    }
    time[i] = t; slot[i] = s;
  }

  /** Removes the earliest event into topTime/topKind/topA/topB if it is due by `until`; false when
   *  there is none (the run loop's one call per event). */
  popUntil(until: number): boolean {
    if (this.hasFirst) {
      if (this.firstTime > until) return false;
      this.hasFirst = false;
      this.topTime = this.firstTime; this.topKind = this.firstKind; this.topA = this.firstA; this.topB = this.firstB;
      return true;
    }
    if (this.n === 0 || this.time[0] > until) return false;
    this.pop();
    return true;
  }

  /** Removes the earliest event into topTime/topKind/topA/topB and returns its time. The queue must
   *  not be empty. */
  pop(): number {
    if (this.hasFirst) {
      this.hasFirst = false;
      this.topKind = this.firstKind; this.topA = this.firstA; this.topB = this.firstB;
      return (this.topTime = this.firstTime);
    }
    const time = this.time, slot = this.slot, seqOf = this.seqOf;
    const top = slot[0];
    this.topTime = time[0]; this.topKind = this.kindOf[top]; this.topA = this.aOf[top]; this.topB = this.bOf[top];
    this.free[this.freeTop++] = top;
    const n = --this.n;
    if (n === 0) return this.topTime;
    const t = time[n], s = slot[n];
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      const r = c + 1;
      if (r < n && (time[r] < time[c] || (time[r] === time[c] && seqOf[slot[r]] < seqOf[slot[c]]))) c = r;
      const ct = time[c];
      if (t < ct || (t === ct && seqOf[s] < seqOf[slot[c]])) break;
      time[i] = ct; slot[i] = slot[c];
      i = c;
    }
    time[i] = t; slot[i] = s;
    return this.topTime;
  }

  private grow(): void {
    const old = this.time.length, cap = old * 2;
    const f64 = (x: Float64Array) => { const y = new Float64Array(cap); y.set(x); return y; };
    const i32 = (x: Int32Array) => { const y = new Int32Array(cap); y.set(x); return y; };
    this.time = f64(this.time); this.seqOf = f64(this.seqOf);
    this.slot = i32(this.slot); this.kindOf = i32(this.kindOf); this.aOf = i32(this.aOf); this.bOf = i32(this.bOf);
    // Every slot below `old` is in use when the stack runs dry: the new ones are the free ones.
    this.free = new Int32Array(cap);
    for (let i = 0; i < cap - old; i++) this.free[i] = cap - 1 - i;
    this.freeTop = cap - old;
  }
}
