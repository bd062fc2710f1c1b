/**
 * Every kind of host thread the model runs, as threads.csv's role column prints it and as host.cpusets,
 * host.numa_remote and the statistics name it: vCPUs, QEMU's iothreads, main loop and thread-pool
 * workers, vhost-net workers, vhost-scsi workers, and the vhost-user target's reactors.
 */
export const THREAD_ROLES = ['vcpu', 'iothread', 'main-loop', 'aio-worker', 'vhost', 'vhost-scsi', 'reactor'] as const;
export type ThreadRole = (typeof THREAD_ROLES)[number];
