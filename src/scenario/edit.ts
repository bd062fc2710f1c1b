import { isCollection, isScalar, parseDocument } from 'yaml';

/**
 * A scenario's text with one field set: a scalar the file already gives is replaced where it stands
 * (its comments and layout kept as written); anything else goes through the YAML document, which
 * keeps comments but lays the file out afresh, the maps on the way to the field in block style.
 */
export function setField(text: string, path: (string | number)[], value: unknown): string {
  const doc = parseDocument(text);
  const node = doc.getIn(path, true);
  if (isScalar(node) && node.range && (typeof value === 'number' || typeof value === 'string') && typeof node.value === typeof value) {
    const written = typeof value === 'string' ? JSON.stringify(value) : String(value);
    return text.slice(0, node.range[0]) + written + text.slice(node.range[1]);
  }
  doc.setIn(path, value);
  for (let i = 1; i < path.length; i++) {
    const parent = doc.getIn(path.slice(0, i), true);
    if (isCollection(parent)) parent.flow = false;
  }
  return String(doc);
}
