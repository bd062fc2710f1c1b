import madge from 'madge';
import { describe, expect, it } from 'vitest';

/** The assemblies: they build a world from its components, which must never import them back. */
const ASSEMBLIES = ['model/vm.ts', 'model/net/net-vm.ts'];

describe('architecture: imports go one way', () => {
  it('no import cycle under src/ (type-only imports included), and no component imports its assembly', async () => {
    const graph = await madge('src', { fileExtensions: ['ts'], tsConfig: 'tsconfig.json' });
    expect(graph.circular()).toEqual([]);
    const back = Object.entries(graph.obj())
      .filter(([file]) => file.startsWith('model/') && !ASSEMBLIES.includes(file))
      .flatMap(([file, deps]) => deps.filter((d) => ASSEMBLIES.includes(d)).map((d) => `${file} -> ${d}`));
    expect(back).toEqual([]);
  }, 60_000);
});
