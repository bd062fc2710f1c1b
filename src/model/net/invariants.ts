import type { Simulation } from '../../engine/simulation.js';
import { littleViolation } from '../invariants.js';
import type { NetConfig } from './config.js';
import type { NetLoad } from './load.js';
import type { Flow, Packets, QueuePair } from './queue-pair.js';

/** What the laws read of the virtio-net side. */
export interface NetState {
  readonly sim: Simulation;
  readonly flows: readonly Flow[];
  readonly pairs: readonly QueuePair[];
  readonly packets: Packets;
  readonly loads: readonly NetLoad[];
  readonly nets: readonly (NetConfig | null)[];
}

/** Messages conserved, rings within bounds, and Little's law for each VM's request/response load. */
export function netViolations(w: NetState, windowNs: number): string[] {
  const broken: string[] = [];
  const inflight = w.flows.reduce((s, f) => s + f.inflight, 0);
  const unwritten = w.flows.reduce((s, f) => s + f.toSend, 0);
  const counted = w.loads.reduce((s, l) => s + l.inFlight.count, 0);
  if (w.packets.live !== counted) broken.push(`messages not conserved: ${w.packets.live} alive, ${counted} counted`);
  // In flight: written or not, alive, or delivered with its acknowledgement still on the way back.
  if (w.packets.live + unwritten > inflight) broken.push(`${w.packets.live} messages alive and ${unwritten} unwritten for ${inflight} in flight`);
  for (const f of w.flows) {
    const window = w.nets[f.vm]!.workload.window;
    if (f.inflight > window) broken.push(`flow ${f.index} has ${f.inflight} messages in flight, window ${window}`);
  }
  for (const q of w.pairs) {
    for (const vq of [q.tx, q.rx]) if (vq.maxInuse > vq.size) broken.push(`virtqueue ${vq.index} held ${vq.maxInuse}, size ${vq.size}`);
  }
  w.loads.forEach((l, v) => {
    if (w.nets[v]?.workload.mode !== 'rr') return;
    const oldest = w.packets.oldest((p) => w.flows[w.packets.flow[p]].vm === v);
    const little = littleViolation(l.inFlight.area / windowNs, l.transactions, windowNs, l.latency, l.inFlight.max, oldest === Infinity ? 0 : w.sim.now - oldest);
    if (little) broken.push(w.loads.length > 1 ? `VM ${v}: ${little}` : little);
  });
  return broken;
}
