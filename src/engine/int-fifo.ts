/** FIFO of integers in a growable ring buffer: no allocation per push once warm. */
export class IntFifo {
  private buf: Int32Array;
  private mask: number;
  private head = 0;
  size = 0;

  constructor(capacity = 16) {
    let cap = 16;
    while (cap < capacity) cap *= 2;
    this.buf = new Int32Array(cap);
    this.mask = cap - 1;
  }

  push(v: number): void {
    if (this.size === this.buf.length) this.grow();
    this.buf[(this.head + this.size) & this.mask] = v;
    this.size++;
  }

  /** Puts v at the head, to be shifted first. */
  unshift(v: number): void {
    if (this.size === this.buf.length) this.grow();
    this.head = (this.head - 1) & this.mask;
    this.buf[this.head] = v;
    this.size++;
  }

  shift(): number {
    const v = this.buf[this.head];
    this.head = (this.head + 1) & this.mask;
    this.size--;
    return v;
  }

  /** The i-th element from the head, without removing it. */
  at(i: number): number {
    return this.buf[(this.head + i) & this.mask];
  }

  /** Removes and returns the i-th element from the head; the others keep their order. */
  removeAt(i: number): number {
    const v = this.at(i);
    for (let j = i; j > 0; j--) this.buf[(this.head + j) & this.mask] = this.buf[(this.head + j - 1) & this.mask];
    this.head = (this.head + 1) & this.mask;
    this.size--;
    return v;
  }

  private grow(): void {
    const next = new Int32Array(this.buf.length * 2);
    for (let i = 0; i < this.size; i++) next[i] = this.buf[(this.head + i) & this.mask];
    this.buf = next;
    this.mask = next.length - 1;
    this.head = 0;
  }
}
