import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Writes every file to a temporary name first, then renames them all: a failed or killed run
 *  never leaves a half-written output file. */
export function writeFilesAtomically(dir: string, files: Record<string, string>): string[] {
  mkdirSync(dir, { recursive: true });
  const staged = Object.entries(files).map(([name, text]) => {
    const path = join(dir, name);
    const tmp = join(dirname(path), `.${name}.${process.pid}.tmp`);
    writeFileSync(tmp, text);
    return [tmp, path] as const;
  });
  for (const [tmp, path] of staged) renameSync(tmp, path);
  return staged.map(([, path]) => path);
}
