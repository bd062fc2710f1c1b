import { Vm } from '../model/vm.js';
import { loadScenario } from '../scenario/load.js';

/** Child process of the bench: simulates a scenario's first variant for N seconds, prints peak RSS (KiB). */
const [file, simSeconds] = process.argv.slice(2);
const cfg = loadScenario(file).points[0].config(0);
if (cfg.kind !== 'blk') throw new Error(`${file} is not a virtio-blk scenario`);
new Vm({ ...cfg, durationNs: Number(simSeconds) * 1e9 }).run();
console.log(process.resourceUsage().maxRSS);
