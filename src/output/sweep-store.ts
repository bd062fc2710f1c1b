import { existsSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { writeFilesAtomically } from './write.js';
import type { PointResult } from './sweep-csv.js';

/** What a sweep directory holds besides its points: enough to merge shards without the scenario. */
export interface SweepManifest {
  /** Fingerprint of the scenario text, axes, variants, replications and seed. */
  id: string;
  name: string;
  axes: string[];
  points: number;
  replications: number;
}

const MANIFEST = 'sweep.json';
const POINTS = 'points';

export function writeManifest(dir: string, m: SweepManifest): void {
  writeFilesAtomically(dir, { [MANIFEST]: `${JSON.stringify(m, null, 2)}\n` });
}

export function readManifest(dir: string): SweepManifest | undefined {
  const f = join(dir, MANIFEST);
  return existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as SweepManifest) : undefined;
}

/** One file per finished point, written atomically: an interrupted sweep resumes from them. */
export function writePoint(dir: string, id: string, p: PointResult): void {
  writeFilesAtomically(join(dir, POINTS), { [`${p.index}.json`]: `${JSON.stringify({ id, ...p })}\n` });
}

/** The finished points of sweep `id` in a directory (files of another sweep are ignored). A point
 *  file that is not one (empty, cut short by a full disk) is set aside as <name>.corrupt and named to
 *  `setAside`, so that its point runs again. */
export function readPoints(dir: string, id: string, setAside: (file: string) => void = () => {}): Map<number, PointResult> {
  const out = new Map<number, PointResult>();
  const pdir = join(dir, POINTS);
  if (!existsSync(pdir)) return out;
  for (const f of readdirSync(pdir)) {
    if (!/^\d+\.json$/.test(f)) continue;
    let p: PointResult & { id: string };
    try {
      p = JSON.parse(readFileSync(join(pdir, f), 'utf8')) as PointResult & { id: string };
      if (typeof p.index !== 'number' || !Array.isArray(p.replications)) throw new Error('not a point');
    } catch {
      renameSync(join(pdir, f), join(pdir, `${f}.corrupt`));
      setAside(join(pdir, f));
      continue;
    }
    if (p.id === id) out.set(p.index, { index: p.index, variant: p.variant, values: p.values, replications: p.replications });
  }
  return out;
}
