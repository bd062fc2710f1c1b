import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { isatty } from 'node:tty';

const MIB = 1 << 20;

/**
 * The largest file vqsim reads of each kind, with why: far above any real one (a KubeVirt manifest
 * of hundreds of disks is ~1 MiB), far below what would hold the process up.
 */
export const INPUT_CAPS = {
  scenario: 4 * MIB,
  'fio job file': 1 * MIB,
  'libvirt domain XML': 4 * MIB,
  'KubeVirt manifest': 4 * MIB,
  'QEMU command line': 1 * MIB,
  'fio JSON': 64 * MIB,
  CSV: 64 * MIB,
} as const;
export type InputKind = keyof typeof INPUT_CAPS;

/**
 * A text input, read whole: standard input for `-`, else a regular file (not a directory, a device, a FIFO or a socket, whose reads
 * may never end), at most its kind's cap, and text (no NUL byte, valid UTF-8). A problem comes back as
 * `fail(reason)`, one short line.
 */
export function readInput(file: string, kind: InputKind, fail: (reason: string) => Error): string {
  if (file === '-') return readStdin(kind, fail);
  let fd: number;
  try {
    // Non-blocking, so that opening a FIFO with no writer returns at once, to be refused below.
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw fail(`cannot read: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw fail(`is a directory: give a ${kind}`);
    if (!st.isFile()) throw fail(`is not a regular file (a device, FIFO or socket): give a ${kind}`);
    const cap = INPUT_CAPS[kind];
    if (st.size > cap) throw fail(`is ${(st.size / MIB).toFixed(1)} MiB: a ${kind} is at most ${cap / MIB} MiB`);
    const buf = Buffer.alloc(st.size);
    let got = 0;
    while (got < st.size) {
      const n = readSync(fd, buf, got, st.size - got, null);
      if (n === 0) break;
      got += n;
    }
    return asText(buf.subarray(0, got), kind, fail);
  } finally {
    closeSync(fd);
  }
}

/** Standard input read to its end (`virsh dumpxml db01 | vqsim import libvirt -`), within the cap. */
function readStdin(kind: InputKind, fail: (reason: string) => Error): string {
  if (isatty(0)) throw fail(`is the terminal: pipe the ${kind} in, or give its file`);
  const cap = INPUT_CAPS[kind], chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const chunk = Buffer.alloc(64 * 1024);
    let n: number;
    try {
      n = readSync(0, chunk, 0, chunk.length, null);
    } catch (e) {
      // A pipe node made non-blocking: wait for its writer.
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw fail(`cannot read: ${(e as Error).message}`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
      continue;
    }
    if (n === 0) break;
    total += n;
    if (total > cap) throw fail(`is more than ${cap / MIB} MiB: a ${kind} is at most that`);
    chunks.push(chunk.subarray(0, n));
  }
  return asText(Buffer.concat(chunks), kind, fail);
}

/** The bytes as text: no NUL byte, valid UTF-8. */
function asText(bytes: Buffer, kind: InputKind, fail: (reason: string) => Error): string {
  if (bytes.includes(0)) throw fail(`is binary, not a ${kind}`);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw fail(`is not UTF-8 text: not a ${kind}`);
  }
}
