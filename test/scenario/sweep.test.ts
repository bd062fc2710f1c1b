import { describe, expect, it } from 'vitest';
import { scenarioFromText } from '../../src/scenario/load.js';
import { expandSweep, parseSetFlag, sweepAxes } from '../../src/scenario/sweep.js';
import { ScenarioError } from '../../src/scenario/errors.js';

const text = [
  'name: s', 'vm: {vcpus: 4}', 'disk: {handler: pool, iothreads: 1}', 'job: {iodepth: 4, numjobs: 4}',
  'variants:', '  - name: split', '  - name: packed', '    set: {disk.ring: packed}',
  'sweep:', '  axes:', '    job.iodepth: [1, 8]', '  replications: 3',
].join('\n');

describe('sweep axes', () => {
  it('reads --set values as YAML scalars', () => {
    expect(parseSetFlag('f', 'disk.iothreads=1,2, 4').values).toEqual([1, 2, 4]);
    expect(parseSetFlag('f', 'disk.ring=split,packed').values).toEqual(['split', 'packed']);
    expect(() => parseSetFlag('f', 'disk.iothreads')).toThrow(ScenarioError);
  });

  it('takes the file\'s axes, and the command line adds or replaces them', () => {
    const s = scenarioFromText('s.yaml', text);
    expect(sweepAxes(s, []).map((a) => [a.path, a.values])).toEqual([['job.iodepth', [1, 8]]]);
    expect(sweepAxes(s, ['job.iodepth=2', 'disk.iothreads=1,2']).map((a) => [a.path, a.values]))
      .toEqual([['job.iodepth', [2]], ['disk.iothreads', [1, 2]]]);
  });

  it('expands variants x the cartesian product, last axis fastest, each point with its own streams', () => {
    const s = scenarioFromText('s.yaml', text);
    const points = expandSweep(s, sweepAxes(s, ['disk.iothreads=1,2']), ['split', 'packed']);
    expect(points.map((p) => [p.variant, ...p.values])).toEqual([
      ['split', 1, 1], ['split', 1, 2], ['split', 8, 1], ['split', 8, 2],
      ['packed', 1, 1], ['packed', 1, 2], ['packed', 8, 1], ['packed', 8, 2],
    ]);
    expect(new Set(points.map((p) => p.point.pointKey)).size).toBe(8);
    const last = points[7].point.config(0);
    expect(last.vms[0].disks[0].ring).toBe('packed');
    expect(new Set(last.vms[0].disks[0].vqContexts).size).toBe(2);
    expect(last.vms[0].jobs[0].iodepth).toBe(8);
  });

  it('a bad axis value fails before any run, naming the flag', () => {
    const s = scenarioFromText('s.yaml', text);
    expect(() => expandSweep(s, sweepAxes(s, ['job.iodepth=4,-1']), [])).toThrow(/job.iodepth: .*set by --set job.iodepth/);
    expect(() => expandSweep(s, sweepAxes(s, ['job.iodpeth=4']), [])).toThrow(/unknown key "iodpeth"/);
  });
});
