import type { Histogram } from '../../engine/histogram.js';
import type { ThreadUse } from '../host/cpu-account.js';

/** What one virtio-net run measured over its window. */
export interface NetResult {
  variant: string;
  windowNs: number;
  /** Payload bytes that reached the receiving application. */
  bytes: number;
  /** Buffers through the virtqueues (TX and RX). */
  buffers: number;
  /** Request/response transactions completed (rr). */
  transactions: number;
  /** Transaction latency (rr), from the request's write to the response's read. */
  latency: Histogram;
  threads: ThreadUse[];
  kicks: number;
  irqs: number;
  pollWindows: number;
  pollHits: number;
  meanOutstanding: number;
  events: number;
}
