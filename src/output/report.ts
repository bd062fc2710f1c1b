import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';

/** What a report shows: tables, charts (vega-lite specs, rendered in the page) and texts, in order. */
export type Section =
  | { kind: 'table'; title: string; columns: string[]; rows: Record<string, string>[] }
  | { kind: 'chart'; title: string; spec: TopLevelSpec }
  | { kind: 'text'; title: string; text: string };

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": '#39' }[c]};`);
/** JSON inside a <script>: no "</" may close it early. */
const scriptJson = (x: unknown) => JSON.stringify(x).replace(/<\//g, '<\\/');

/** vega, vega-lite and vega-embed's browser builds, inlined so that the report opens offline. */
function libraries(): string {
  const require = createRequire(import.meta.url);
  // The packages' exports do not list their browser builds: find each package's folder from its entry.
  const folder = (pkg: string) => {
    let dir = dirname(require.resolve(pkg));
    while (basename(dir) !== pkg && dirname(dir) !== dir) dir = dirname(dir);
    return dir;
  };
  const build = (pkg: string, file: string) => readFileSync(join(folder(pkg), 'build', file), 'utf8').replace(/<\/script/gi, '<\\/script');
  return [build('vega', 'vega.min.js'), build('vega-lite', 'vega-lite.min.js'), build('vega-embed', 'vega-embed.min.js')]
    .map((js) => `<script>${js}</script>`).join('\n');
}

/**
 * One self-contained HTML page: the sections in order, each chart rendered by vega-embed from its spec.
 * The page counts the charts it rendered (document.body.dataset.rendered) and reports a failed one
 * on the console, so a browser test can tell that every chart drew.
 */
export function reportHtml(title: string, sections: Section[]): string {
  const charts: { id: string; spec: TopLevelSpec }[] = [];
  const body = sections.map((s, i) => {
    const head = `<h2>${escapeHtml(s.title)}</h2>`;
    if (s.kind === 'text') return `${head}\n<pre>${escapeHtml(s.text)}</pre>`;
    if (s.kind === 'chart') {
      const id = `chart-${i}`;
      charts.push({ id, spec: s.spec });
      return `${head}\n<div class="chart" id="${id}"></div>`;
    }
    const th = s.columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('');
    const tr = s.rows.map((r) => `<tr>${s.columns.map((c) => `<td>${escapeHtml(r[c] ?? '')}</td>`).join('')}</tr>`).join('\n');
    return `${head}\n<div class="scroll"><table><thead><tr>${th}</tr></thead><tbody>\n${tr}\n</tbody></table></div>`;
  }).join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; font-size: 13px; }
th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: right; white-space: nowrap; }
th { background: #f3f3f3; }
td:first-child, th:first-child { text-align: left; }
.scroll { overflow-x: auto; }
pre { background: #f7f7f7; padding: 1em; overflow-x: auto; }
.chart { margin: 1em 0; }
</style>
${libraries()}
</head>
<body data-charts="${charts.length}" data-rendered="0">
<h1>${escapeHtml(title)}</h1>
${body}
<script>
const charts = ${scriptJson(charts)};
let rendered = 0;
for (const c of charts) {
  vegaEmbed('#' + c.id, c.spec, { actions: false, renderer: 'svg' })
    .then(() => { rendered++; document.body.dataset.rendered = String(rendered); })
    .catch((e) => console.error('chart ' + c.id + ' failed: ' + e));
}
</script>
</body>
</html>
`;
}
