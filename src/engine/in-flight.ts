/** Items in flight over time: their number, its maximum, and its time integral (Little's L over a
 *  window is the integral divided by the window). */
export class InFlight {
  count = 0;
  max = 0;
  area = 0;
  private lastChange = 0;

  /** `delta` items start (or, negative, end) at `now`. */
  track(delta: number, now: number): void {
    this.area += this.count * (now - this.lastChange);
    this.lastChange = now;
    this.count += delta;
    if (this.count > this.max) this.max = this.count;
  }

  /** A new window starts at `now`. */
  reset(now: number): void {
    this.track(0, now);
    this.area = 0;
  }
}
