/** Makes the error for a field path (the loader knows files and lines). */
export type Located = (path: (string | number)[], reason: string) => ScenarioError;

/** A problem in a scenario file, located by field path and, where known, line. */
export class ScenarioError extends Error {
  constructor(
    readonly file: string,
    readonly path: (string | number)[],
    readonly line: number | undefined,
    readonly reason: string,
  ) {
    super(`${file}${line !== undefined ? `:${line}` : ''}: ${path.length ? `${path.join('.')}: ` : ''}${reason}`);
  }
}
