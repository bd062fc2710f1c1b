import type { ResultFrame } from '../host/device-side.js';
import type { LoadResult } from '../host/load-result.js';
import type { NetLoad } from './load.js';
import type { VhostWorker } from './vhost-worker.js';

/** What one virtio-net run measured over its window (latency: a transaction's, rr, from the request's
 *  write to the response's read). */
export interface NetResult extends LoadResult {
  /** Payload bytes that reached the receiving application. */
  bytes: number;
  /** Buffers through the virtqueues (TX and RX). */
  buffers: number;
  /** Request/response transactions completed (rr). */
  transactions: number;
}

/** A VM's network result: its load, and the workers that served its NIC. */
export function netResult(load: NetLoad, workers: readonly VhostWorker[], f: ResultFrame): NetResult {
  const T = f.windowNs;
  return {
    variant: f.variant, windowNs: T,
    bytes: load.bytes, buffers: workers.reduce((s, w) => s + w.buffers, 0), transactions: load.transactions,
    latency: load.latency, threads: f.threads, kicks: f.kicks, irqs: load.irqs,
    pollWindows: workers.reduce((s, x) => s + x.pollWindows, 0),
    pollHits: workers.reduce((s, x) => s + x.pollHits, 0),
    meanOutstanding: load.inFlight.area / T,
    events: f.host.events,
  };
}
