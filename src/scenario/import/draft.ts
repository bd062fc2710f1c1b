import { Document, isCollection, isScalar } from 'yaml';

type Path = (string | number)[];

/** A machine type's release: pc-q35-7.2, pc-i440fx-5.1, pc-7.2, virt-9.0, pseries-8.1 or
 *  s390-ccw-virtio-6.2 -> "7.2" ...; an alias (q35, pc, virt: the newest) or a distribution's own type
 *  (pc-q35-rhel9.4.0, with compat tables of its own) -> undefined. */
const VERSIONED = /^(?:pc-q35|pc-i440fx|pc|virt|pseries|s390-ccw-virtio)-(.+)$/;

export function machineRelease(type: string): string | undefined {
  return /^\d+\.\d+$/.exec(VERSIONED.exec(type)?.[1] ?? '')?.[0];
}

/** versions.machine from a machine type, or a note that it was not mapped. */
export function setMachine(d: Draft, type: string | undefined, from: string): void {
  if (!type) return;
  const release = machineRelease(type);
  if (release) d.set(['versions', 'machine'], release, from);
  else if (VERSIONED.test(type)) d.skip(`${from} (a distribution's machine type: its device defaults are not mapped; the newest upstream ones apply)`);
}

/**
 * A scenario being built from another tool's configuration: each value with where it came from (a
 * comment beside it in the file written), and what the importer did not understand (listed at the top
 * and returned to the command, which prints it).
 */
export class Draft {
  private value: Record<string, unknown> = {};
  private readonly origins: { path: Path; from: string }[] = [];
  readonly notUnderstood: string[] = [];

  constructor(private readonly source: string) {}

  set(path: Path, value: unknown, from: string): void {
    let node: Record<string | number, unknown> = this.value;
    path.forEach((key, i) => {
      if (i === path.length - 1) node[key] = value;
      else node = (node[key] ??= typeof path[i + 1] === 'number' ? [] : {}) as Record<string | number, unknown>;
    });
    this.origins.push({ path, from });
  }

  has(path: Path): boolean {
    let v: unknown = this.value;
    for (const p of path) {
      if (v === null || typeof v !== 'object') return false;
      v = (v as Record<string | number, unknown>)[p];
    }
    return v !== undefined;
  }

  /** Something not carried over, said on one line (a damaged file's value may run over several). */
  skip(what: string): void {
    this.notUnderstood.push(what.replace(/\s*\n\s*/g, ' '));
  }

  /** The scenario file: a header naming the source and what was left out, then the fields, each
   *  commented with its origin. */
  toYaml(): string {
    const doc = new Document(this.value);
    for (const { path, from } of this.origins) {
      const node = doc.getIn(path, true);
      if (isScalar(node) || isCollection(node)) node.comment = ` ${from}`;
    }
    const header = [
      `Imported by vqsim import from ${this.source}.`,
      ...(this.notUnderstood.length > 0
        ? ['Not understood (left out; check that none of it matters):', ...this.notUnderstood.map((n) => `  - ${n}`)]
        : ['Every element was understood.']),
    ];
    doc.commentBefore = header.map((l) => ` ${l}`).join('\n');
    return doc.toString({ lineWidth: 0 });
  }
}

/** A value of another tool's configuration as a message quotes it: on one line (a damaged file's value
 *  may run over lines), at most 40 characters. */
export function quoted(value: unknown): string {
  const s = JSON.stringify(String(value));
  return s.length <= 42 ? s : `${s.slice(0, 40)}..."`;
}

/** A whole number from another tool's configuration, or an error naming where it came from. */
export function whole(value: unknown, from: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || String(value).trim() === '') throw new Error(`${from}: expected a whole number, got ${quoted(value)}`);
  return n;
}

/** The workload is not part of a VM's configuration: a closed-loop random-read job over the VM's
 *  vCPUs, stated as such, which a fio job file replaces (job: { fio: FILE }). */
export function defaultWorkload(d: Draft, vcpus: number, fio?: string): void {
  if (fio) {
    d.set(['job', 'fio'], fio, 'vqsim import --fio');
    return;
  }
  const from = 'workload: not in the VM\'s configuration; replace with job: { fio: FILE }';
  d.set(['job'], { rw: 'randread', bs: '4k', iodepth: 32, numjobs: vcpus }, from);
}
