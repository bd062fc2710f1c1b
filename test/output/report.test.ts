import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { latencyNinesSpec, sweepChartSpec } from '../../src/output/charts.js';

/** Debian's chromium (.ci/run installs it with apt-get when it is missing). */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

async function report(dir: string): Promise<string> {
  const out: string[] = [];
  const code = await main(['report', dir], { out: (l) => out.push(l), err: (l) => out.push(l), tty: false });
  expect(code, out.join('\n')).toBe(0);
  return join(dir, 'report.html');
}

/** Opens the page in headless Chromium offline; returns the charts it says it has and rendered, the
 *  SVGs drawn, and every console error and page error. */
async function open(file: string, screenshot?: string) {
  expect(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium`).toBe(true);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const errors: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(e.message));
    // Offline: the page must not fetch anything.
    await page.route('**/*', (r) => (r.request().url().startsWith('file:') ? r.continue() : r.abort()));
    await page.goto(`file://${resolve(file)}`);
    await page.waitForFunction(() => document.body.dataset.rendered === document.body.dataset.charts || document.querySelector('body') === null, null, { timeout: 30_000 }).catch(() => {});
    const state = await page.evaluate(() => ({
      charts: Number(document.body.dataset.charts), rendered: Number(document.body.dataset.rendered),
      svgs: document.querySelectorAll('.chart svg').length, tables: document.querySelectorAll('table').length,
      headings: [...document.querySelectorAll('h2')].map((h) => h.textContent),
    }));
    if (screenshot) await page.screenshot({ path: screenshot, fullPage: false });
    return { ...state, errors };
  } finally {
    await browser.close();
  }
}

describe('vqsim report (in a real browser)', () => {
  it('a run: summary, latency CDF, CPU per thread, the scenario and its published rows; every chart drawn, no error', async () => {
    // A run's directory is named for its scenario, which the report finds among the shipped ones.
    const dir = join(mkdtempSync(join(tmpdir(), 'vqsim-report-')), 'published-p7-iothread-vq-mapping');
    cpSync('results/published-p7-iothread-vq-mapping', dir, { recursive: true });
    const page = await open(await report(dir), process.env.REPORT_SCREENSHOT);
    expect(page.errors).toEqual([]);
    expect(page.charts).toBe(3);
    expect(page.rendered).toBe(3);
    expect(page.svgs).toBe(3);
    expect(page.headings).toEqual(['Summary', 'Latency CDF', 'Latency by percentile (nines)', 'CPU per thread', 'Scenario',
      'Published measurements computed from this scenario (vqsim calibration, docs/calibration.md)']);
  }, 120_000);

  it('a sweep: its table and a chart per metric with CI bands', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vqsim-report-'));
    cpSync('results/iothread-pool/sweep', dir, { recursive: true });
    const page = await open(await report(dir));
    expect(page.errors).toEqual([]);
    expect(page.charts).toBeGreaterThanOrEqual(4);
    expect(page.rendered).toBe(page.charts);
    expect(page.svgs).toBe(page.charts);
    expect(page.headings).toContain('lat_p99_us');
  }, 120_000);
});

describe('the report\'s charts and its scenario', () => {
  it('a run written with --out keeps its scenario beside the results, which the report shows; a shipped one does not', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vqsim-report-'));
    writeFileSync(join(dir, 'mine.yaml'), 'name: mine\nduration: 5ms\nwarmup: 1ms\nvm: {vcpus: 1}\njob: {iodepth: 2}\n');
    const quiet = { out: () => {}, err: () => {}, tty: false };
    expect(await main(['run', join(dir, 'mine.yaml'), '--out', join(dir, 'out')], quiet)).toBe(0);
    expect(readFileSync(join(dir, 'out', 'scenario.yaml'), 'utf8')).toBe(readFileSync(join(dir, 'mine.yaml'), 'utf8'));
    const html = readFileSync(await report(join(dir, 'out')), 'utf8');
    expect(html).toContain('name: mine');
    expect(await main(['run', 'scenarios/ring-layout.yaml', '--out', join(dir, 'shipped')], quiet)).toBe(0);
    expect(existsSync(join(dir, 'shipped', 'scenario.yaml'))).toBe(false);
  });

  it('puts percentiles on a nines axis, and a legend only where there is more than one line', () => {
    const rows = [{ variant: 'a', us: 10, cumulative: 0.9 }, { variant: 'a', us: 20, cumulative: 0.99 }, { variant: 'a', us: 30, cumulative: 1 }];
    const nines = latencyNinesSpec(rows) as { data: { values: { nines: number }[] }; encoding: Record<string, unknown> };
    expect(nines.data.values.map((v) => Math.round(v.nines * 1e9) / 1e9)).toEqual([1, 2]);
    expect(nines.encoding.color).toBeUndefined();
    expect((latencyNinesSpec([...rows, { ...rows[0], variant: 'b' }]) as { encoding: Record<string, unknown> }).encoding.color).toBeDefined();
    const one = sweepChartSpec(['iothreads'], [{ variant: 'base', values: ['1'], mean: 1, ci95: 0 }, { variant: 'base', values: ['2'], mean: 2, ci95: 0 }], 'iops');
    expect(JSON.stringify(one)).not.toContain('"color"');
    const two = sweepChartSpec(['iothreads'], [{ variant: 'a', values: ['1'], mean: 1, ci95: 0 }, { variant: 'b', values: ['1'], mean: 2, ci95: 0 }], 'iops');
    expect(JSON.stringify(two)).toContain('"color"');
  });
});
