import { parseAllDocuments } from 'yaml';
import { defaultWorkload, Draft, setMachine, whole } from './draft.js';

type Obj = Record<string, unknown>;
const obj = (x: unknown): Obj => (x !== null && typeof x === 'object' && !Array.isArray(x) ? x as Obj : {});

/** spec.domain fields that do not touch the I/O path vqsim models. */
const QUIET_DOMAIN = new Set(['machine', 'firmware', 'clock', 'features', 'memory', 'chassis', 'launchSecurity']);
const QUIET_DEVICES = new Set(['rng', 'autoattachGraphicsDevice', 'autoattachSerialConsole', 'autoattachMemBalloon',
  'autoattachPodInterface', 'autoattachInputDevice', 'inputs', 'watchdog', 'sound', 'tpm', 'logSerialConsole']);

/**
 * A KubeVirt VirtualMachine or VirtualMachineInstance manifest (as `kubectl get -o yaml` prints it) as a
 * vqsim scenario: the domain goes into vqsim's `kubevirt:` section, which resolves it as KubeVirt's
 * converter does (ioThreadsPolicy, ioThreads, resources, cpu.dedicatedCpuPlacement and
 * isolateEmulatorThread, blockMultiQueue, networkInterfaceMultiqueue, disks[].dedicatedIOThread, cache,
 * io, disk.bus); vCPUs = sockets x cores x threads (KubeVirt's
 * default 1 each); a virtio interface becomes the NIC, served by vhost-net as virt-launcher sets it up.
 */
export function importKubevirt(text: string, file: string, fio?: string, vmName?: string, release?: string): Draft {
  const docs = parseAllDocuments(text, { prettyErrors: true }).map((doc) => {
    const e = doc.errors[0];
    if (e) throw new Error(`${file}:${e.linePos?.[0].line ?? '?'}: not valid YAML: ${e.message.split('\n')[0]}`);
    return doc.toJS() as unknown;
  }).filter((x) => x);
  // Several documents, or a List (what kubectl get vm -o yaml prints for more than one).
  const vms = docs.flatMap((x) => (obj(x).kind === 'List' && Array.isArray(obj(x).items) ? obj(x).items as unknown[] : [x]))
    .map(obj).filter((x) => ['VirtualMachine', 'VirtualMachineInstance'].includes(String(x.kind)));
  if (vms.length === 0) throw new Error(`${file}: no VirtualMachine or VirtualMachineInstance manifest`);
  const names = vms.map((x) => String(obj(x.metadata).name ?? '(unnamed)'));
  if (vmName === undefined && vms.length > 1) throw new Error(`${file}: holds ${vms.length} VMs (${names.join(', ')}): give --vm NAME for one scenario each`);
  const m = vmName === undefined ? vms[0] : vms[names.indexOf(vmName)];
  if (m === undefined) throw new Error(`${file}: no VM named ${vmName} (${names.join(', ')})`);
  const specPath = m.kind === 'VirtualMachine' ? 'spec.template.spec' : 'spec';
  const spec = m.kind === 'VirtualMachine' ? obj(obj(obj(m.spec).template).spec) : obj(m.spec);
  const dom = obj(spec.domain);
  const at = (p: string) => `${specPath}.domain.${p}`;
  const d = new Draft(file);
  d.set(['name'], String(obj(m.metadata).name ?? 'kubevirt-vm'), 'metadata.name');

  for (const key of Object.keys(dom)) {
    if (!QUIET_DOMAIN.has(key) && !['cpu', 'resources', 'devices', 'ioThreadsPolicy', 'ioThreads'].includes(key)) d.skip(`${at(key)}`);
  }
  const machine = obj(dom.machine).type;
  setMachine(d, machine === undefined ? undefined : String(machine), at('machine.type'));
  const cpu = obj(dom.cpu);
  const vcpus = (['sockets', 'cores', 'threads'] as const).reduce((p, k) => p * whole(cpu[k] ?? 1, `${file}: ${at(`cpu.${k}`)}`), 1);
  d.set(['vm', 'vcpus'], vcpus, `${at('cpu')}: sockets x cores x threads (${cpu.sockets ?? 1} x ${cpu.cores ?? 1} x ${cpu.threads ?? 1})`);
  kubevirtRelease(d, m, release);
  for (const key of Object.keys(cpu)) {
    if (['dedicatedCpuPlacement', 'isolateEmulatorThread', 'sockets', 'maxSockets'].includes(key)) d.set(['kubevirt', 'domain', 'cpu', key], cpu[key], at(`cpu.${key}`));
    else if (!['sockets', 'cores', 'threads', 'model'].includes(key)) d.skip(at(`cpu.${key}`));
  }
  if (dom.ioThreadsPolicy !== undefined) d.set(['kubevirt', 'domain', 'ioThreadsPolicy'], dom.ioThreadsPolicy, at('ioThreadsPolicy'));
  const pool = obj(dom.ioThreads).supplementalPoolThreadCount;
  if (pool !== undefined) d.set(['kubevirt', 'domain', 'ioThreads', 'supplementalPoolThreadCount'], pool, at('ioThreads.supplementalPoolThreadCount'));
  const res = obj(dom.resources);
  for (const kind of ['requests', 'limits'] as const) {
    const c = obj(res[kind]).cpu;
    if (c !== undefined) d.set(['kubevirt', 'domain', 'resources', kind, 'cpu'], c, at(`resources.${kind}.cpu`));
  }

  const dev = obj(dom.devices);
  for (const key of Object.keys(dev)) {
    if (!QUIET_DEVICES.has(key) && !['disks', 'interfaces', 'blockMultiQueue', 'networkInterfaceMultiqueue'].includes(key)) d.skip(at(`devices.${key}`));
  }
  if (dev.blockMultiQueue !== undefined) d.set(['kubevirt', 'domain', 'devices', 'blockMultiQueue'], dev.blockMultiQueue, at('devices.blockMultiQueue'));
  const disks: Obj[] = [];
  (Array.isArray(dev.disks) ? dev.disks : []).forEach((raw: unknown, i: number) => {
    const k = obj(raw);
    const where = at(`devices.disks[${i}]`);
    if (!k.disk) {
      d.skip(`${where} (${k.name}): ${Object.keys(k).find((x) => ['cdrom', 'lun'].includes(x)) ?? 'not a disk'}`);
      return;
    }
    const out: Obj = { name: k.name };
    if (k.dedicatedIOThread !== undefined) out.dedicatedIOThread = k.dedicatedIOThread;
    const bus = obj(k.disk).bus;
    if (bus !== undefined) out.disk = { bus };
    if (k.io !== undefined) out.io = k.io;
    if (k.cache !== undefined) out.cache = k.cache;
    disks.push(out);
  });
  if (disks.length > 0) {
    d.set(['kubevirt', 'domain', 'devices', 'disks'], disks, at('devices.disks'));
    d.set(['disk', 'device'], 'nvme-tlc', 'the volume\'s device is not in the manifest: vqsim\'s preset nvme-tlc');
  }
  const ifaces = (Array.isArray(dev.interfaces) ? dev.interfaces : []).map(obj);
  const virtio = ifaces.filter((x) => (x.model ?? 'virtio') === 'virtio');
  ifaces.filter((x) => !virtio.includes(x)).forEach((x) => d.skip(`interface ${x.name} with model ${x.model} (vqsim models virtio-net)`));
  virtio.slice(1).forEach((x) => d.skip(`interface ${x.name} (vqsim models one NIC per VM)`));
  if (virtio.length > 0) {
    const binding = ['masquerade', 'bridge', 'sriov', 'passt'].find((b) => virtio[0][b] !== undefined) ?? 'pod network';
    if (binding === 'sriov') d.skip(`interface ${virtio[0].name}: SR-IOV (no virtio-net data path)`);
    d.set(['nic', 'vhost'], true, `${at('devices.interfaces[0]')} (${binding}): virt-launcher opens /dev/vhost-net`);
    if (dev.networkInterfaceMultiqueue !== undefined) {
      d.set(['kubevirt', 'domain', 'devices', 'networkInterfaceMultiqueue'], dev.networkInterfaceMultiqueue, at('devices.networkInterfaceMultiqueue'));
    }
    if (disks.length === 0) d.set(['net'], { mode: 'stream', direction: 'tx', flows: vcpus }, 'workload: not in the manifest; a TCP stream per vCPU');
  }
  if (disks.length === 0 && virtio.length === 0) throw new Error(`${file}: no disk or virtio interface: nothing for vqsim to simulate`);
  if (disks.length === 0) {
    // vqsim's kubevirt: section describes disks; a NIC-only VM keeps KubeVirt's NIC settings by hand.
    const mq = dev.networkInterfaceMultiqueue === true;
    d.set(['nic', 'queues'], mq ? Math.min(vcpus, 256) : 1, at('devices.networkInterfaceMultiqueue'));
    d.set(['nic', 'mq'], mq, at('devices.networkInterfaceMultiqueue'));
    return d;
  }
  defaultWorkload(d, vcpus, fio);
  return d;
}

/**
 * versions.kubevirt: --kubevirt, else the release in a VMI's status.launcherContainerImageVersion
 * (virt-launcher:vX.Y.Z, as upstream tags it; a digest says nothing), else not set (vqsim's newest).
 */
function kubevirtRelease(d: Draft, m: Obj, release: string | undefined): void {
  if (release !== undefined) {
    d.set(['versions', 'kubevirt'], release, '--kubevirt');
    return;
  }
  const image = String(obj(m.status).launcherContainerImageVersion ?? '');
  const tag = /:v(\d+\.\d+)(?:\.\d+)?$/.exec(image)?.[1];
  if (tag) d.set(['versions', 'kubevirt'], tag, `status.launcherContainerImageVersion (${image})`);
}
