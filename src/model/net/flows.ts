import type { NetConfig } from './config.js';
import type { Flow } from './queue-pair.js';

/**
 * VM v's flows (`base` its first vCPU, `firstPair` its NIC's first queue pair, `first` the first flow's
 * host-wide index): flow f on vCPU f mod vcpus. XPS maps a CPU to a TX queue. tun steers a flow's
 * packets for the guest to the queue its last packet from the guest came on (tun_automq_select_queue:
 * tun_flow_update records it, over the symmetric hash), so a flow the guest sends on (data, ACKs,
 * requests) is received on its TX queue; only a flow the guest never sends on goes by its hash over
 * the enabled queues.
 */
export function flowsOf(v: number, base: number, vcpus: number, net: NetConfig, firstPair: number, first: number, autocork: boolean): Flow[] {
  const w = net.workload, nic = net.nic;
  return Array.from({ length: w.flows }, (_, f) => {
    const vcpu = f % vcpus;
    const guestSends = w.mode === 'rr' || w.direction === 'tx' || (w.direction === 'both' && f % 2 === 0);
    const acked = w.mode === 'stream' && w.protocol === 'tcp';
    const txq = firstPair + (vcpu % nic.combined);
    return {
      index: first + f, vm: v, vcpu: base + vcpu, txq,
      rxq: guestSends || acked ? txq : firstPair + (flowHash(f) % nic.combined), guestSends, acked,
      ackEvery: w.ackEvery, unacked: 0, acksSent: 0, delackToken: -1,
      inflight: 0, coalesces: acked && guestSends, autocork, cork: -1, peerSkb: -1, throttled: false,
      pushQueued: false, unfreed: 0, written: 0, ackedMsgs: 0, smlEnd: 0, toSend: 0, backlog: 0, sendQueued: false,
    };
  });
}

/** A 32-bit integer mix (splitmix-like), standing in for the flow hash tun computes over the 5-tuple. */
function flowHash(f: number): number {
  let x = Math.imul(f + 0x9e3779b9, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}
