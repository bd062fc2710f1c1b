/** One option as a job file wrote it: `key=value`, or a bare flag (value ''). */
export interface FioOption {
  key: string;
  value: string;
  file: string;
  line: number;
  /** Set in a [global] section (and so in effect for the jobs below it). */
  global?: boolean;
}

/** A job section with the options in effect for it: the globals above it, then its own. */
export interface FioJob {
  name: string;
  file: string;
  line: number;
  options: FioOption[];
}

export class FioSyntaxError extends Error {
  constructor(readonly file: string, readonly line: number, reason: string) {
    super(reason);
  }
}

export interface IniSource {
  /** The text of a job file, for `include`, relative to the including file. */
  read(file: string, from: string): { file: string; text: string };
  env: Record<string, string | undefined>;
}

/**
 * A fio job file as fio reads it (init.c parse_jobs_ini): `[global]` sections set defaults for the job
 * sections below them, and a later `[global]` changes them for the jobs after it (sections are not
 * merged by name, as the `ini` package would); `key=value` or a bare flag per line; `;` and `#` start
 * comment lines; `include FILE` reads another file in place; `${VAR}` takes the environment.
 */
export function parseFioIni(file: string, text: string, src: IniSource): FioJob[] {
  const jobs: FioJob[] = [];
  let globals: FioOption[] = [];
  let current: FioJob | null = null;
  const walk = (name: string, body: string, depth: number) => {
    if (depth > 16) throw new FioSyntaxError(name, 0, 'include nested more than 16 deep');
    body.split(/\r?\n/).forEach((raw, i) => {
      const line = i + 1;
      const text = raw.trim();
      if (text === '' || text.startsWith(';') || text.startsWith('#')) return;
      const inc = /^include\s+(.+)$/.exec(text);
      if (inc) {
        const next = src.read(inc[1].trim(), name);
        walk(next.file, next.text, depth + 1);
        return;
      }
      const section = /^\[(.+)\]$/.exec(text);
      if (section) {
        const title = section[1].trim();
        if (title === 'global') {
          current = null;
          globals = [...globals];
        } else {
          current = { name: title, file: name, line, options: [...globals] };
          jobs.push(current);
        }
        return;
      }
      const eq = text.indexOf('=');
      const key = (eq < 0 ? text : text.slice(0, eq)).trim();
      const value = eq < 0 ? '' : expand(text.slice(eq + 1).trim(), name, line, src.env);
      if (!/^[a-z_][a-z0-9_]*$/i.test(key)) throw new FioSyntaxError(name, line, `not an option: "${text}"`);
      if (current) current.options.push({ key, value, file: name, line });
      else globals.push({ key, value, file: name, line, global: true });
    });
  };
  walk(file, text, 0);
  if (jobs.length === 0) throw new FioSyntaxError(file, 0, 'no job section: fio would run nothing');
  return jobs;
}

/** `${VAR}` from the environment; an unset variable is an error, as fio's is. */
function expand(value: string, file: string, line: number, env: Record<string, string | undefined>): string {
  return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => {
    const v = env[name];
    if (v === undefined) throw new FioSyntaxError(file, line, `environment variable ${name} is not set`);
    return v;
  });
}
