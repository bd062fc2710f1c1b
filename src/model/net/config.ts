/** The largest buffer: a TSO/GRO skb of 64 KiB, also TCP's size_goal with GSO (tcp_xmit_size_goal). */
export const MAX_BUFFER = 65536;
/** advmss on a 1500-byte MTU with timestamps: 1500 - 20 (IP) - 20 (TCP) - 12. */
export const ADVMSS = 1448;

/** Host kernel memory per vhost virtqueue (MODEL.md section 7: ~64 KiB). */
export const VHOST_QUEUE_KIB = 64;

/** The virtio-net header before each packet in a buffer (struct virtio_net_hdr_mrg_rxbuf). */
export const VNET_HDR_BYTES = 12;
const PAGE_SIZE = 4096;

/** The guest's RX buffers a packet fills. With mergeable RX buffers (mrg_rxbuf, on by default) each
 *  buffer is at most a page (drivers/net/virtio_net.c get_mergeable_buf_len: the packet-length EWMA
 *  clamped to PAGE_SIZE), so a larger packet spans several, each its own descriptor and used element
 *  (num_buffers in its header). */
export function rxBuffers(bytes: number): number {
  return Math.max(1, Math.ceil((bytes + VNET_HDR_BYTES) / PAGE_SIZE));
}

/** A VM's virtio-net NIC, the network load on it, and the peer at the far end. */
export interface NetConfig {
  nic: NicConfig;
  workload: NetWorkload;
  peer: PeerConfig;
}

export interface NicConfig {
  name: string;
  /** Host queue pairs (-netdev tap,queues=N; virtio-net-pci mq=on). */
  queues: number;
  /** Queue pairs the guest enabled (ethtool -L combined N); the rest stay idle. */
  combined: number;
  queueSize: number;
  packed: boolean;
  eventIdx: boolean;
  /** Data plane in vhost-net workers (one per queue pair), or in QEMU's main loop. */
  vhost: boolean;
  /** vhost busy polling (-netdev tap,poll-us=N), ns. */
  pollNs: number;
  /** vhost-net experimental_zcopytx. */
  zerocopyTx: boolean;
  /** The guest takes TX completion interrupts (virtio_net napi_tx) rather than reclaiming on its next send. */
  napiTx: boolean;
  /** Guest fell back to one shared MSI-X vector for every queue (budget exceeded): all interrupts on vCPU 0. */
  sharedVector: boolean;
  /** MSI-X vectors of this NIC and of the VM's other devices, and the guest's budget. */
  vectors: number;
  otherVectors: number;
  vectorBudget: number;
}

export interface NetWorkload {
  /** stream: bulk transfer (TCP_STREAM, iperf3); rr: request/response (TCP_RR). */
  mode: 'stream' | 'rr';
  /** tx: the guest sends; rx: the guest receives; both: half the flows each way (stream). */
  direction: 'tx' | 'rx' | 'both';
  flows: number;
  /** Message (and virtqueue buffer, with TSO/GRO) size, bytes. */
  msgBytes: number;
  /** Stream: messages in flight per flow before the sender waits for acknowledgements. */
  window: number;
  /** Per flow, messages per second; 0 = closed loop. */
  rateMsgs: number;
  /** tcp: each stream message is acknowledged by a packet of its own back through the virtio path
   *  (the receiver's ACK of a GRO-coalesced buffer); udp: no return packets (testpmd, iperf3 -u). */
  protocol: 'tcp' | 'udp';
  /** TCP: the receiver acknowledges every this many messages (see resolve-net's ackEvery). */
  ackEvery: number;
}

export interface PeerConfig {
  /** Round trip between the tap and the peer's application (wire, switch, the peer's stack), ns. */
  rttNs: number;
  /** Line rate each way, bits per second; 0 = none. */
  lineRateBps: number;
  /** The peer's time to answer a request (rr), ns. */
  serviceNs: number;
}
