import { Distribution } from '../engine/distribution.js';
import { aioEngine } from './qemu/aio/registry.js';
import type { ModelConfig, VmConfig } from './config.js';
import type { Costs } from './costs.js';
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
export function estimateRun(cfg: ModelConfig): Estimate {
  const simSeconds = (cfg.warmupNs + cfg.durationNs) / 1e9;
  const parts = cfg.vms.map((vm) => {
    const blk = estimateBlk(vm, cfg.costs);
    const net = vm.net ? estimateNet(vm, vm.net, cfg.costs) : { rate: 0, events: 0, bytes: 0 };
    return { iops: blk.rate, blkEvents: blk.events, netEvents: net.events, bytes: blk.bytes + net.bytes };
  });
  const used = new Set(cfg.vms.flatMap((vm) => vm.disks.map((d) => d.deviceIndex)));
  const deviceCap = [...used].reduce((s, i) => s + (cfg.devices[i].iopsCap > 0 ? cfg.devices[i].iopsCap : Infinity), 0);
  const iops = Math.min(parts.reduce((s, p) => s + p.iops, 0), deviceCap);
  const events = (iops * EVENTS_PER_IO + parts.reduce((s, p) => s + p.blkEvents + p.netEvents, 0)) * simSeconds;
  const bytes = parts.reduce((s, p) => s + p.bytes, 0);
  return { events, wallSeconds: events / EVENTS_PER_WALL_SECOND, bytes };
}

/** A VM's fio: the I/O rate its depths, devices and threads allow (events: its open-loop arrivals,
 *  per second), and the memory of its tables. */
function estimateBlk(vm: VmConfig, c: Readonly<Costs>): { rate: number; events: number; bytes: number } {
  let closedLoop = 0, slots = 0, arrivals = 0;
  for (const j of vm.jobs) {
    const dev = vm.disks[j.disk].device;
    const service = Math.max(new Distribution(j.rw.includes('write') ? dev.write : dev.read).mean, 1000);
    const depthBound = (j.iodepth * 1e9) / service;
    closedLoop += j.numjobs * (j.rateIops > 0 ? Math.min(j.rateIops, depthBound) : depthBound);
    slots += j.iodepth * j.numjobs;
    arrivals += j.numjobs * j.rateIops;
  }
  const contexts = new Set(vm.disks.flatMap((d) => d.vqContexts));
  // Every I/O passes through a vCPU (fio and the guest's block layer) and an AioContext thread.
  const guestNs = Math.max(MIN_THREAD_NS_PER_IO, c.guest_submit_ns + c.guest_complete_ns + c.guest_blk_complete_ns);
  const hostNs = Math.max(MIN_THREAD_NS_PER_IO, c.blk_request_ns + c.blk_complete_ns);
  const threadCap = Math.min((vm.vcpus * 1e9) / guestNs, (contexts.size * 1e9) / hostNs);
  const vqs = vm.disks.reduce((s, d) => s + d.numQueues, 0);
  const poolWorkers = contexts.size * Math.max(0, ...vm.disks.map((d) => aioEngine(d.aio).maxThreads));
  const threads = vm.vcpus + contexts.size + poolWorkers;
  const bytes = slots * 120 + vqs * 1200 + threads * 4096 + (slots + threads) * 64;
  // Every open-loop arrival is an event, served or not.
  return { rate: vm.jobs.length ? Math.min(closedLoop, threadCap) : 0, events: arrivals, bytes };
}

function estimateNet(vm: VmConfig, n: NetConfig, c: Readonly<Costs>): { rate: number; events: number; bytes: number } {
  const w = n.workload, p = n.peer;
  const perFlow = w.rateMsgs > 0 ? w.rateMsgs : ((w.mode === 'rr' ? 1 : w.window) * 1e9) / Math.max(p.rttNs + p.serviceNs, 1000);
  const line = p.lineRateBps > 0 ? (2 * p.lineRateBps) / (8 * w.msgBytes) : Infinity;
  // Messages: each is a write (or a read) in the guest; vhost bounds them only where each is a packet
  // (a TCP stream's writes coalesce into skbs).
  const coalesced = w.mode === 'stream' && w.protocol === 'tcp';
  const threadCap = Math.min(
    (vm.vcpus * 1e9) / Math.max(MIN_THREAD_NS_PER_IO, Math.min(c.net_guest_sendmsg_ns, c.net_guest_rx_ns)),
    coalesced ? Infinity : (n.nic.queues * 1e9) / Math.max(MIN_THREAD_NS_PER_IO, Math.min(c.vhost_tx_ns, c.vhost_rx_ns)),
  );
  const buffers = Math.min(w.flows * perFlow, line, threadCap);
  const bytes = w.flows * w.window * 200 + n.nic.queues * 4 * 1200 + (vm.vcpus + n.nic.queues) * 4096;
  return { rate: buffers, events: buffers * EVENTS_PER_BUFFER + w.flows * w.rateMsgs, bytes };
}
