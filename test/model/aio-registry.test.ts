import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { aioEngineNames, registerAioEngine } from '../../src/model/qemu/aio/registry.js';
import { SYNC_AIO } from '../fixtures/engines/sync.js';

// A new engine is its file and this one line.
registerAioEngine('sync', SYNC_AIO);

async function cli(args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [], err: string[] = [];
  const code = await main(args, { out: (l) => out.push(l), err: (l) => err.push(l), tty: false });
  return { code, out, err };
}

describe('the aio engine registry', () => {
  it('an engine registered from the test folder runs through the CLI, and the schema lists it', async () => {
    const d = mkdtempSync(join(tmpdir(), 'vqsim-aio-'));
    writeFileSync(join(d, 's.yaml'), 'vm: {vcpus: 1}\nduration: 20ms\nwarmup: 2ms\ndisk: {aio: sync, device: optane}\njob: {rw: randread, iodepth: 1}\nvariants:\n  - {name: sync}\n  - {name: io_uring, set: {disk.aio: io_uring}}\n');
    // Registered in this process only: the variants run here, not in worker processes.
    const r = await cli(['run', join(d, 's.yaml'), '--out', join(d, 'out'), '--jobs', '1']);
    expect(r.code, r.err.join('\n')).toBe(0);
    const [head, ...rows] = readFileSync(join(d, 'out', 'summary.csv'), 'utf8').trim().split('\n').map((l) => l.split(','));
    const lat = Object.fromEntries(rows.map((row) => [row[0], Number(row[head.indexOf('lat_mean_us')])]));
    // At queue depth 1 each I/O pays the engine's 20 us submission and 10 us reap, where io_uring's
    // enter and reap take a few.
    expect(lat.sync - lat.io_uring).toBeGreaterThan(25);
    expect(lat.sync - lat.io_uring).toBeLessThan(30);
    const schema = (await cli(['schema'])).out.join('\n');
    expect(JSON.parse(schema).properties.disk.properties.aio.enum).toEqual(['native', 'io_uring', 'threads', 'sync']);
  });

  it('an unknown name is refused in one line naming the registered ones; a name cannot be registered twice', async () => {
    const d = mkdtempSync(join(tmpdir(), 'vqsim-aio-'));
    writeFileSync(join(d, 's.yaml'), 'vm: {vcpus: 1}\ndisk: {aio: posixaio}\n');
    const r = await cli(['run', join(d, 's.yaml'), '--out', join(d, 'out')]);
    expect(r.code).toBe(2);
    expect(r.err).toEqual([`vqsim: ${join(d, 's.yaml')}:2: disk.aio: expected one of "native", "io_uring", "threads", "sync"`]);
    expect(() => registerAioEngine('sync', SYNC_AIO)).toThrow(/registered twice/);
    expect(aioEngineNames()).toContain('sync');
  });
});
