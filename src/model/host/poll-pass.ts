/**
 * A thread that polls its sources in turn, in passes of `passNs` that began at `passStart`, each source
 * `handlerNs` long: when source `turn` (its place in a pass, 0 first) next looks at work it got at
 * `now`. `passEnd`: the work is acted on only at the end of that pass (QEMU's run_poll_handlers_once
 * returns its progress after calling every io_poll); otherwise at the source's turn itself (an SPDK
 * reactor's poller handles what it finds as it runs).
 */
export function passSeenAt(now: number, passStart: number, passNs: number, handlerNs: number, turn: number, passEnd: boolean): number {
  if (passNs === 0) return now;
  const into = now - passStart;
  const pass = Math.floor(into / passNs);
  const at = pass * passNs + (turn + 1) * handlerNs;
  const seenPass = into <= at ? pass : pass + 1;
  return passStart + (passEnd ? (seenPass + 1) * passNs : seenPass * passNs + (turn + 1) * handlerNs);
}
