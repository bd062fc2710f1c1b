import { basename, join, resolve } from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { sweepChartSpec, toSvg } from '../output/charts.js';
import { adviceJson } from '../output/advice-json.js';
import { reportHtml, type Section } from '../output/report.js';
import { readManifest, readPoints } from '../output/sweep-store.js';
import { writeFilesAtomically } from '../output/write.js';
import { adviseSpace, currentSetting, vmFacts, type Candidate, type Platform, type VmFacts } from '../scenario/advise/space.js';
import { settingTerms } from '../scenario/advise/terms.js';
import { ScenarioError } from '../scenario/errors.js';
import { scenarioFromText, type LoadedScenario } from '../scenario/load.js';
import { parsePath, setPath } from '../scenario/variants.js';
import { advise, optionOf, type Advice, type AdviceMetric, type Option } from '../stats/advice.js';
import type { Goal } from '../stats/knee.js';
import { readFileArg } from './args.js';
import { UsageError } from './errors.js';
import { importCommand } from './import.js';
import { sweepCommand, type Progress } from './sweep.js';
import type { Shard } from './shard.js';

export interface AdviseOptions {
  file: string;
  from?: Platform;
  fio?: string;
  vm?: string;
  /** A KubeVirt manifest's cluster release (versions.kubevirt). */
  kubevirt?: string;
  variant?: string;
  goal: Goal;
  /** Percent. */
  within: number;
  replications: number;
  maxIothreads?: number;
  seed?: number;
  out?: string;
  jobs: number;
  shard?: Shard;
}

const CURRENT = 'current';

/** What a file holds, from its text: a domain XML, a KubeVirt manifest, a QEMU command line, or a scenario. */
export function platformOf(text: string): Platform {
  const t = text.trimStart();
  if (t.startsWith('<')) return 'libvirt';
  if (/^kind:\s*(VirtualMachine|VirtualMachineInstance|List)\s*$/m.test(t)) return 'kubevirt';
  if (/^(\S*qemu-system-\S+|-(machine|drive|device|blockdev|object|smp)\b)/.test(t)) return 'qemu';
  return 'scenario';
}

/** The VM as a scenario document: imported, its workload replaced by --fio, one of its variants applied. */
function vmDocument(o: AdviseOptions, given: string, platform: Platform): Record<string, unknown> {
  const fio = o.fio === undefined ? undefined : resolve(o.fio);
  const text = platform === 'scenario' ? given : importCommand(platform, o.file, [], { fio, vm: o.vm, kubevirt: o.kubevirt, given }).text;
  // Loaded first: a file that is not a valid scenario is reported as run reports it (file, line, field).
  if (platform === 'scenario') scenarioFromText(o.file, text, { seed: o.seed });
  let doc = parseYaml(text) as Record<string, unknown>;
  if (doc === null || typeof doc !== 'object') throw new ScenarioError(o.file, [], undefined, 'not a scenario (a mapping of fields)');
  if (doc.vms !== undefined) throw new ScenarioError(o.file, ['vms'], undefined, 'advise tunes one VM: give a scenario of the single-VM form (vm:, disk:, job:), or import the VM');
  if (o.variant !== undefined) {
    const v = (Array.isArray(doc.variants) ? doc.variants : []).find((x: { name?: string }) => x?.name === o.variant) as { set?: Record<string, unknown> } | undefined;
    if (!v) throw new ScenarioError(o.file, ['variants'], undefined, `no variant named "${o.variant}"`);
    for (const [path, value] of Object.entries(v.set ?? {})) doc = setPath(doc, parsePath(path), value) as Record<string, unknown>;
  }
  if (platform === 'scenario' && fio !== undefined) doc = { ...doc, job: { fio }, jobs: undefined };
  const { variants: _v, sweep: _s, ...base } = doc;
  return base;
}

/** The VM's resolved facts, and a refusal where advise has nothing to vary. */
function factsOf(s: LoadedScenario): VmFacts {
  const config = s.points[0].config(0);
  const f = vmFacts(config);
  if (f.disks.length === 0) throw new ScenarioError(s.file, [], undefined, 'the VM has no disk: advise tunes the iothreads, queues and aio engine of its disks');
  const outside = config.vms[0].disks.find((d) => d.backend !== 'qemu');
  if (outside) throw new ScenarioError(s.file, [], undefined, `disk ${outside.name} is served outside QEMU (${outside.backend}): no iothread of QEMU's runs it, nothing for advise to vary`);
  return f;
}

/** The candidates the VM's versions and devices accept; the others with the reason. */
function accepted(s: LoadedScenario, candidates: Candidate[]): { ok: (Candidate & { cores: number | null })[]; notTried: string[] } {
  const ok: (Candidate & { cores: number | null })[] = [], notTried: string[] = [];
  for (const c of candidates) {
    try {
      const p = s.point(null, Object.entries(c.set).map(([path, value]) => ({ path, value, origin: c.name })), c.name);
      ok.push({ ...c, cores: p.config(0).cpu?.cores ?? null });
    } catch (e) {
      if (!(e instanceof ScenarioError)) throw e;
      notTried.push(`${c.name}: ${e.reason}`);
    }
  }
  return { ok, notTried };
}

/**
 * vqsim advise: varies what the user can set for the VM's disks (see adviseSpace), runs every setting
 * as a sweep with replications (resumable, --jobs, --shard), and recommends the knee for the goal.
 * Writes advise.yaml (the settings as variants), sweep/, advice.json, charts and report.html.
 */
export async function adviseCommand(o: AdviseOptions, onProgress: (p: Progress) => void, stop: () => NodeJS.Signals | undefined): Promise<{ out: string; advice?: Advice; lines: string[] }> {
  // Read once: `-` is standard input.
  const given = readFileArg(o.file, 'scenario');
  const platform = o.from ?? platformOf(given);
  if ((o.vm ?? o.kubevirt) !== undefined && platform !== 'kubevirt') throw new UsageError('--vm and --kubevirt apply to KubeVirt manifests only');
  const doc = vmDocument(o, given, platform);
  const vm = scenarioFromText(o.file, stringifyYaml(doc), { seed: o.seed });
  const facts = factsOf(vm);
  const space = adviseSpace(doc, facts, { platform, maxIothreads: o.maxIothreads });
  const { ok, notTried } = accepted(vm, space.candidates);
  const variants = [{ name: CURRENT, set: {} }, ...ok.map((c) => ({ name: c.name, set: c.set }))];
  const text = `# vqsim advise: ${basename(o.file)} as given (current) and the settings tried.\n${stringifyYaml({ ...doc, variants })}`;
  const name = vm.slug;
  const out = o.out ?? join('results', name, 'advise');
  writeFilesAtomically(out, { 'advise.yaml': text });
  const sweepDir = join(out, 'sweep');
  const r = await sweepCommand({
    file: o.file, text, sets: [], variants: variants.map((v) => v.name), replications: o.replications, seed: o.seed, out: sweepDir, jobs: o.jobs, shard: o.shard,
  }, onProgress, stop);
  if (r.missing > 0) return { out, lines: [`shard done; ${r.missing} settings are elsewhere: run every shard with the same --out, then advise again without --shard (it resumes)`] };

  const manifest = readManifest(sweepDir)!;
  const points = [...readPoints(sweepDir, manifest.id).values()];
  const byName = new Map(points.map((p) => [p.variant, p.replications]));
  const current = optionOf(CURRENT, currentSetting(facts), facts.cores, byName.get(CURRENT)!);
  const options = ok.map((c) => optionOf(c.name, c.setting, c.cores, byName.get(c.name)!));
  const advice = advise(current, options, o.goal, o.within / 100, space.engines);
  const terms = (x: Option) => settingTerms(platform, x.setting, facts);
  const files: Record<string, string> = {
    'advice.json': adviceJson(advice, {
      scenario: name, source: { file: o.file, kind: platform }, replications: o.replications, notTried, sweep: 'sweep/sweep.csv', terms,
    }),
  };
  const charts = await adviceCharts(advice);
  for (const [metric, svg] of Object.entries(charts.svgs)) files[`${metric}.svg`] = svg;
  files['report.html'] = reportHtml(`vqsim advise: ${name}`, [...adviceSections(advice, terms), ...charts.sections]);
  const written = writeFilesAtomically(out, files);
  return { out, advice, lines: [...summaryLines(advice, `${name} (${platform}, ${o.file === '-' ? 'standard input' : o.file})`, terms, o), `wrote ${[join(out, 'advise.yaml'), ...written, ...r.written].join(', ')}`] };
}

const CHARTED: AdviceMetric[] = ['iops', 'lat_p99_us', 'host_cpus'];

/** IOPS, p99 and host CPUs against the I/O threads (0 = the main loop), a line per queues and engine. */
async function adviceCharts(a: Advice): Promise<{ svgs: Record<string, string>; sections: Section[] }> {
  const svgs: Record<string, string> = {};
  const sections: Section[] = [];
  for (const metric of CHARTED) {
    const spec = sweepChartSpec(['I/O threads (0 = main loop)'], a.options.map((x) => ({
      variant: `${x.setting.queues} queues, ${x.setting.aio}`, values: [String(x.setting.threads)], mean: x.figures[metric].mean, ci95: x.figures[metric].ci95,
    })), metric);
    svgs[metric] = await toSvg(spec);
    sections.push({ kind: 'chart', title: metric, spec });
  }
  return { svgs, sections };
}

function adviceSections(a: Advice, terms: (x: Option) => string[]): Section[] {
  const row = (role: string, x: Option) => ({
    role, setting: x.label, iops: Math.round(x.figures.iops.mean).toString(), lat_p99_us: x.figures.lat_p99_us.mean.toFixed(1),
    host_cpus: x.figures.host_cpus.mean.toFixed(2),
  });
  return [
    { kind: 'text', title: 'Recommendation', text: [`${a.recommended.label} (goal: ${a.goal})`, ...terms(a.recommended).map((t) => `  ${t}`), '', ...a.reasons.map((r) => `- ${r}`)].join('\n') },
    { kind: 'table', title: 'Current, recommended and best', columns: ['role', 'setting', 'iops', 'lat_p99_us', 'host_cpus'], rows: [row('current', a.current), row('recommended', a.recommended), row('best', a.best)] },
    { kind: 'table', title: 'Every setting tried', columns: ['role', 'setting', 'iops', 'lat_p99_us', 'host_cpus'], rows: a.options.map((x) => row(x.name, x)) },
  ];
}

function summaryLines(a: Advice, what: string, terms: (x: Option) => string[], o: AdviseOptions): string[] {
  const ci = (x: Option, m: AdviceMetric) => (Number.isFinite(x.figures[m].ci95) ? ` ± ${Math.round(x.figures[m].ci95 / 1000)} k` : '');
  const line = (role: string, x: Option) => `  ${role.padEnd(12)} ${x.label.padEnd(40)} ${`${Math.round(x.figures.iops.mean / 1000)} k${ci(x, 'iops')}`.padStart(14)}  ${x.figures.lat_p99_us.mean.toFixed(0).padStart(8)}  ${x.figures.host_cpus.mean.toFixed(2).padStart(9)}`;
  return [
    `${what}: goal ${a.goal}, the smallest setting within ${o.within} % of the best, ${a.options.length} settings x ${o.replications} replications`,
    a.change ? `recommended: ${a.recommended.label}; set` : `recommended: keep the current setting (${a.recommended.label})`,
    ...(a.change ? terms(a.recommended).map((t) => `  ${t}`) : []),
    ...a.reasons.map((r) => `because ${r}`),
    `  ${''.padEnd(12)} ${'setting'.padEnd(40)} ${'IOPS'.padStart(14)}  ${'p99 us'.padStart(8)}  ${'host CPUs'.padStart(9)}`,
    line('current', a.current), line('recommended', a.recommended), line('best', a.best),
  ];
}
