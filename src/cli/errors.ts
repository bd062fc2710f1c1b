import { InvariantError } from '../model/invariants.js';
import { ScenarioError } from '../scenario/errors.js';
import { Interrupted } from '../run/simulate.js';

/** A bad command line: one line, exit 2. */
export class UsageError extends Error {}


/** What the system said of a path, for the problems of the user's environment (not vqsim's bugs). */
const ENVIRONMENT: Record<string, string> = {
  EACCES: 'permission denied', EPERM: 'operation not permitted', ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded', EROFS: 'a read-only file system', ENOENT: 'no such file or directory',
  ENOTDIR: 'a part of the path is not a directory', EISDIR: 'is a directory', ENAMETOOLONG: 'the name is too long',
  ELOOP: 'too many symbolic links', EEXIST: 'already exists', EMFILE: 'too many open files',
};

function environmentProblem(e: unknown): string | undefined {
  const x = e as NodeJS.ErrnoException;
  if (!(e instanceof Error) || typeof x.code !== 'string' || !(x.code in ENVIRONMENT)) return undefined;
  return `${x.path ?? x.syscall ?? 'a file'}: ${ENVIRONMENT[x.code]} (${x.code})`;
}

/**
 * The one top-level error handler: every error becomes one line on stderr and an exit status; the
 * stack only when asked for (--debug or VQSIM_DEBUG=1).
 */
export function reportError(e: unknown, err: (line: string) => void, context: { debug: boolean; file?: string; seed?: number }): number {
  if (e instanceof ScenarioError) {
    err(`vqsim: ${e.message}`);
    return 2;
  }
  if (e instanceof UsageError) {
    err(`vqsim: ${e.message} (vqsim --help for usage)`);
    return 2;
  }
  const env = environmentProblem(e);
  if (env) {
    err(`vqsim: ${env}`);
    return 2;
  }
  if (e instanceof Interrupted) {
    err(`vqsim: ${e.message}`);
    return e.signal === 'SIGINT' ? 130 : 143;
  }
  const stack = context.debug && e instanceof Error && e.stack ? `\n${e.stack}` : '';
  if (e instanceof InvariantError) {
    const at = context.file ? ` with ${context.file}${context.seed !== undefined ? ` and --seed ${context.seed}` : ''}` : '';
    err(`vqsim: model error: ${e.message}. This is a bug in vqsim, not in your input: please report it to the vqsim maintainers${at}.${stack}`);
    return 1;
  }
  const message = e instanceof Error ? e.message : String(e);
  err(`vqsim: internal error: ${message} (run again with --debug for the stack, and please report it to the vqsim maintainers)${stack}`);
  return 1;
}
