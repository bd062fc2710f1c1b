import { FITTED_COSTS } from './fitted-costs.js';

/**
 * Every default cost and latency of the model, in ns, each with its source, its kind and a plausible
 * range. Scenarios override any of them by name under `costs:`; `zero_overheads: true` sets all of
 * them to 0, leaving only the device's service times, so that the model reduces to a queueing network.
 * - measured: taken from a cited microbenchmark or measurement;
 * - fitted: fitted by `vqsim calibrate` to the published rows (src/calibration), within its range; the
 *   value written here is the starting point, the fitted one lives in fitted-costs.ts;
 * - estimate: neither measured nor constrained by a row; a reasoned figure within its range.
 */
type Kind = 'measured' | 'fitted' | 'estimate';
export interface CostEntry { value: number; kind: Kind; range: readonly [number, number] }
const entry = (kind: Kind) => (value: number, lo: number, hi: number): CostEntry => ({ value, kind, range: [lo, hi] });
const measured = entry('measured'), fitted = entry('fitted'), estimate = entry('estimate');

export const COST_TABLE = {
  // --- guest (vCPU) ---
  /** fio io_u prep + the iocb's way through io_submit, blk-mq and virtio_blk_queue_rq, per request.
   *  Axboe, "Efficient IO with io_uring" (2019): the bare-metal block stack costs ~1.6 us per I/O with
   *  libaio, split here about 60/40 between submission and completion, plus fio's own accounting
   *  (estimate); with guest_submit_call_ns, 1.5 us for an I/O submitted alone. */
  guest_submit_ns: measured(1200, 600, 2700),
  /** The io_submit call itself, once per call whatever iodepth_batch_submit puts in it: syscall entry
   *  and exit (no VM exit; ~0.1 us bare, a few tenths with KPTI's page-table switch), the AIO context
   *  lookup, the blk-mq plug it opens and flushes (estimate). */
  guest_submit_call_ns: estimate(300, 100, 800),
  /** fio's completion accounting and the io_event's copy, per request (same source, the 40 % share);
   *  with guest_getevents_call_ns, 0.8 us for an I/O reaped alone. */
  guest_complete_ns: measured(500, 200, 1200),
  /** The io_getevents call, once per reap however many events it returns (estimate, as
   *  guest_submit_call_ns). */
  guest_getevents_call_ns: estimate(300, 100, 800),
  /** blk_mq_complete_request and the aio completion event in the guest's interrupt path, per request
   *  (estimate, the rest of Axboe's completion share). */
  guest_blk_complete_ns: estimate(400, 200, 1000),
  /** mq-deadline's dd->lock sections per request (dd_insert_requests, dd_dispatch_request: rb-tree and
   *  FIFO insert, a dispatch pick) when no other vCPU holds it (estimate). */
  guest_mq_deadline_ns: estimate(300, 100, 800),
  /** The same taken contended, which every vCPU submitting to the disk does in turn (the lock's and the
   *  tree's cache lines move between CPUs at each hand-off): 1 s / 879 K, the IOPS at which 32 threads on
   *  one queue saturated it (93.6 % lock contention; Axboe, "mq-deadline and BFQ scalability
   *  improvements", linux-block, 2024-01, a Ryzen 7950X), for guest kernels before 6.9. */
  guest_mq_deadline_contended_ns: measured(1140, 500, 2500),
  /** The contended figure from Linux 6.9 (separate insertion lists, serialized dispatch): 1 s / 3.0 M,
   *  the same test after the series (2867 K null_blk, 3162 K NVMe). */
  guest_mq_deadline_lists_ns: measured(330, 150, 800),
  /** BFQ's bfqd->lock sections per request (bfq_insert_request, bfq_dispatch_request and the completion
   *  hook bfq_finish_requeue_request, all under the one lock) when no other vCPU holds it: BFQ's
   *  documentation measured them at 1.9 us against mq-deadline's 0.7 us on one CPU (i7-2760QM), i.e.
   *  2.7x guest_mq_deadline_ns (booked with the submission). */
  guest_bfq_ns: estimate(800, 400, 1900),
  /** The same taken contended: 1 s / 567 K, the same 32-thread test as guest_mq_deadline_contended_ns
   *  on BFQ (96 % lock contention; Axboe, "block/bfq: use separate insertion lists", linux-block,
   *  2024-01, a 7950X). That half of the series was not merged: BFQ still takes bfqd->lock for every
   *  insertion, dispatch and completion. */
  guest_bfq_contended_ns: measured(1760, 900, 3500),
  /** A fio thread that slept in io_submit for a blk-mq tag (its hardware queue's tags, one per
   *  descriptor, all in use) woken by the completion that freed one: try_to_wake_up and the guest's
   *  switch to it (estimate: a thread switch is ~1-2 us, lmbench lat_ctx and perf bench sched pipe,
   *  without the VMCS switch of a host vCPU switch, context_switch_ns). */
  guest_tag_wakeup_ns: estimate(1200, 500, 3000),
  /** A kblockd work item running a hardware queue whose requests waited for a SCSI LUN's budget
   *  (blk_mq_run_work_fn): the kworker's wake-up and the switches to it and back to the interrupted
   *  thread (two thread switches, ~1 us each as guest_tag_wakeup_ns) and blk_mq_sched_dispatch_requests'
   *  pass over the dispatch list with its budget attempts (estimate; a remote vCPU's wake-up adds the
   *  sender's IPI exit, vmexit_ns). */
  guest_kblockd_run_ns: estimate(2500, 1200, 5000),
  /** Guest interrupt entry/exit and virtblk_done's bookkeeping, per interrupt (estimate, posted interrupts). */
  guest_irq_ns: estimate(800, 300, 2000),
  /** A notify write that traps: VM exit, KVM ioeventfd signal, VM entry. ~2,500 cycles
   *  (shared/reference/published.md, "a VM-exit round trip is about 2,500 cycles"). */
  vmexit_ns: measured(1000, 700, 2000),
  /** A hit of KVM's halt polling: the HLT exit before it and the VM entry after it (no eventfd to
   *  signal), which the guest's cpuidle-haltpoll, polling in guest mode, does not pay. Measured by its
   *  commit (M. Tosatti, "cpuidle: add haltpoll governor", Linux 5.4): a ping-pong at 33.40 us per round
   *  trip with KVM's polling, 32.73 us with the guest's. */
  halt_poll_reentry_ns: measured(670, 400, 1500),
  /** Waking a halted vCPU thread for an injected interrupt: the wake-up IPI to its idle core, the core's
   *  way out of idle, the switch to the vCPU thread (vcpu_load) and the VM entry; what KVM halt polling
   *  saves, less the exit and entry a poll hit still pays (halt_poll_reentry_ns). Start: like a host
   *  thread's wake-up; the fit takes it from P14 (the dynamic halt-polling commit's TCP_RR, 7 us saved
   *  per round trip), the one row where a vCPU sleeps on the critical path. */
  vcpu_wakeup_ns: fitted(4000, 1500, 10000),

  // --- host scheduler ---
  /** A core handed from a thread that blocks, halts or yields straight to one waiting for it: the
   *  scheduler's pick and switch, the register and FPU state, for a vCPU thread KVM's vcpu_put and
   *  vcpu_load (VMCS switch), and the cache and TLB state the next thread finds cold. A thread switch
   *  costs ~1-2 us directly (lmbench lat_ctx, perf bench sched pipe: ~2-4 us per round trip of two
   *  switches), more counting the lost cache (measured; the threads of one QEMU process share an mm,
   *  so no page-table switch). */
  context_switch_ns: measured(2000, 1000, 5000),

  // --- virtqueue ring accesses (virtio 1.1 split vs packed layouts, MODEL.md section 3) ---
  // Split touches the descriptor table, the avail ring and the used ring; packed one descriptor ring.
  // The differences are small: packed vhost-net TX gained 2.6 % at 5.75 Mpps (published.md P11), i.e.
  // a few ns of ~174 ns per packet; the device-side gaps below were set by hand to that order (P11 is
  // the only published split/packed figure, so these are estimates outside the fit, and P11 is not
  // an out-of-sample test of them).
  /** Driver adds one request: descriptor + avail entry + avail idx (estimate). */
  ring_split_add_ns: estimate(150, 50, 400),
  ring_packed_add_ns: estimate(130, 50, 400),
  /** Device pops one request: avail idx, avail entry, descriptor (estimate). */
  ring_split_pop_ns: estimate(250, 80, 600),
  ring_packed_pop_ns: estimate(235, 80, 600),
  /** Device publishes one used element: used elem + used idx; packed rewrites the descriptor. */
  ring_split_push_ns: estimate(150, 50, 400),
  ring_packed_push_ns: estimate(140, 50, 400),
  /** Driver reaps one used element (detach_buf). */
  ring_split_reap_ns: estimate(120, 40, 300),
  ring_packed_reap_ns: estimate(105, 40, 300),

  // --- host: AioContext, QEMU block layer ---
  /** Waking a thread blocked in ppoll/epoll or on a futex: 2-5 us (MODEL.md section 1.3, estimate). */
  wakeup_ns: fitted(4000, 1500, 10000),
  /** One ppoll/epoll_wait that finds an fd already ready (syscall round trip, estimate). */
  ppoll_ns: estimate(500, 200, 1500),
  /** Dispatching one fd handler: event_notifier_test_and_clear (a read syscall) + handler entry (estimate). */
  fd_dispatch_ns: estimate(600, 200, 1500),
  /** One io_poll call in a polling pass (run_poll_handlers_once): virtio_queue_host_notifier_aio_poll
   *  reads the avail idx the guest writes, laio_poll_cb the AIO ring head: one cache line that another
   *  core wrote, ~100 ns across cores, ~20 ns when still local (estimate from cache-to-cache latency). */
  poll_handler_ns: estimate(60, 20, 150),
  /** ppoll (fdmon-poll) walks every fd it watches on each call: vfs_poll on an eventfd and the wait
   *  queue registration, per fd (estimate; why QEMU switches to epoll at 64 fds). */
  fd_poll_ns: estimate(80, 30, 250),
  /** virtio_blk_handle_request: request set-up, BlockBackend and coroutine path, per request: 1-3 us
   *  on the iothread (MODEL.md section 1.4); with the rest of an iothread's per-request work, one
   *  iothread tops out near 270 k IOPS (published.md P7: 238 k measured on Optane). */
  blk_request_ns: fitted(1300, 600, 3000),
  /** The block layer's per-disk state every request writes: the in_flight counters of the BlockBackend
   *  and of each BlockDriverState, the tracked-request list under bs->reqs_lock, the statistics under
   *  stats->lock (qemu/block-state.ts): ~12 cache lines per request, submission and completion
   *  together, free while one thread runs the disk's requests. This is their cost when each must come
   *  from another core: ~100 ns a line core-to-core on current Xeon and EPYC parts (core-to-core
   *  latency measurements, 50-200 ns; an estimate outside the fit, so the multi-iothread rows of P7
   *  test it out of sample). */
  block_state_ns: estimate(1200, 400, 3000),
  /** qemu_coroutine_new (util/coroutine-ucontext.c) when the coroutine pool has none to hand out:
   *  qemu_alloc_stack's mmap of a 1 MiB stack and mprotect of its guard page (two new VMAs), makecontext
   *  and the first swapcontext (a sigprocmask syscall), then the page faults that zero the stack pages
   *  the request's call chain first touches (estimate: ~0.3-0.5 us per syscall or fault). With its
   *  deletion ~3 us a coroutine, which the 6.0-era losses of the aio-max-batch series bear out
   *  (calibration P16: 4 queues and 1 queue lose 27 % and 12 % at QD64, the coroutines made per I/O
   *  there about 0.6 and 0.17). */
  coroutine_new_ns: estimate(1500, 700, 5000),
  /** qemu_coroutine_delete when the pool is full: qemu_free_stack's munmap frees the touched pages and
   *  shoots their TLB entries down on every CPU that runs a thread of the process, waiting for each
   *  CPU's acknowledgement (a vCPU in guest mode exits to take the IPI) (estimate, as above). */
  coroutine_delete_ns: estimate(1500, 700, 5000),
  /** virtio_blk_rw_complete + virtio_blk_req_complete, per request (estimate). */
  blk_complete_ns: fitted(700, 300, 1500),
  /** virtio_notify_irqfd: one eventfd write to KVM's irqfd per coalesced notification (syscall, estimate). */
  irqfd_notify_ns: fitted(1000, 400, 2500),
  /** From the irqfd write to the interrupt entering a running vCPU (posted interrupt, estimate). */
  irq_inject_ns: estimate(500, 200, 2000),
  /** QEMU main loop: glib dispatch and the BQL, per loop iteration, on top of the AioContext work.
   *  Calibrated on published.md P8 (main loop 45.8 us vs iothread 21.5 us per QD1 I/O) and P9. */
  main_loop_iteration_ns: fitted(5500, 1000, 15000),
  /** Main loop, per request and again per completion, beyond an iothread's work: fitted to published.md
   *  P10 (the main loop trails an iothread by 1.2x at QD64). Not a lock per request: the main loop holds
   *  the BQL through its whole dispatch and drops it only around ppoll (os_host_main_loop_wait); which
   *  of its per-request differences this stands for is not identified. */
  main_loop_request_ns: fitted(300, 0, 2000),

  // --- host aio engines (MODEL.md section 5) ---
  /** Per io_submit call: syscall entry/exit, AIO context lookup, and the plug flush that rings the
   *  device's doorbell once per call. Calibrated on published.md P4 (one io_submit per request cost
   *  QEMU 1.42x the IOPS of batching), within the 1-2 us such a call with an MMIO doorbell takes. */
  native_submit_batch_ns: fitted(1800, 700, 4000),
  /** Kernel block stack per iocb under io_submit (Axboe 2019: ~1.6 us per I/O whole stack with libaio,
   *  submission ~0.9 of it). */
  native_submit_req_ns: measured(900, 500, 1600),
  /** Reaping one io_event from the user-space AIO ring + completion callback entry (estimate). */
  native_reap_req_ns: estimate(150, 50, 500),
  /** io_uring_enter, per call: syscall and the same plug flush and doorbell as io_submit (as above). */
  io_uring_enter_ns: fitted(1800, 700, 4000),
  /** Kernel block stack per SQE. Axboe 2019 measured ~0.8 us per I/O whole stack with io_uring against
   *  1.6 with libaio on bare metal; in a guest QEMU sees io_uring within 5 % of native (published.md P9,
   *  P10), so the per-request gap is kept small. */
  io_uring_submit_req_ns: measured(800, 400, 1200),
  /** Reading one CQE from the completion ring (no syscall). */
  io_uring_reap_req_ns: estimate(100, 30, 300),
  /** thread_pool_submit_aio: element set-up, mutex, qemu_sem_post, per request (estimate). */
  threads_submit_req_ns: fitted(1500, 500, 4000),
  /** spawn_thread: from new_thread_bh to the new worker running (pthread_create, clone, the first
   *  schedule; tens of us, estimate). */
  thread_spawn_ns: estimate(50000, 10000, 200000),
  /** A pool worker's preadv/pwritev syscall + block stack, per request (estimate, like one Linux AIO iocb
   *  plus the syscall entry). */
  threads_worker_io_ns: estimate(2000, 1000, 4000),
  /** A worker returning from its blocking syscall and posting the completion (qemu_bh_schedule). */
  threads_worker_done_ns: estimate(600, 200, 1500),
  /** thread_pool_completion_bh: per completed element (estimate). */
  threads_reap_req_ns: estimate(300, 100, 1000),

  /** QEMU virtio-scsi + scsi-disk per command, above virtio-blk's request work: scsi_req_new (CDB parse,
   *  LUN lookup, the SCSIRequest), scsi_req_enqueue -> scsi_disk_dma_command, and on completion
   *  scsi_req_complete and virtio_scsi_complete_cmd_req (estimate: about a third of a virtio-blk request's
   *  handling again: the comparisons users cite put virtio-scsi 10-20 % below virtio-blk where the
   *  iothread is the bound, ~3.5 us per virtio-blk request there). */
  scsi_request_ns: estimate(800, 400, 2000),
  /** The SCSIDevice's request list and its requests_lock, which every iothread serving the LUN takes
   *  twice per command (scsi_req_enqueue_internal and scsi_req_dequeue in hw/scsi/scsi-bus.c, QEMU 10.0
   *  "scsi: introduce requests_lock", when iothread-vq-mapping spread a LUN's queues): the mutex's
   *  line, the list head and the two neighbours' links, ~6 lines, at ~100 ns each when another core
   *  wrote them last (estimate, as block_state_ns; free while one thread runs the LUN). */
  scsi_requests_ns: estimate(600, 200, 1500),
  /** The guest's SCSI midlayer per command above blk-mq's: scsi_queue_rq, sd_init_command (CDB setup),
   *  virtscsi_queuecommand, and scsi_done / scsi_finish_command on completion (estimate). */
  guest_scsi_ns: estimate(1500, 700, 3000),

  // --- storage paths outside QEMU (vhost-scsi, vhost-user-blk) ---
  /** vhost-scsi per command beyond the ring pop: vhost_scsi_get_cmd, the request header copy,
   *  vhost_scsi_mapal pinning the data pages, target_submit_prep (LUN lookup, CDB parse), and LIO's
   *  iblock submission (bio set-up, submit_bio) in the kworker on the worker's CPU (estimate; with the
   *  completion side and the ring accesses, ~2.1 us per request: the single worker "stuck at around
   *  500K IOPs" of Mike Christie's multi-worker series, Linux 6.4, commit c1ecd8e9, is that order; a
   *  sanity bound, not a calibration row). The series names no LUN and the feature's how-to (Oracle's
   *  blog for QEMU 9.0) tests on a null device: a drive adds its driver's work, nvme_queue_rq_ns and
   *  nvme_irq_ns, on the same CPU. */
  vhost_scsi_cmd_ns: estimate(1200, 600, 2500),
  /** A drive's nvme_queue_rq per request, on the CPU that submits it (LIO's submission kworker, on the
   *  vhost worker's CPU): the command and its PRP list, the DMA mapping of the data page, the SQ entry
   *  and the doorbell write, shared by a plug's batch (estimate; null_blk has none of it). */
  nvme_queue_rq_ns: estimate(350, 150, 800),
  /** A drive's completion interrupt per request, on the CPU that submitted it (the NVMe queue's vector
   *  is affine to the CPUs that map to the queue): hardirq entry, EOI and exit, nvme_irq reading the
   *  CQE, blk_mq_complete_request -> blk_mq_end_request -> bio_endio and the bio's end_io (LIO's
   *  iblock_bio_done -> target_complete_cmd queueing the completion work). Shared when one interrupt
   *  finds several CQEs (estimate: Axboe 2019 put libaio's whole per-I/O stack at ~1.6 us with ~0.9 of
   *  it submission, the rest the completion side with the AIO event; null_blk has none of it). QEMU's
   *  engine costs are fitted on rows whose drives interrupt and hold both of these undivided. */
  nvme_irq_ns: estimate(450, 200, 1000),
  /** vhost-scsi per completed command: LIO's completion work (target_complete_ok_work), the response
   *  copy and vhost_add_used in vhost_scsi_complete_cmd_work, unpinning the pages (estimate). */
  vhost_scsi_complete_ns: estimate(500, 250, 1200),
  /** SPDK vhost-blk per request beyond the ring pop: the task from the descriptor chain (guest address
   *  translation), spdk_bdev_readv_blocks, bdev_nvme and the NVMe command in the user-space driver, no
   *  syscall (estimate; with the completion side ~1.1 us per request, the order of SPDK's published
   *  vhost figures of up to about a million 4 KiB IOPS per reactor core). */
  spdk_blk_request_ns: estimate(450, 200, 1000),
  /** SPDK per completion: the NVMe completion entry, the bdev callback, the status byte and the used
   *  ring enqueue (estimate). */
  spdk_blk_complete_ns: estimate(250, 100, 600),

  // --- the host's page cache (QEMU cache modes other than none) ---
  /** A buffered read that hits, or a write into the cache, inside the syscall beyond the copy: the page
   *  cache lookup and the filemap_read / generic_perform_write path, per request (estimate). */
  page_cache_op_ns: estimate(500, 200, 1500),
  /** Copying between the page cache and QEMU's buffer, per KiB: copy_to_user / copy_from_user at
   *  ~10 GB/s (as net_copy_per_kib_ns). */
  page_cache_copy_per_kib_ns: measured(100, 50, 200),
  /** An fdatasync of a disk's file: the syscall and the block layer's flush; the device's own flush is
   *  free on drives with power-loss protection, which report no volatile cache (estimate). A guest
   *  flush reaches it through the aio engine; QEMU's flush after each write where the guest sees no
   *  write cache (writethrough, directsync: bdrv_co_flush emulating FUA) is this as latency, its
   *  engine hop included. */
  fdatasync_ns: estimate(5000, 2000, 15000),

  // --- virtio-net (MODEL.md section 7) ---
  /** The guest application's write: the sendmsg syscall and tcp_sendmsg putting the data into the
   *  socket's skb, per write, beside the copy (estimate: a syscall ~0.1-0.3 us, the skb bookkeeping a few
   *  tenths more). */
  net_guest_sendmsg_ns: estimate(700, 300, 1500),
  /** Guest TCP/IP transmit of one skb (tcp_write_xmit, IP output, the qdisc) + virtio-net start_xmit,
   *  per buffer (estimate: with net_guest_sendmsg_ns ~2 us per send of a buffer, netperf). */
  net_guest_tx_ns: estimate(1300, 600, 3000),
  /** Guest NAPI receive + TCP/IP + the application's read, per buffer (estimate). */
  net_guest_rx_ns: estimate(1800, 1000, 4000),
  /** Copying payload, per KiB, on either side (copy_from_user/copy_to_user, skb copies: ~10 GB/s). */
  net_copy_per_kib_ns: measured(100, 50, 200),
  /** vhost-net handle_tx: pop, build the skb, tun_sendmsg and the host stack (bridge/OVS), per buffer (estimate). */
  vhost_tx_ns: estimate(1500, 700, 3000),
  /** The part of vhost_tx_ns that is one sendmsg call into the tap (the indirect call, the socket and
   *  the per-call set-up), which TX batching pays once per batch of up to 64 packets. Jason Wang's series
   *  "Vhost_net TX batching" (2018) measured +26 % packets/s on the skb path (testpmd txonly in the
   *  guest): 0.26 / 1.26 of the per-packet work, ~300 of 1500 ns. */
  vhost_tx_sendmsg_ns: estimate(300, 150, 600),
  /** Guest TCP ACK, either way: taking one in (NAPI, tcp_ack freeing the acknowledged skbs) or sending
   *  one from the receive softirq (tcp_send_ack: a header-only segment through IP and start_xmit, no
   *  socket call, no payload copy), per ACK (estimate: about half of net_guest_tx_ns). */
  net_guest_ack_ns: estimate(1000, 500, 2000),
  /** vhost-net handle_rx: tun_recvmsg and filling the guest's RX descriptors, per buffer (estimate). */
  vhost_rx_ns: estimate(1300, 700, 3000),
  /** A packet's further mergeable RX buffers (past the first; a 64 KiB packet fills 17 of a page):
   *  get_rx_bufs taking each descriptor (vhost_get_vq_desc, its translation) and its used element in
   *  vhost, or QEMU's virtio_net_receive doing the same (estimate). */
  vhost_rx_buf_ns: estimate(80, 30, 250),
  /** The guest's side of each further RX buffer: receive_mergeable taking it (virtqueue_get_buf, the
   *  page fragment into the skb) and its refill (add_recvbuf_mergeable: a page_frag slice,
   *  virtqueue_add_inbuf) (estimate). */
  net_guest_rx_buf_ns: estimate(150, 50, 400),
  /** Zero-copy TX (experimental_zcopytx): pinning the guest pages and the completion callback, per
   *  buffer, instead of the per-KiB copy; only for buffers of at least 256 bytes (VHOST_GOODCOPY_LEN). */
  vhost_zcopy_ns: estimate(900, 400, 2000),
  /** virtio-net in QEMU userspace (vhost=off): the main loop's virtio_net_flush_tx / receive path and
   *  the tap read/write syscalls, per buffer (estimate: several times vhost's). */
  net_qemu_per_packet_ns: estimate(5000, 2000, 10000),
} as const;

export type CostName = keyof typeof COST_TABLE;
export type Costs = Record<CostName, number>;

export const COST_NAMES = Object.keys(COST_TABLE) as CostName[];

/** The defaults: a fitted cost takes the value `vqsim calibrate` last wrote (fitted-costs.ts). */
export const DEFAULT_COSTS: Readonly<Costs> = Object.freeze(Object.fromEntries(
  COST_NAMES.map((n) => [n, (FITTED_COSTS as Partial<Costs>)[n] ?? COST_TABLE[n].value]),
) as Costs);

/**
 * Spread of CPU work and wake-ups around their means (coefficients of variation, lognormal). The
 * same operation repeated in a microbenchmark spreads by 10-30 % (cache state, branch history,
 * interrupts; e.g. lmbench/perf-bench syscall and context-switch runs); a wake-up through the
 * scheduler spreads more (cyclictest on an idle host: p99 about twice the mean). Estimates.
 */
export const DEFAULT_JITTER = { cpu_cv: 0.2, wakeup_cv: 0.4 } as const;
export type JitterParams = { cpu_cv: number; wakeup_cv: number };

/** The costs that are not CPU work on the host or in the guest, which a faster CPU does not shorten:
 *  an fdatasync's flush waits on the block layer and the device. */
const NOT_CPU: ReadonlySet<CostName> = new Set(['fdatasync_ns']);

/** The costs `host.cpu_speed` divides: every one but those above. */
export const CPU_COST_NAMES = COST_NAMES.filter((n) => !NOT_CPU.has(n));

/**
 * Defaults, then the scenario's overrides, every CPU cost divided by the host's speed relative to
 * the calibration's reference machine (docs/calibration.md); with zeroOverheads every cost is 0.
 */
export function resolveCosts(overrides: Partial<Costs>, zeroOverheads: boolean, cpuSpeed = 1): Readonly<Costs> {
  const costs = { ...DEFAULT_COSTS, ...overrides } as Costs;
  if (cpuSpeed !== 1) for (const name of CPU_COST_NAMES) costs[name] /= cpuSpeed;
  if (zeroOverheads) for (const name of COST_NAMES) costs[name] = 0;
  return Object.freeze(costs);
}
