/**
 * The releases a scenario runs on, and the mechanisms and defaults that changed between them
 * (docs/model.md has the table with the commits). A published measurement is reproduced on the
 * versions it was taken on; a user predicts for theirs.
 */
export interface Versions {
  qemu: string;
  /** The machine type's release (pc-q35-X.Y): QEMU keeps older machine types' device defaults (its
   *  hw_compat_X_Y tables) so a VM migrates unchanged; unset, the binary's newest (= qemu). */
  machine?: string;
  host_kernel: string;
  guest_kernel: string;
}

/** The newest releases whose source vqsim's mechanisms were read in. */
export const NEWEST: Versions = { qemu: '10.1', host_kernel: '6.12', guest_kernel: '6.12' };

/** "10.1" >= "9.2", compared numerically part by part. */
export function atLeast(version: string, min: string): boolean {
  const a = version.split('.').map(Number), b = min.split('.').map(Number);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? 0, y = b[i] ?? 0;
    if (x !== y) return x > y;
  }
  return true;
}

export type CoroutinePoolKind = 'fixed' | 'sized-batch' | 'sized' | 'global';

/** The version-dependent behaviour the model reads. */
export interface Behaviour {
  /** poll_ns per AioHandler, adjusted only for handlers that became ready; the window is the
   *  largest of them (QEMU 10.0, "aio-posix: Separate AioPolledEvent per AioHandler"). Before: one
   *  poll_ns per AioContext, adjusted after every aio_poll. */
  pollPerHandler: boolean;
  /** AioContexts poll before they block (QEMU 2.9, "aio: add polling mode to AioContext" and "aio:
   *  self-tune polling time", 2016): poll-max-ns defaults to 32 us; before, there is no polling. */
  aioPolling: boolean;
  /** Linux AIO events per LinuxAioState, the in-flight cap (block/linux-aio.c MAX_EVENTS). */
  linuxAioMaxEvents: number;
  /** Default io_submit batch within a plug: aio-max-batch's default 32 since QEMU 6.1; before it
   *  a plugged queue was submitted only once MAX_EVENTS were queued, or at unplug. */
  nativeDefaultBatch: number;
  /** Iothreads monitor fds with io_uring (fdmon-io_uring, QEMU 5.0, when built with liburing, as
   *  distributions build it); it drops poll handlers idle for 7 s (util/aio-posix.c POLL_IDLE_INTERVAL_NS). Before,
   *  ppoll, upgraded to epoll at 64 fds (fdmon-epoll EPOLL_ENABLE_THRESHOLD). */
  fdmonIoUring: boolean;
  /** The main loop waits through the AioContext's fd monitor too (fdmon-io_uring hooked into glib's
   *  GSource: "aio-posix: integrate fdmon into glib event loop", QEMU 10.2, the aio_add_sqe() series);
   *  before, glib's ppoll over every fd. */
  mainLoopFdmon: boolean;
  /** KVM halt_poll_ns_shrink default: 2 (halve) since Linux 6.11 (commit aeb1b22a3ac8 "KVM: Enable halt polling
   *  shrink parameter by default"), 0 (reset) before. */
  haltPollShrink: number;
  /** KVM halt polling exists (Linux 4.0, "KVM: add halt_poll_ns module parameter"): the default
   *  halt_poll_ns before it is 0. */
  kvmHaltPoll: boolean;
  /** Each vCPU's halt-polling window grows on short halts and shrinks on long ones (Linux 4.3, aca6ff29c406
   *  "KVM: dynamic halt-polling"); before, every halt polls for the whole halt_poll_ns. */
  kvmHaltPollAdaptive: boolean;
  /** The host's fair scheduler is EEVDF (Linux 6.6, 147f3efaa241 "sched/fair: Implement an EEVDF-like
   *  scheduling policy"): a woken thread preempts by lag, else waits for the running thread's slice.
   *  Before, CFS preempts for any woken thread far enough behind in vruntime. */
  eevdf: boolean;
  /** EEVDF's DELAY_DEQUEUE (Linux 6.12, 152e11f6df29 "sched/fair: Implement delayed dequeue"). */
  delayDequeue: boolean;
  /** The guest's cpuidle-haltpoll driver exists (Linux 5.4). */
  guestHaltpoll: boolean;
  /** The guest's TCP autocorks (Linux 3.14, f54b311142a9 "tcp: auto corking"): a write that finds the
   *  socket's earlier skbs still in the qdisc or the device is held in its skb, to be sent when one is
   *  freed (the TSQ handler), so small writes coalesce. */
  tcpAutocork: boolean;
  /** The guest gives a request queue with one hardware queue mq-deadline (Linux 4.11, which brought
   *  blk-mq schedulers: elevator_get_default); before, blk-mq had no scheduler. */
  mqDeadlineDefault: boolean;
  /** mq-deadline inserts through per-CPU lists and serializes dispatch (Linux 6.9, "block/mq-deadline:
   *  use separate insertion lists"): its dd->lock is held far shorter per request. */
  mqDeadlineInsertLists: boolean;
  /** virtio_net napi_tx on by default (Linux 5.3, "virtio-net: enable napi_tx by default"). */
  napiTx: boolean;
  /** QEMU-emulated virtio-blk and virtio-scsi queues default to 256 descriptors (5.0 machine types, "virtio:
   *  increase virtqueue size for virtio-scsi and virtio-blk", hw_compat_4_2 keeps 128 for older ones);
   *  vhost-scsi and vhost-user-blk stay at 128 in every release. */
  emulatedQueueSize: number;
  /** A disk's virtqueues default to one per vCPU (5.2 machine types, "virtio-blk-pci: default num_queues
   *  to -smp N", 9445e1e15e66, and likewise virtio-scsi-pci, vhost-scsi and vhost-user-blk-pci); before,
   *  one. */
  multiQueueDefault: boolean;
  /** virtio-blk defers its guest notifications to the end of the completion batch (defer_call, QEMU
   *  8.2, "virtio-blk: use blk_io_plug_call() instead of notification BH"); before, each completion
   *  called virtio_notify_irqfd at once (a BH batched them only without EVENT_IDX). */
  deferredNotify: boolean;
  /** Poll mode ends only when the event loop is about to block (QEMU 8.0, 816a430c517e "util/aio: Defer
   *  disabling poll mode as long as possible"); before, try_poll_mode ended it whenever a pending bottom
   *  half zeroed the timeout or cut a polling pass short, re-enabling the queues' notifications. */
  pollModeDeferred: boolean;
  /** With polling off (poll-max-ns=0, or poll_ns adapted down to 0), an iothread still runs one pass
   *  over its poll handlers before each wait, a handler with work being run from it (try_poll_mode's
   *  run_poll_handlers_once, QEMU 2.9 to 4.2). Gone in QEMU 5.0 (e4346192f1c2 "aio-posix: completely
   *  stop polling when disabled", merged with the fdmon-io_uring series, March 2020). */
  forcedPollPass: boolean;
  /** QEMU's coroutine pool (util/qemu-coroutine.c), which every block-layer request draws a coroutine
   *  from: `fixed` before 7.0 (a release pool of at most 128 and 64 per thread); `sized-batch` in 7.0
   *  (4c41c69e05fe "util: adjust coroutine pool size to virtio block queue": both sizes grow by
   *  num-queues x queue-size / 2 per virtio-blk device, the reuse threshold too); `sized` from 7.1
   *  ("coroutine: Revert to constant batch size": reuse at 64 again, the grown maximum kept); `global`
   *  from 9.0 (86a637e48104 "coroutine: cap per-thread local pool size": a global pool sized by
   *  vm.max_map_count, never short of what is in flight). */
  coroutinePool: CoroutinePoolKind;
  /** vhost-net's handle_tx_copy hands small packets to the tap in batches of up to 64 XDP buffers per
   *  sendmsg (Linux 4.20, "vhost_net: batch submitting XDP buffers to underlayer sockets"). */
  vhostTxBatch: boolean;
}

export function behaviourOf(v: Versions): Behaviour {
  const machine = v.machine ?? v.qemu;
  const maxEvents = atLeast(v.qemu, '5.0') ? 1024 : 128;
  return {
    pollPerHandler: atLeast(v.qemu, '10.0'),
    aioPolling: atLeast(v.qemu, '2.9'),
    linuxAioMaxEvents: maxEvents,
    nativeDefaultBatch: atLeast(v.qemu, '6.1') ? 32 : maxEvents,
    fdmonIoUring: atLeast(v.qemu, '5.0'),
    mainLoopFdmon: atLeast(v.qemu, '10.2'),
    haltPollShrink: atLeast(v.host_kernel, '6.11') ? 2 : 0,
    kvmHaltPoll: atLeast(v.host_kernel, '4.0'),
    kvmHaltPollAdaptive: atLeast(v.host_kernel, '4.3'),
    eevdf: atLeast(v.host_kernel, '6.6'),
    delayDequeue: atLeast(v.host_kernel, '6.12'),
    guestHaltpoll: atLeast(v.guest_kernel, '5.4'),
    tcpAutocork: atLeast(v.guest_kernel, '3.14'),
    napiTx: atLeast(v.guest_kernel, '5.3'),
    mqDeadlineDefault: atLeast(v.guest_kernel, '4.11'),
    mqDeadlineInsertLists: atLeast(v.guest_kernel, '6.9'),
    vhostTxBatch: atLeast(v.host_kernel, '4.20'),
    coroutinePool: !atLeast(v.qemu, '7.0') ? 'fixed' : !atLeast(v.qemu, '7.1') ? 'sized-batch' : !atLeast(v.qemu, '9.0') ? 'sized' : 'global',
    deferredNotify: atLeast(v.qemu, '8.2'),
    pollModeDeferred: atLeast(v.qemu, '8.0'),
    forcedPollPass: atLeast(v.qemu, '2.9') && !atLeast(v.qemu, '5.0'),
    multiQueueDefault: atLeast(machine, '5.2'),
    emulatedQueueSize: atLeast(machine, '5.0') ? 256 : 128,
  };
}
