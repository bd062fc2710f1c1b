import { basename, resolve } from 'node:path';
import { parse as shellParse } from 'shell-quote';
import { ScenarioError } from '../scenario/errors.js';
import type { Draft } from '../scenario/import/draft.js';
import { importKubevirt } from '../scenario/import/kubevirt.js';
import { importLibvirt } from '../scenario/import/libvirt.js';
import { importQemu } from '../scenario/import/qemu.js';
import type { InputKind } from '../scenario/input.js';
import { readFileArg } from './args.js';
import { scenarioFromText } from '../scenario/load.js';
import { UsageError } from './errors.js';

export type ImportKind = 'libvirt' | 'kubevirt' | 'qemu';
const INPUT_OF: Record<ImportKind, InputKind> = { libvirt: 'libvirt domain XML', kubevirt: 'KubeVirt manifest', qemu: 'QEMU command line' };

/**
 * vqsim import: a libvirt domain XML, a KubeVirt manifest, or a QEMU command line (after `--`, or in
 * a file; `-` reads standard input) as a scenario's text, each value commented with its origin, and what was not understood.
 * The scenario is loaded once before it is returned, so what is written runs.
 */
export interface ImportOptions {
  fio?: string;
  /** import kubevirt: the VM of a file or List holding several, and the cluster's KubeVirt release. */
  vm?: string;
  kubevirt?: string;
  /** The file's text, already read. */
  given?: string;
}

export function importCommand(kind: ImportKind, file: string | undefined, argv: string[], o: ImportOptions = {}): { text: string; notUnderstood: string[] } {
  const { fio, vm, given } = o;
  if (vm !== undefined && kind !== 'kubevirt') throw new UsageError('--vm picks a VM of a KubeVirt manifest: it applies to import kubevirt only');
  if (o.kubevirt !== undefined && kind !== 'kubevirt') throw new UsageError('--kubevirt is the cluster\'s KubeVirt release: it applies to KubeVirt manifests only');
  if (o.kubevirt !== undefined && !/^\d+\.\d+(\.\d+)?$/.test(o.kubevirt)) throw new UsageError(`--kubevirt: expected a release such as 1.8, got ${o.kubevirt}`);
  const read = () => {
    if (!file) throw new UsageError(`vqsim import ${kind} needs a file`);
    return given ?? readFileArg(file, INPUT_OF[kind]);
  };
  const source = file === '-' ? 'standard input' : basename(file ?? '');
  let draft: Draft;
  try {
    if (kind === 'libvirt') draft = importLibvirt(read(), source, fio);
    else if (kind === 'kubevirt') draft = importKubevirt(read(), source, fio, vm, o.kubevirt);
    else {
      // The command line after `--`, or a file holding it (shell quoting, backslash-newlines).
      const args = argv.length > 0 ? argv : shellParse(read().replace(/\\\r?\n/g, ' ')).filter((a): a is string => typeof a === 'string');
      try {
        draft = importQemu(args, fio);
      } catch (e) {
        throw new Error(`${argv.length > 0 ? 'the command line' : source}: ${(e as Error).message}`);
      }
    }
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError((e as Error).message);
  }
  const text = draft.toYaml();
  try {
    // Relative to where it will be used: a fio path is as the user gave it.
    scenarioFromText(resolve('imported.yaml'), text);
  } catch (e) {
    // The imported values break a rule of the scenario format (a limit, a power of 2): name the field.
    if (e instanceof ScenarioError) throw new UsageError(`${file === '-' ? 'standard input' : file ?? 'the command line'}: imported as ${e.path.join('.')}, which ${e.reason}`);
    throw e;
  }
  return { text, notUnderstood: draft.notUnderstood };
}
