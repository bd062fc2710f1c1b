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
} as const;
