import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The installed package's (or the repository's) root: this file sits in src/ or dist/ below it. The
 *  shipped scenarios and their references are found from here, so `vqsim check` and `vqsim
 *  calibration` work from any directory once the package is installed. */
export const PACKAGE_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** A path inside the package. */
export function shipped(...parts: string[]): string {
  return join(PACKAGE_ROOT, ...parts);
}
