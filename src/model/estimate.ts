import { Distribution } from '../engine/distribution.js';
import { THREAD_POOL_MAX } from './aio/threads.js';
import type { ModelConfig } from './config.js';
import type { NetConfig } from './net/config.js';

/** Engine events per wall second on the shipped scenarios (npm run bench: 4-11 M; the low end). */
const EVENTS_PER_WALL_SECOND = 4e6;
/** Events per guest I/O (bench: 2.5-3.6) and per network buffer, rounded up. */
const EVENTS_PER_IO = 4;
const EVENTS_PER_BUFFER = 6;
/** A floor on a thread's CPU per I/O or buffer when the costs are zeroed, ns. */
const MIN_THREAD_NS_PER_IO = 200;

export interface Estimate {
  /** Engine events over warmup + duration. */
  events: number;
  wallSeconds: number;
  /** Memory the model's tables take, bytes (the Node process adds ~60 MiB). */
  bytes: number;
}

/**
 * An upper-bound estimate of a run's work and memory from its configuration, before it starts: the
 * request rate is the least of what the jobs' depths, the devices and the threads allow, and every
 * I/O costs a few events. Good to an order of magnitude, which is what deciding to warn, show a
 * progress bar or refuse needs.
 */
export function estimateRun(cfg: ModelConfig | NetConfig): Estimate {
  const simSeconds = (cfg.warmupNs + cfg.durationNs) / 1e9;
  if (cfg.kind === 'net') return estimateNet(cfg, simSeconds);
  let closedLoop = 0, slots = 0, arrivals = 0;
  for (const j of cfg.jobs) {
    const dev = cfg.disks[j.disk].device;
    const service = Math.max(new Distribution(j.rw.includes('write') ? dev.write : dev.read).mean, 1000);
    const depthBound = (j.iodepth * 1e9) / service;
    closedLoop += j.numjobs * (j.rateIops > 0 ? Math.min(j.rateIops, depthBound) : depthBound);
    slots += j.iodepth * j.numjobs;
    arrivals += j.numjobs * j.rateIops;
  }
  const contexts = new Set(cfg.disks.flatMap((d) => d.vqContexts));
  const deviceCap = cfg.disks.reduce((s, d) => s + (d.device.iopsCap > 0 ? d.device.iopsCap : Infinity), 0);
  // Every I/O passes through a vCPU (fio and the guest's block layer) and an AioContext thread.
  const c = cfg.costs;
  const guestNs = Math.max(MIN_THREAD_NS_PER_IO, c.guest_submit_ns + c.guest_complete_ns + c.guest_blk_complete_ns);
  const hostNs = Math.max(MIN_THREAD_NS_PER_IO, c.blk_request_ns + c.blk_complete_ns);
  const threadCap = Math.min((cfg.vcpus * 1e9) / guestNs, (contexts.size * 1e9) / hostNs);
  const iops = Math.min(closedLoop, deviceCap, threadCap);
  // Every open-loop arrival is an event, served or not.
  const events = (iops * EVENTS_PER_IO + arrivals) * simSeconds;
  const vqs = cfg.disks.reduce((s, d) => s + d.numQueues, 0);
  const poolWorkers = cfg.disks.some((d) => d.aio === 'threads') ? contexts.size * THREAD_POOL_MAX : 0;
  const threads = cfg.vcpus + contexts.size + poolWorkers;
  const bytes = slots * 120 + vqs * 1200 + threads * 4096 + (slots + threads) * 64;
  return { events, wallSeconds: events / EVENTS_PER_WALL_SECOND, bytes };
}

function estimateNet(cfg: NetConfig, simSeconds: number): Estimate {
  const w = cfg.workload, p = cfg.peer;
  const perFlow = w.rateMsgs > 0 ? w.rateMsgs : ((w.mode === 'rr' ? 1 : w.window) * 1e9) / Math.max(p.rttNs + p.serviceNs, 1000);
  const line = p.lineRateBps > 0 ? (2 * p.lineRateBps) / (8 * w.msgBytes) : Infinity;
  const c = cfg.costs;
  const threadCap = Math.min(
    (cfg.vcpus * 1e9) / Math.max(MIN_THREAD_NS_PER_IO, Math.min(c.net_guest_tx_ns, c.net_guest_rx_ns)),
    (cfg.nic.queues * 1e9) / Math.max(MIN_THREAD_NS_PER_IO, Math.min(c.vhost_tx_ns, c.vhost_rx_ns)),
  );
  const buffers = Math.min(w.flows * perFlow, line, threadCap);
  const events = (buffers * EVENTS_PER_BUFFER + w.flows * w.rateMsgs) * simSeconds;
  const bytes = w.flows * w.window * 200 + cfg.nic.queues * 4 * 1200 + (cfg.vcpus + cfg.nic.queues) * 4096;
  return { events, wallSeconds: events / EVENTS_PER_WALL_SECOND, bytes };
}
