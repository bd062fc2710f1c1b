import { Host } from '../model/host.js';
import { loadScenario } from '../scenario/load.js';

/** Child process of the bench and the profiler: simulates a scenario's variant (default its first),
 *  for N seconds (default the scenario's duration), and prints its peak RSS (KiB). */
const [file, simSeconds, variant] = process.argv.slice(2);
const cfg = loadScenario(file, { variants: variant ? [variant] : [] }).points[0].config(0);
new Host(simSeconds ? { ...cfg, durationNs: Number(simSeconds) * 1e9 } : cfg).run();
console.log(process.resourceUsage().maxRSS);
