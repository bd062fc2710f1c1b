import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { scenarioJsonSchema } from '../../src/scenario/schema.js';

type Node = { description?: string; properties?: Record<string, Node>; items?: Node; additionalProperties?: Node | boolean; anyOf?: Node[]; oneOf?: Node[] };

/** Every property of the schema, with its path, wherever it nests. */
function properties(node: Node, path: string[] = []): { path: string; node: Node }[] {
  const out: { path: string; node: Node }[] = [];
  for (const [k, v] of Object.entries(node.properties ?? {})) out.push({ path: [...path, k].join('.'), node: v }, ...properties(v, [...path, k]));
  if (node.items) out.push(...properties(node.items, [...path, '[]']));
  if (node.additionalProperties && typeof node.additionalProperties === 'object') out.push(...properties(node.additionalProperties, [...path, '*']));
  for (const alt of [...(node.anyOf ?? []), ...(node.oneOf ?? [])]) out.push(...properties(alt, path));
  return out;
}

describe('vqsim.schema.json (editors)', () => {
  it('is the schema as the code has it, every field described', () => {
    const schema = scenarioJsonSchema() as Node;
    expect(JSON.parse(readFileSync('vqsim.schema.json', 'utf8'))).toEqual(schema); // if not: vqsim schema > vqsim.schema.json
    const undescribed = properties(schema).filter((p) => !p.node.description).map((p) => p.path);
    expect(undescribed).toEqual([]);
  });

  it('is named by every shipped scenario for yaml-language-server', () => {
    for (const f of readdirSync('scenarios').filter((x) => x.endsWith('.yaml'))) {
      expect(readFileSync(`scenarios/${f}`, 'utf8').split('\n')[0], f).toBe('# yaml-language-server: $schema=../vqsim.schema.json');
    }
  });
});
