import type { LoadResult } from '../host/load-result.js';

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
