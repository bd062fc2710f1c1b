import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { main } from '../../src/cli/main.js';
import { scenarioJsonSchema } from '../../src/scenario/schema.js';

/** Cases per CI run, at a fixed seed; `npm run fuzz` runs more at a fresh seed (fast-check prints it on failure). */
const RUNS = Number(process.env.FUZZ_RUNS ?? 2000);
const SEED = Number(process.env.FUZZ_SEED ?? (process.env.FUZZ_RUNS ? Date.now() % 2 ** 31 : 20261124));
/** No case may take longer than this (a hang is a failure). */
const CASE_MS = 20_000;

/** Every key the schema knows, at any depth: the alphabet of typos. */
function schemaKeys(node: unknown, into = new Set<string>()): Set<string> {
  if (node && typeof node === 'object') {
    const props = (node as { properties?: Record<string, unknown> }).properties;
    if (props) for (const k of Object.keys(props)) into.add(k);
    for (const v of Object.values(node)) schemaKeys(v, into);
  }
  return into;
}
const KEYS = [...schemaKeys(scenarioJsonSchema())];

const opt = { requiredKeys: [] as never[] };
const blk = fc.record({
  disk: fc.record({
    device: fc.constantFrom('nvme-tlc', 'nvme-gen3', 'optane', 'null_blk'),
    'num-queues': fc.integer({ min: 1, max: 8 }),
    'queue-size': fc.constantFrom(64, 128, 256, 1024),
    ring: fc.constantFrom('split', 'packed'),
    event_idx: fc.boolean(),
    aio: fc.constantFrom('native', 'io_uring', 'threads'),
    handler: fc.constantFrom('main-loop', 'dedicated', 'shared', 'pool'),
    'request-merging': fc.boolean(),
  }, opt),
  job: fc.record({
    rw: fc.constantFrom('read', 'write', 'randread', 'randwrite', 'rw', 'randrw'),
    bs: fc.constantFrom('4k', '8k', '64k', 4096),
    iodepth: fc.integer({ min: 1, max: 64 }),
    numjobs: fc.integer({ min: 1, max: 4 }),
    rate_iops: fc.integer({ min: 1000, max: 200_000 }),
    iodepth_batch_submit: fc.integer({ min: 1, max: 16 }),
    thinktime: fc.constantFrom('0', '10us', '1ms'),
  }, opt),
  iothread: fc.record({ 'poll-max-ns': fc.constantFrom(0, 32768, 200_000), 'aio-max-batch': fc.integer({ min: 0, max: 64 }), fdmon: fc.constantFrom('io_uring', 'poll') }, opt),
}, opt);
const net = fc.record({
  nic: fc.record({ queues: fc.integer({ min: 1, max: 8 }), mq: fc.boolean(), vhost: fc.boolean(), 'poll-us': fc.constantFrom(0, 50) }, opt),
  net: fc.record({ mode: fc.constantFrom('stream', 'rr'), direction: fc.constantFrom('tx', 'rx', 'both'), flows: fc.integer({ min: 1, max: 8 }), msg_size: fc.constantFrom(64, '1k', '64k'), window: fc.integer({ min: 1, max: 16 }) }, opt),
}, { requiredKeys: ['nic'] });

/** A scenario the schema accepts, small enough to run in milliseconds. */
const validDoc = fc.tuple(
  fc.record({
    vm: fc.record({ vcpus: fc.integer({ min: 1, max: 8 }) }),
    duration: fc.constantFrom('1ms', '2ms', '500us'),
    warmup: fc.constantFrom('0', '100us', '500us'),
    seed: fc.nat(1000),
    exact_costs: fc.boolean(),
    versions: fc.record({ qemu: fc.constantFrom('4.2', '6.0', '9.2', '10.1'), host_kernel: fc.constantFrom('5.14', '6.8') }, opt),
    host: fc.record({ cores: fc.integer({ min: 0, max: 8 }), halt_poll_ns: fc.constantFrom(0, 200_000) }, opt),
  }, { requiredKeys: ['vm', 'duration', 'warmup'] }),
  fc.oneof(blk, net),
).map(([a, b]) => ({ ...a, ...b }));

type Doc = Record<string, unknown>;
/** Paths to the leaves of a document. */
function leaves(doc: unknown, at: string[] = []): string[][] {
  if (doc && typeof doc === 'object' && !Array.isArray(doc)) return Object.entries(doc).flatMap(([k, v]) => leaves(v, [...at, k]));
  return [at];
}
function setAt(doc: Doc, path: string[], value: unknown): Doc {
  const copy = structuredClone(doc);
  let node = copy as Record<string, unknown>;
  for (const k of path.slice(0, -1)) node = node[k] as Record<string, unknown>;
  node[path.at(-1)!] = value;
  return copy;
}
function renameAt(doc: Doc, path: string[], name: string): Doc {
  const copy = structuredClone(doc);
  let node = copy as Record<string, unknown>;
  for (const k of path.slice(0, -1)) node = node[k] as Record<string, unknown>;
  node[name] = node[path.at(-1)!];
  delete node[path.at(-1)!];
  return copy;
}

/** The document as YAML text, valid or with one thing broken. */
const caseText = fc.oneof(
  { weight: 2, arbitrary: validDoc.map((d) => stringify(d)) },
  { weight: 2, arbitrary: fc.tuple(validDoc, fc.nat(), fc.constantFrom<unknown>('x', true, [], {}, null, '4 parsecs')).map(([d, i, v]) => stringify(setAt(d, leaves(d)[i % leaves(d).length], v))) },
  { weight: 2, arbitrary: fc.tuple(validDoc, fc.nat(), fc.constantFrom(-1, 0, 1e12, 0.5, 2 ** 53, -1e-9)).map(([d, i, v]) => stringify(setAt(d, leaves(d)[i % leaves(d).length], v))) },
  { weight: 2, arbitrary: fc.tuple(validDoc, fc.nat(), fc.constantFrom(...KEYS), fc.nat(8)).map(([d, i, key, cut]) => {
    const path = leaves(d)[i % leaves(d).length];
    const typo = cut % 2 ? `${key}s` : key.slice(0, Math.max(1, key.length - 1 - (cut % 3))) + key.slice(key.length - (cut % 3));
    return stringify(renameAt(d, path, typo));
  }) },
  { weight: 2, arbitrary: fc.tuple(validDoc, fc.nat(), fc.constantFrom('{', '}', ':', '\t', '- ', '"', '[', '&', '*', '\n  ')).map(([d, i, junk]) => {
    const text = stringify(d);
    const at = i % (text.length + 1);
    return text.slice(0, at) + junk + text.slice(at);
  }) },
);

type JsonSchema = {
  type?: string | string[]; enum?: unknown[]; const?: unknown; anyOf?: JsonSchema[]; oneOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>; required?: string[]; additionalProperties?: JsonSchema | boolean;
  items?: JsonSchema; prefixItems?: JsonSchema[]; minItems?: number; minimum?: number; maximum?: number;
};
/** Sample strings for a string field: units, names, presets, junk. */
const STRINGS = ['4k', '1ms', '250us', '2s', 'nvme-tlc', 'optane', 'vda', 'iothread0', '0-3', 'x', '', '9.2'];

/**
 * Any document the zod schema describes, straight from its JSON Schema: every field, list and map,
 * with values of its type (numbers kept small so that a valid document runs quickly). Most are refused
 * by the cross-field rules; each must still end with one line.
 */
function fromSchema(node: JsonSchema, depth = 0): fc.Arbitrary<unknown> {
  if (node.const !== undefined) return fc.constant(node.const);
  if (node.enum) return fc.constantFrom(...node.enum);
  const alternatives = node.anyOf ?? node.oneOf;
  if (alternatives) return fc.oneof(...alternatives.map((a) => fromSchema(a, depth)));
  const types = Array.isArray(node.type) ? node.type : [node.type ?? 'string'];
  return fc.oneof(...types.map((t): fc.Arbitrary<unknown> => {
    switch (t) {
      case 'object': {
        if (node.properties) {
          const keys = Object.keys(node.properties);
          const props = depth > 3 ? {} : Object.fromEntries(keys.map((k) => [k, fromSchema(node.properties![k], depth + 1)]));
          return fc.record(props, { requiredKeys: (node.required ?? []).filter((k) => k in props) });
        }
        const values = typeof node.additionalProperties === 'object' ? node.additionalProperties : {};
        return fc.dictionary(fc.constantFrom(...STRINGS.filter(Boolean)), fromSchema(values, depth + 1), { maxKeys: 2 });
      }
      case 'array':
        if (node.prefixItems) return fc.tuple(...node.prefixItems.map((x) => fromSchema(x, depth + 1)));
        return fc.array(fromSchema(node.items ?? {}, depth + 1), { minLength: node.minItems ?? 0, maxLength: 3 });
      case 'integer': return fc.integer({ min: node.minimum ?? -2, max: Math.min(node.maximum ?? 64, (node.minimum ?? 0) + 64) });
      case 'number': return fc.double({ min: node.minimum ?? -2, max: Math.min(node.maximum ?? 64, (node.minimum ?? 0) + 64), noNaN: true });
      case 'boolean': return fc.boolean();
      case 'null': return fc.constant(null);
      default: return fc.constantFrom(...STRINGS);
    }
  }));
}

/** Flags as users get them wrong (or right). */
const flags = fc.array(fc.oneof(
  fc.constantFrom(['--seed', '7'], ['--seed', 'abc'], ['--seed', '-3'], ['--seed', '1.5'], ['--variant', 'nope'], ['--frob'], ['--debug']),
  fc.constant(['--out-is-a-file']),
), { maxLength: 2 }).map((xs) => [...new Map(xs.map((f) => [f[0], f])).values()].flat());

/** Runs each generated case through the CLI in process and checks how it ended. */
async function fuzz(texts: fc.Arbitrary<string>, runs: number, seed: number): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'vqsim-fuzz-'));
  writeFileSync(join(root, 'a-file'), '');
  let n = 0;
  await fc.assert(fc.asyncProperty(texts, flags, async (text, extra) => {
      const dir = join(root, String(n++));
      writeFileSync(join(root, `${n}.yaml`), text);
      const out = join(dir, 'out');
      const args = ['run', join(root, `${n}.yaml`), ...extra.map((f) => (f === '--out-is-a-file' ? '--out' : f))];
      if (extra.includes('--out-is-a-file')) args.push(join(root, 'a-file'));
      else args.push('--out', out);
      const err: string[] = [];
      const t0 = performance.now();
      const code = await main(args, { out: () => {}, err: (l) => err.push(...l.split('\n')), tty: false });
      const ms = performance.now() - t0;
      const context = `${args.join(' ')}\n${text}\n${err.join('\n')}`;
      expect(ms, context).toBeLessThan(CASE_MS);
      expect(err.filter((l) => /^\s+at /.test(l)), context).toEqual(extra.includes('--debug') && code === 1 ? err.filter((l) => /^\s+at /.test(l)) : []);
      expect([0, 2], context).toContain(code);
      if (code === 2) {
        expect(err, context).toHaveLength(1);
        expect(err[0], context).toMatch(/^vqsim: /);
        expect(existsSync(join(out, 'summary.csv')), context).toBe(false);
      } else {
        expect(err.every((l) => l.startsWith('vqsim: ')), context).toBe(true);
        expect(existsSync(join(out, 'summary.csv')), context).toBe(true);
      }
      if (existsSync(out)) expect(readdirSync(out).filter((f) => f.endsWith('.tmp')), context).toEqual([]);
      rmSync(dir, { recursive: true, force: true });
  }), { numRuns: runs, seed, endOnFailure: true });
  rmSync(root, { recursive: true, force: true });
}

describe('fuzzing: any scenario and command line ends with results or one line and exit 2', () => {
  it(`${RUNS} cases from runnable scenarios, valid or with one thing broken: no stack trace, no hang, no partial file`, async () => {
    await fuzz(caseText, RUNS, SEED);
  }, 600_000);

  it(`${RUNS / 2} documents drawn from the schema itself, any field, list or map`, async () => {
    await fuzz(fromSchema(scenarioJsonSchema() as JsonSchema).map((d) => stringify(d)), RUNS / 2, SEED + 1);
  }, 600_000);
});
