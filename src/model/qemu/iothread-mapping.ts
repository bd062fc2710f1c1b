/** The AioContext name of QEMU's main loop. */
export const MAIN_LOOP = 'main-loop';

/** Who runs a disk's virtqueue handlers (MODEL.md section 4). */
export type Handler =
  | { kind: 'main-loop' }
  /** One iothread of the disk's own (libvirt <driver iothread=N>, KubeVirt dedicatedIOThread). */
  | { kind: 'dedicated' }
  /** One iothread that several disks name (KubeVirt ioThreadsPolicy: shared). */
  | { kind: 'shared'; iothread: string }
  /** A pool of N iothreads shared by every pool disk of the VM, queues round-robin (KubeVirt
   *  supplementalPool). */
  | { kind: 'pool'; iothreads: number }
  /** QEMU's iothread-vq-mapping: every entry lists vqs, or none does (round-robin over the entries). */
  | { kind: 'mapping'; entries: { iothread: string; vqs?: number[] }[] };

export function poolIothreadName(i: number): string {
  return `pool${i}`;
}

/**
 * The AioContext of each of a disk's numQueues virtqueues, as QEMU's virtio-blk assigns them
 * (hw/block/virtio-blk.c apply_iothread_vq_mapping): round-robin vq i -> iothread i mod N when no
 * entry lists vqs, else exactly the listed queues, each queue once. Throws with a readable reason.
 */
export function mapVirtqueues(disk: string, numQueues: number, h: Handler): string[] {
  switch (h.kind) {
    case 'main-loop': return new Array<string>(numQueues).fill(MAIN_LOOP);
    case 'dedicated': return new Array<string>(numQueues).fill(`${disk}-iothread`);
    case 'shared': return new Array<string>(numQueues).fill(h.iothread);
    case 'pool': return Array.from({ length: numQueues }, (_, i) => poolIothreadName(i % h.iothreads));
    case 'mapping': return explicitMapping(numQueues, h.entries);
  }
}

function explicitMapping(numQueues: number, entries: { iothread: string; vqs?: number[] }[]): string[] {
  if (entries.length === 0) throw new Error('iothread-vq-mapping needs at least one entry');
  const withVqs = entries.filter((e) => e.vqs !== undefined).length;
  if (withVqs === 0) return Array.from({ length: numQueues }, (_, i) => entries[i % entries.length].iothread);
  if (withVqs !== entries.length) throw new Error('iothread-vq-mapping: either every entry lists vqs or none does');
  const out = new Array<string | undefined>(numQueues).fill(undefined);
  for (const e of entries) {
    for (const q of e.vqs!) {
      if (q < 0 || q >= numQueues) throw new Error(`iothread-vq-mapping: vq ${q} does not exist (num-queues is ${numQueues})`);
      if (out[q] !== undefined) throw new Error(`iothread-vq-mapping: vq ${q} is assigned twice`);
      out[q] = e.iothread;
    }
  }
  const missing = out.findIndex((x) => x === undefined);
  if (missing >= 0) throw new Error(`iothread-vq-mapping: vq ${missing} is not assigned to any iothread`);
  return out as string[];
}
