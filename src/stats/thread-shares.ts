import type { ThreadUse } from '../model/host/cpu-account.js';

/** Per-role CPU shares of a run's threads, in % of one core over a window of T ns. */
export function threadShares(threads: ThreadUse[], T: number) {
  const role = (name: string) => threads.filter((t) => t.role === name);
  const meanPct = (ts: ThreadUse[], f: (t: ThreadUse) => number) =>
    ts.length ? (100 * ts.reduce((s, t) => s + f(t), 0)) / ts.length / T : 0;
  const busy = (name: string) => meanPct(role(name), (t) => t.busyNs);
  const poll = (name: string) => meanPct(role(name), (t) => t.pollNs);
  /** Whole cores used by every thread, busy plus polling. */
  const hostCpus = threads.reduce((s, t) => s + t.busyNs + t.pollNs, 0) / T;
  return { role, busy, poll, hostCpus };
}
