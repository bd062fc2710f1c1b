import { Vm } from '../model/vm.js';
import { loadScenario } from '../scenario/load.js';

/** Child process of the bench: simulates a scenario's first variant for N seconds, prints peak RSS (KiB). */
const [file, simSeconds] = process.argv.slice(2);
const point = loadScenario(file).points[0];
new Vm({ ...point.config(0), durationNs: Number(simSeconds) * 1e9 }).run();
console.log(process.resourceUsage().maxRSS);
