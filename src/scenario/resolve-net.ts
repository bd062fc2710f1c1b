import { ADVMSS, MAX_BUFFER, type NetConfig } from '../model/net/config.js';
import type { Behaviour } from '../model/versions.js';
import type { Warn } from './kubevirt.js';
import type { Located } from './errors.js';
import type { VmSection } from './schema.js';

/** Peer presets: an external host behind a 25 Gbit/s link, or the host's own stack over the tap. */
const PEERS = {
  external: { rtt: 30_000, line_rate_gbit: 25, service: 2_000 },
  host: { rtt: 6_000, line_rate_gbit: 0, service: 2_000 },
};

/**
 * A VM's virtio-net NIC and network load -> the model's input. Checks the MSI-X budget: the NIC takes 2 x queues + 2
 * vectors (one per virtqueue, config, control queue); beyond the guest's budget the scenario stops, or,
 * with msix_overflow: fallback, the guest shares one vector among all queues (virtio_pci's fall-back),
 * so every interrupt lands on one vCPU.
 */
export function resolveNic(s: VmSection, fail: Located, warn: Warn, behaviour: Behaviour): NetConfig {
  const n = s.nic!, w = s.net ?? { mode: 'stream' as const, direction: 'tx' as const, flows: 1, msg_size: MAX_BUFFER, window: 8, rate: undefined, protocol: 'tcp' as const };
  if (w.msg_size > MAX_BUFFER) throw fail(['net', 'msg_size'], `at most ${MAX_BUFFER} bytes (one TSO/GRO buffer)`);
  if (n.queues > 1 && !n.mq) warn(['nic', 'mq'], `queues: ${n.queues} without mq: true: the guest sees one queue pair`);
  const queues = n.mq ? n.queues : 1;
  const combined = Math.min(n.combined_queues ?? Math.min(queues, s.vm.vcpus), queues);
  if (n.combined_queues !== undefined && n.combined_queues > queues) warn(['nic', 'combined_queues'], `the guest can enable at most ${queues} queue pairs`);
  const vectors = n.vectors ?? 2 * queues + 2;
  const budget = s.vm.msix_budget, other = s.vm.other_msix_vectors;
  let sharedVector = false;
  if (vectors + other > budget) {
    const reason = `MSI-X vectors exceed the guest's budget: virtio-net ${n.name} needs ${vectors} (2 x ${queues} queues + 2)`
      + `${other ? ` and the VM's other devices ${other}` : ''}, ${vectors + other} in all, budget ${budget}`;
    if (n.msix_overflow === 'error') throw fail(['nic', 'queues'], reason);
    warn(['nic', 'msix_overflow'], `${reason}; the guest falls back to one vector shared by every queue`);
    sharedVector = true;
  }
  const p = { ...PEERS[s.peer?.target ?? 'external'], ...definedOf(s.peer ?? {}) };
  return {
    nic: {
      name: n.name, queues, combined, queueSize: n['queue-size'], packed: n.ring === 'packed', eventIdx: n.event_idx,
      vhost: n.vhost, pollNs: n['poll-us'] * 1000, zerocopyTx: n.zerocopy_tx, sharedVector,
      napiTx: n.napi_tx ?? behaviour.napiTx,
      vectors, otherVectors: other, vectorBudget: budget,
    },
    workload: {
      mode: w.mode, direction: w.mode === 'rr' ? 'tx' : w.direction, flows: w.flows, msgBytes: w.msg_size,
      window: w.mode === 'rr' ? 1 : w.window, rateMsgs: w.rate ?? 0, protocol: w.protocol,
      ackEvery: ackEvery(w.msg_size, w.mode === 'rr' ? 1 : w.window),
    },
    peer: { rttNs: p.rtt, lineRateBps: p.line_rate_gbit * 1e9, serviceNs: p.service },
  };
}

function definedOf<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** TCP_MSS_DEFAULT (include/net/tcp.h): the receiver's rcv_mss before it has seen a full segment. */
const TCP_MSS_DEFAULT = 536;

/**
 * How many messages a Linux receiver takes in per ACK it sends at once (tcp_input.c
 * __tcp_ack_snd_check: "more than one full frame received", i.e. more than rcv_mss bytes unacknowledged;
 * tcp_measure_rcv_mss: rcv_mss follows the segments seen, up to advmss, and stays at 536 for smaller
 * ones): 1 per 64 KiB GRO buffer, 2 per 1 KiB message, 3 per 256 B, 9 per 64 B. Never more than the
 * window, which stands for TCP's and is in practice never so small that the delayed-ACK timer paces it.
 */
export function ackEvery(msgBytes: number, window: number): number {
  const rcvMss = msgBytes >= TCP_MSS_DEFAULT ? Math.min(msgBytes, ADVMSS) : TCP_MSS_DEFAULT;
  return Math.max(1, Math.min(window, Math.floor(rcvMss / msgBytes) + 1));
}
