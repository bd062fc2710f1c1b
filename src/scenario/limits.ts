/** Bounds on counts, from the real systems (each named with its source where the schema uses it). */
export const LIMITS = {
  /** KVM_MAX_VCPUS on x86 since Linux 5.15 (288 before). */
  vcpus: 1024,
  /** QEMU VIRTIO_QUEUE_MAX: virtqueues per virtio device. */
  numQueues: 1024,
  /** QEMU VIRTQUEUE_MAX_SIZE: descriptors per virtqueue. */
  queueSize: 1024,
  /** Linux fs.aio-max-nr default: io_setup(iodepth) of fio's libaio engine fails beyond it. */
  iodepth: 65536,
  /** virtio-net queue pairs: 2 x pairs + 1 control queue <= VIRTIO_QUEUE_MAX. */
  nicQueuePairs: 511,
  /** PCI MSI-X: an 11-bit table size. */
  msixVectors: 2048,
  /** Linux x86 NR_CPUS with CONFIG_MAXSMP. */
  hostCores: 8192,
  /** VMs on one host: past the densest nodes run (a kubelet's maxPods is 110 by default, 250 at most
   *  in OpenShift), and each VM is a set of threads and tables. */
  vmsPerHost: 1024,
  /** Offered I/Os (or messages) per second per job (or flow): ten times the fastest NVMe's ~3 M. */
  rateIops: 3e7,
  /** Replications of a point: a 95 % CI narrows as 1/sqrt(n), to within 3 % of one at 1000. */
  replications: 1000,
  /** Points of a sweep: each is resolved, run and written before any is merged. */
  sweepPoints: 100_000,
} as const;
