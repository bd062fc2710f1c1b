import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Document, type Node } from 'yaml';

/** A parsed YAML/JSON file that can say on which line a field path stands. */
export class Source {
  private constructor(
    readonly file: string,
    private readonly doc: Document,
    private readonly lines: LineCounter,
    private readonly value: unknown,
  ) {}

  /** JSON is read as YAML 1.2, of which it is a subset, so both get line numbers. A document that
   *  parses but cannot become data (an alias to no anchor) is an error too. */
  static parse(file: string, text: string): { source: Source; errors: { line: number | undefined; message: string }[] } {
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
    const errors: { line: number | undefined; message: string }[] = doc.errors.map((e) => ({ line: lines.linePos(e.pos[0]).line, message: e.message.split('\n')[0] }));
    let value: unknown;
    if (errors.length === 0) {
      try {
        value = doc.toJS();
      } catch (e) {
        errors.push({ line: undefined, message: (e as Error).message.split('\n')[0] });
      }
    }
    return { source: new Source(file, doc, lines, value), errors };
  }

  toJS(): unknown {
    return structuredClone(this.value);
  }

  /** Line of the deepest existing node on the path: the key's line for a mapping entry. */
  lineOf(path: (string | number)[]): number | undefined {
    let node: unknown = this.doc.contents;
    let line = this.lineOfNode(node as Node);
    for (const seg of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
        if (!pair) break;
        line = this.lineOfNode(pair.key as Node) ?? line;
        node = pair.value;
      } else if (isSeq(node) && typeof seg === 'number') {
        node = node.items[seg];
        if (!node) break;
        line = this.lineOfNode(node as Node) ?? line;
      } else {
        break;
      }
    }
    return line;
  }

  private lineOfNode(node: Node | null | undefined): number | undefined {
    const range = node?.range;
    return range ? this.lines.linePos(range[0]).line : undefined;
  }
}
