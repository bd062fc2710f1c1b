import type { Platform, Setting, VmFacts } from './space.js';

/**
 * What to write to get a setting, in the terms of the tool the VM came from: the KubeVirt fields
 * (spec.template.spec.domain), the libvirt elements (iothread-vq-mapping as <driver><iothreads>,
 * libvirt 10.0 with QEMU 9.0), the QEMU properties, or vqsim's own scenario fields.
 */
export function settingTerms(p: Platform, s: Setting, f: VmFacts): string[] {
  switch (p) {
    case 'kubevirt': return kubevirtTerms(s, f);
    case 'libvirt': return libvirtTerms(s, f);
    case 'qemu': return qemuTerms(s, f);
    case 'scenario': return scenarioTerms(s);
  }
}

function kubevirtTerms(s: Setting, f: VmFacts): string[] {
  const at = 'spec.template.spec.domain';
  const policy = s.threads === 0
    ? [`${at}.ioThreadsPolicy: (remove it, and every disk's dedicatedIOThread)`]
    : s.threads === 1
      ? [`${at}.ioThreadsPolicy: shared`]
      : [`${at}.ioThreadsPolicy: supplementalPool`, `${at}.ioThreads.supplementalPoolThreadCount: ${s.threads}`];
  return [
    ...policy,
    `${at}.devices.blockMultiQueue: ${s.queues === f.vcpus && f.vcpus > 1}`,
    ...f.disks.map((d, i) => `${at}.devices.disks[${i}].io: ${s.aio}  # ${d.name}`),
  ];
}

function libvirtTerms(s: Setting, f: VmFacts): string[] {
  const threads = s.threads === 0 ? [] : [`<iothreads>${s.threads}</iothreads>`];
  const mapping = s.threads > 1
    ? `><iothreads>${Array.from({ length: s.threads }, (_, k) => `<iothread id='${k + 1}'/>`).join('')}</iothreads></driver>`
    : s.threads === 1 ? ` iothread='1'/>` : '/>';
  const controllers = [...new Set(f.disks.flatMap((d) => (d.controller === null ? [] : [d.controller])))];
  return [
    ...threads,
    ...f.disks.map((d) => (d.controller === null
      ? `<disk> ${d.name}: <driver name='qemu' queues='${s.queues}' io='${s.aio}'${mapping}`
      : `<disk> ${d.name}: <driver name='qemu' io='${s.aio}'/>`)),
    ...controllers.map((c) => `<controller type='scsi' model='virtio-scsi'> ${c}: <driver queues='${s.queues}'${mapping}`),
  ];
}

function qemuTerms(s: Setting, f: VmFacts): string[] {
  const objects = Array.from({ length: s.threads }, (_, k) => `-object iothread,id=iothread${k}`);
  const handler = s.threads > 1
    ? `"iothread-vq-mapping": [${Array.from({ length: s.threads }, (_, k) => `{"iothread": "iothread${k}"}`).join(', ')}], `
    : s.threads === 1 ? '"iothread": "iothread0", ' : '';
  return [
    ...objects,
    ...f.disks.filter((d) => d.controller === null).map((d) => `-device '{"driver": "virtio-blk-pci", "drive": "${d.name}", ${handler}"num-queues": ${s.queues}}'`),
    ...[...new Set(f.disks.flatMap((d) => (d.controller === null ? [] : [d.controller])))]
      .map((c) => `-device '{"driver": "virtio-scsi-pci", "id": "${c}", ${handler}"num_queues": ${s.queues}}'`),
    ...f.disks.map((d) => `-blockdev ... node-name=${d.name} ... aio=${s.aio}`),
  ];
}

function scenarioTerms(s: Setting): string[] {
  const handler = s.threads === 0 ? ['disk.handler: main-loop'] : s.threads === 1 ? ['disk.handler: shared', 'disk.iothread: iothread0'] : ['disk.handler: pool', `disk.iothreads: ${s.threads}`];
  return [...handler, `disk.num-queues: ${s.queues}`, `disk.aio: ${s.aio}`];
}
