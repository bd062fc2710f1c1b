import madge from 'madge';
import { describe, expect, it } from 'vitest';

/**
 * The model's layers, lowest first: a file may import its own layer or lower ones. The base (costs,
 * events, versions, the World, invariant laws) is below every layer; the assemblies at model/ are above.
 */
const DEVICES = ['blk', 'net', 'scsi', 'vhost-scsi', 'vhost-user-blk'];
const LAYERS = ['host', 'virtio', 'storage', 'qemu', DEVICES.join('|')];
const BASE = ['model/world.ts', 'model/costs.ts', 'model/fitted-costs.ts', 'model/events.ts', 'model/versions.ts', 'model/invariants.ts'];

/** Rank of a file under src/: -1 outside the model, 0 the base, 1.. the layers, above them the assembly. */
function rank(file: string): number {
  if (!file.startsWith('model/')) return -1;
  if (BASE.includes(file)) return 0;
  const folder = file.split('/')[1];
  const i = LAYERS.findIndex((l) => l.split('|').includes(folder));
  return i >= 0 ? i + 1 : LAYERS.length + 1;
}

/** The folders of src/, lowest first: the engine, the model, scenario loading, the statistics of a run,
 *  running a point, outputs, the calibration against published rows, the CLI, the benchmark. */
const FOLDERS = ['engine', 'model', 'scenario', 'stats', 'run', 'output', 'calibration', 'cli', 'bench'];

describe('architecture: imports go one way', () => {
  it('a folder of src/ imports only its own or lower ones (calibration never the CLI, statistics never scenario loading)', async () => {
    const graph = await madge('src', { fileExtensions: ['ts'], tsConfig: 'tsconfig.json' });
    const level = (f: string) => FOLDERS.indexOf(f.split('/')[0]); // -1: a file at src/ itself, below all
    expect(Object.keys(graph.obj()).filter((f) => f.includes('/') && level(f) < 0)).toEqual([]);
    const up = Object.entries(graph.obj()).flatMap(([file, deps]) => deps.filter((d) => level(d) > level(file)).map((d) => `${file} -> ${d}`));
    expect(up).toEqual([]);
  }, 60_000);

  it('no import cycle under src/ (type-only imports included), and model files import only their layer or lower', async () => {
    const graph = await madge('src', { fileExtensions: ['ts'], tsConfig: 'tsconfig.json' });
    expect(graph.circular()).toEqual([]);
    const up = Object.entries(graph.obj())
      .filter(([file]) => rank(file) >= 0)
      .flatMap(([file, deps]) => deps.filter((d) => rank(d) > rank(file)).map((d) => `${file} -> ${d}`));
    expect(up).toEqual([]);
  }, 60_000);

  it('the device folders do not import each other', async () => {
    const graph = await madge('src/model', { fileExtensions: ['ts'], tsConfig: 'tsconfig.json' });
    const device = (f: string) => DEVICES.find((d) => f.startsWith(`${d}/`));
    const across = Object.entries(graph.obj()).flatMap(([file, deps]) =>
      deps.filter((d) => device(file) !== undefined && device(d) !== undefined && device(d) !== device(file))
        .map((d) => `${file} -> ${d}`));
    expect(across).toEqual([]);
  }, 60_000);
});
