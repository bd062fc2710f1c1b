/** A field path as written in `set:` or `--set`: dot-separated, list indices as numbers. */
export function parsePath(path: string): (string | number)[] {
  return path.split('.').map((seg) => (/^\d+$/.test(seg) ? Number(seg) : seg));
}

/**
 * Returns a copy of `base` with `value` at `path`, creating mappings on the way; a null value removes
 * the field (no field takes null, so a variant can drop a section: `nic: null`). Throws with a reason
 * when the path runs through something that is not a mapping or a list.
 */
export function setPath(base: unknown, path: (string | number)[], value: unknown): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  if (rest.length === 0 && value === null && !Array.isArray(base) && base !== null && typeof base === 'object') {
    const { [String(head)]: _removed, ...kept } = base as Record<string, unknown>;
    return kept;
  }
  if (Array.isArray(base)) {
    if (typeof head !== 'number' || head >= base.length) throw new Error(`no list entry ${String(head)}`);
    const copy = base.slice();
    copy[head] = setPath(base[head], rest, value);
    return copy;
  }
  if (base === undefined || base === null) base = {};
  if (typeof base !== 'object') throw new Error(`${String(head)}: the field above it is not a mapping`);
  const obj = base as Record<string, unknown>;
  return { ...obj, [head]: setPath(obj[String(head)], rest, value) };
}
