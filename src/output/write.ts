import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Writes every file to a temporary name first, then renames them all: a failed or killed run
 *  never leaves a half-written output file, and a failed write (a full disk) no temporary one. */
export function writeFilesAtomically(dir: string, files: Record<string, string>): string[] {
  mkdirSync(dir, { recursive: true });
  const staged: (readonly [string, string])[] = [];
  try {
    for (const [name, text] of Object.entries(files)) {
      const path = join(dir, name);
      const tmp = join(dirname(path), `.${name}.${process.pid}.tmp`);
      staged.push([tmp, path]);
      writeFileSync(tmp, text);
    }
  } catch (e) {
    for (const [tmp] of staged) rmSync(tmp, { force: true });
    throw e;
  }
  for (const [tmp, path] of staged) renameSync(tmp, path);
  return staged.map(([, path]) => path);
}
