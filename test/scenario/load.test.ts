import { describe, expect, it } from 'vitest';
import { ScenarioError } from '../../src/scenario/errors.js';
import { scenarioFromText } from '../../src/scenario/load.js';
import { parseDuration, parseSize } from '../../src/scenario/units.js';

function errorOf(text: string, file = 'bad.yaml'): ScenarioError {
  try {
    scenarioFromText(file, text);
  } catch (e) {
    if (e instanceof ScenarioError) return e;
    throw e;
  }
  throw new Error('expected a ScenarioError');
}

describe('units', () => {
  it('reads durations and sizes as fio and QEMU users write them', () => {
    expect(parseDuration('2s')).toBe(2e9);
    expect(parseDuration('500ms')).toBe(5e8);
    expect(parseDuration('30us')).toBe(30_000);
    expect(parseDuration('1.5us')).toBe(1500);
    expect(parseDuration('10sec')).toBe(1e10);
    expect(parseDuration('2min')).toBe(120e9);
    expect(parseDuration('250usec')).toBe(250_000);
    expect(parseDuration('fast')).toBeUndefined();
    expect(parseDuration('3 parsecs')).toBeUndefined();
    expect(parseDuration(-1)).toBeUndefined();
    expect(parseSize('4k')).toBe(4096);
    expect(parseSize('1m')).toBe(1 << 20);
    expect(parseSize('64KiB')).toBe(65536);
    expect(parseSize('0')).toBeUndefined();
    expect(parseSize('1p')).toBe(1024 ** 5);
  });

  it('refuses a bare number where a duration is expected, except 0 (fio would read seconds, vqsim read ns)', () => {
    expect(parseDuration(0)).toBe(0);
    expect(parseDuration('0')).toBe(0);
    expect(parseDuration(2)).toBeUndefined();
    expect(parseDuration('2')).toBeUndefined();
    expect(errorOf('vm: {vcpus: 1}\nduration: 2\n').message)
      .toMatch(/^bad\.yaml:2: duration: expected a duration with a unit, e\.g\. 2s.*a bare number only for 0$/);
  });
});

describe('scenario errors name the file, the field path and the line', () => {
  it('an unknown key (a typo) is an error', () => {
    const e = errorOf('vm:\n  vcpus: 4\njob:\n  iodpeth: 4\n');
    expect(e.message).toBe('bad.yaml:4: job.iodpeth: unknown key "iodpeth"');
  });

  it('a wrong type', () => {
    expect(errorOf('vm:\n  vcpus: 4\njob:\n  iodepth: many\n').message).toBe('bad.yaml:4: job.iodepth: expected number, got "many"');
  });

  it('a field of several forms says which it takes', () => {
    expect(errorOf('host:\n  cstates: skylake\n').message).toBe('bad.yaml:2: host.cstates: expected one of none, hsx, skx, icx, spr, or a list of { exit, residency }');
    expect(errorOf('host:\n  cstates: [{ exit: 10us, residency: 20us }, { exit: 2us, residency: 2us }]\n').message).toMatch(/^bad\.yaml:2: host\.cstates: list the states shallowest first/);
  });

  it('a negative depth', () => {
    const e = errorOf('vm:\n  vcpus: 4\ndisk:\n  queue-size: 64\njob:\n  iodepth: -2\n');
    expect(e.line).toBe(6);
    expect(e.path).toEqual(['job', 'iodepth']);
    expect(e.message).toMatch(/>=1/);
  });

  it('a bad value set by a variant points at the variant', () => {
    const e = errorOf('vm: {vcpus: 2}\nvariants:\n  - name: fast\n    set:\n      job.iodepth: 0\n');
    expect(e.line).toBe(5);
    expect(e.message).toMatch(/set by variant "fast"/);
  });

  it('cross-field rules: unknown device, handler options, job disk', () => {
    expect(errorOf('vm: {vcpus: 2}\ndisk: {device: ssd9}\n').message).toMatch(/^bad.yaml:2: disk.device: no device named "ssd9"/);
    expect(errorOf('vm: {vcpus: 2}\ndisk: {iothreads: 4}\n').message).toMatch(/disk.iothreads: applies only to handler: pool/);
    expect(errorOf('vm: {vcpus: 2}\njob: {disk: vdz}\n').message).toMatch(/job.disk: no disk named "vdz"/);
    expect(errorOf('vm: {vcpus: 2}\ndisk:\n  handler: pool\n  iothread-vq-mapping:\n    - {iothread: a, vqs: [0]}\n').message).toMatch(/vq 1 is not assigned/);
  });

  it('JSON is accepted, with lines', () => {
    expect(scenarioFromText('ok.json', '{"vm": {"vcpus": 2}}').points).toHaveLength(1);
    expect(errorOf('{\n  "vm": {"vcpus": 2},\n  "duration": "soon"\n}', 'x.json').message).toMatch(/^x.json:3: duration: expected a duration/);
  });

  it('syntax errors carry a line', () => {
    expect(errorOf('vm:\n  vcpus: [4\n').message).toMatch(/^bad.yaml:\d+: not valid YAML/);
  });
});

describe('variants', () => {
  const text = [
    'name: t', 'vm: {vcpus: 8}', 'disk: {handler: pool, iothreads: 1}', 'job: {iodepth: 4, numjobs: 8}',
    'costs: {vmexit_ns: 2us}',
    'variants:', '  - name: one', '  - name: four', '    set: {disk.iothreads: 4, costs.vmexit_ns: 500ns}',
  ].join('\n');

  it('override fields by path over the base', () => {
    const s = scenarioFromText('t.yaml', text);
    expect(s.points.map((p) => p.variant)).toEqual(['one', 'four']);
    const [one, four] = s.points.map((p) => p.config(0));
    expect(new Set(one.vms[0].disks[0].vqContexts).size).toBe(1);
    expect(new Set(four.vms[0].disks[0].vqContexts).size).toBe(4);
    expect(one.costs.vmexit_ns).toBe(2000);
    expect(four.costs.vmexit_ns).toBe(500);
  });

  it('can be selected by name, and an unknown name is an error', () => {
    expect(scenarioFromText('t.yaml', text, { variants: ['four'] }).points.map((p) => p.variant)).toEqual(['four']);
    expect(() => scenarioFromText('t.yaml', text, { variants: ['five'] })).toThrow(/no variant named "five"/);
  });

  it('zero_overheads zeroes every cost', () => {
    const cfg = scenarioFromText('z.yaml', 'vm: {vcpus: 1}\nzero_overheads: true\ncosts: {vmexit_ns: 5us}\n').points[0].config(0);
    expect(Object.values(cfg.costs).every((v) => v === 0)).toBe(true);
  });
});

describe('a NIC without a net: load', () => {
  it('carries no traffic beside a disk job (an imported domain\'s <interface> adds no load), and alone is refused', () => {
    const s = scenarioFromText('nic.yaml', 'vm: {vcpus: 2}\ndisk: {}\njob: {iodepth: 4}\nnic: {queues: 2, mq: true}\n');
    expect(s.points[0].config(0).vms[0].net).toBeNull();
    const withLoad = scenarioFromText('nic.yaml', 'vm: {vcpus: 2}\ndisk: {}\njob: {iodepth: 4}\nnic: {queues: 2, mq: true}\nnet: {mode: rr}\n');
    expect(withLoad.points[0].config(0).vms[0].net?.workload.mode).toBe('rr');
    const alone = errorOf('vm: {vcpus: 2}\nnic: {queues: 2, mq: true}\n', 'nic.yaml');
    expect(alone.message).toMatch(/^nic\.yaml:2: nic: a NIC carries no traffic without a net: load, and this VM has no disk job/);
  });
});
