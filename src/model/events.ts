/** Event kinds the model schedules; an event's two integer arguments are named beside each. */
export const enum Ev {
  /** a = vCPU: its current step's cost has elapsed. */
  VcpuStepDone,
  /** a = vCPU: a halted vCPU has been woken and resumes. */
  VcpuWake,
  /** a = virtio-blk virtqueue: an injected interrupt reaches the queue's vCPU. */
  BlkIrq,
  /** a = virtio-net queue pair: an injected interrupt reaches the pair's vCPU. */
  NetIrq,
  /** a = AioContext, b = step token. */
  CtxStepDone,
  /** a = AioContext: a blocked AioContext thread is running again. */
  CtxWake,
  /** a = AioContext: its polling may have seen work, or its polling window may have ended. */
  CtxPollTimer,
  /** a = device, b = request: service complete. */
  DeviceDone,
  /** a = pool worker. */
  WorkerStepDone,
  /** a = pool worker. */
  WorkerWake,
  /** a = job: the next open-loop (rate_iops) arrival. */
  JobArrival,
  /** a = job, b = slots: fio's thinktime after a reap has passed. */
  JobThinkEnd,
  /** a = job: its phase has come (fio startdelay, stonewall, wait_for): it starts issuing. */
  JobStart,
  /** a = job: its ramp_time is over: its statistics start. */
  JobMeasure,
  /** a = job: its runtime is over: it stops issuing, its statistics close. */
  JobStop,
  /** a = host thread: its core is out of its C-state and it runs. */
  CoreGranted,
  /** a = vCPU: a halt-polling window may have ended with nothing to do. */
  VcpuHaltPollEnd,
  /** a = vhost worker (or the QEMU thread running virtio-net): its step is done. */
  VhostStepDone,
  /** a = vhost worker: woken (kick, packet on the tap). */
  VhostWake,
  /** a = vhost worker: its busy-poll window may have ended with nothing found. */
  VhostPollTimeout,
  /** b = packet: it reaches the far end of its link (serialization behind the packets before it, then
   *  propagation). */
  Arrive,
  /** b = request packet: the peer has served it and sends the response onto a wire with a line rate
   *  (without one, the response's arrival is scheduled when the request arrives). */
  PeerRespond,
  /** a = flow: the acknowledgement of one message of a stream frees a window slot. */
  FlowAck,
  /** a = flow: the next offered-rate message is due. */
  FlowTimer,
  /** a = flow, b = its ACK count when armed: the peer's delayed-ACK timer. */
  FlowDelack,
  /** a = backend server (vhost-scsi worker, vhost-user reactor): its step is done. */
  BackendStepDone,
  /** a = backend server: woken (a kick, a completion). */
  BackendWake,
  /** a = backend server, b = its argument: a timer of its own (a workqueue hop, a poll pass's end). */
  BackendTimer,
  /** b = request: its copy to or from the host's page cache is done (a hit, an absorbed write). */
  CacheDone,
  /** End of warmup: statistics restart. */
  WarmupEnd,
}
