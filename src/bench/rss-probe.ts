import { Host } from '../model/host.js';
import { loadScenario } from '../scenario/load.js';

/** Child process of the bench: simulates a scenario's first variant for N seconds, prints peak RSS (KiB). */
const [file, simSeconds] = process.argv.slice(2);
const cfg = loadScenario(file).points[0].config(0);
new Host({ ...cfg, durationNs: Number(simSeconds) * 1e9 }).run();
console.log(process.resourceUsage().maxRSS);
