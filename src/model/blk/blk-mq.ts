/**
 * Which hardware queue a vCPU submits to, as blk-mq maps CPUs with virtio's managed MSI-X affinity
 * (irq_create_affinity_masks spreads CPUs in contiguous groups over the vectors): with Q queues and V
 * vCPUs, queue q serves vCPUs [ceil(qV/Q), ceil((q+1)V/Q)). The guest driver never uses more queues
 * than it has CPUs (virtio_blk: num_vqs = min(num_queues, nr_cpu_ids)).
 */
export function guestQueues(numQueues: number, vcpus: number): number {
  return Math.min(numQueues, vcpus);
}

export function queueOfVcpu(vcpu: number, queues: number, vcpus: number): number {
  return Math.floor((vcpu * queues) / vcpus);
}

/** The vCPU an interrupt of queue q lands on: the first CPU of its affinity group. */
export function ownerOfQueue(q: number, queues: number, vcpus: number): number {
  return Math.ceil((q * vcpus) / queues);
}
