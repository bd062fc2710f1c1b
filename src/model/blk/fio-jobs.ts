import type { Rng } from '../../engine/random.js';
import type { Simulation } from '../../engine/simulation.js';
import { Ev } from '../events.js';
import type { RequestTable } from '../storage/requests.js';
import { guestQueues, queueOfVcpu } from './blk-mq.js';
import { depthBucket, FioJobStats } from './fio-stats.js';
import { Job } from './guest.js';
import { BlkLoad } from './load.js';
import type { BlkVmSetup } from './setup.js';

/** Room between the regions of sequential job clones, far beyond what a run reaches. */
const JOB_REGION_BYTES = 2 ** 40;

/** The size of a bssplit entry drawn with u in [0, 1). */
function splitSize(bytes: Float64Array, cum: Float64Array, u: number): number {
  let k = 0;
  while (k < bytes.length - 1 && u >= cum[k]) k++;
  return bytes[k];
}

/** The share of a job's I/Os that are reads. */
function readFractionOf(j: { rw: string; rwmixread: number }): number {
  return j.rw === 'read' || j.rw === 'randread' ? 1 : j.rw === 'write' || j.rw === 'randwrite' ? 0 : j.rwmixread / 100;
}

/** What fio's jobs need of the virtio-blk side: the clock, the request table, the guest driver that
 *  runs their threads' work on the vCPUs. */
export interface FioOwner {
  readonly sim: Simulation;
  readonly requests: RequestTable;
  readonly guest: { queueSubmit(job: Job, goesOn?: boolean): void };
}

/**
 * fio's jobs on every VM (the workload of the virtio-blk side): each job section's numjobs clones, one
 * per vCPU in turn, on the queue blk-mq maps that vCPU to; what each issues (direction, size, offset,
 * fsync), what it reaps, and when it issues again (closed loop, thinktime, rate_iops arrivals).
 * Indices are the host's.
 */
export class FioJobs {
  readonly jobs: Job[] = [];
  /** Per VM: what fio measured. */
  readonly loads: BlkLoad[];

  constructor(private readonly owner: FioOwner, vms: readonly BlkVmSetup[]) {
    const stats = (j: BlkVmSetup['jobs'][number]) => new FioJobStats(readFractionOf(j) > 0, readFractionOf(j) < 1);
    this.loads = vms.map((vm) => new BlkLoad(
      vm.jobs.map(stats),
      vm.jobs.map((j) => (j.reportAs === 'clone' && j.numjobs > 1 ? Array.from({ length: j.numjobs }, () => stats(j)) : null)),
      vm.jobs.some((j) => j.phase !== null),
    ));
  }

  private get sim(): Simulation {
    return this.owner.sim;
  }

  private get requests(): RequestTable {
    return this.owner.requests;
  }

  private get guest(): FioOwner['guest'] {
    return this.owner.guest;
  }

  /** VM v's job clones: `base` its first vCPU, `firstVq` and `firstDisk` its disks' first queue and
   *  host-wide number; `rng` a random stream by name. */
  add(vm: BlkVmSetup, v: number, base: number, firstVq: readonly number[], firstDisk: number, rng: (name: string) => Rng): void {
    let clone = 0;
    vm.jobs.forEach((j, section) => {
      const d = vm.disks[j.disk];
      const queues = guestQueues(d.numQueues, vm.vcpus);
      const readFraction = readFractionOf(j);
      for (let k = 0; k < j.numjobs; k++, clone++) {
        const vcpu = clone % vm.vcpus;
        const vq = firstVq[j.disk] + queueOfVcpu(vcpu, queues, vm.vcpus);
        const job = new Job(this.jobs.length, v, base + vcpu, vq, j.iodepth, readFraction, j.bs,
          j.rateIops > 0 ? 1e9 / j.rateIops : 0, j.rateProcess === 'poisson', j.thinktimeNs, j.batchSubmit,
          j.batchCompleteMin, j.batchCompleteMax, rng(`job:${j.name}:${k}`), this.loads[v].clones[section]?.[k] ?? this.loads[v].jobs[section]);
        job.disk = firstDisk + j.disk;
        job.name = j.name;
        job.clone = k;
        job.section = section;
        if (j.phase) Object.assign(job, j.phase);
        job.fsyncEvery = j.fsync;
        if (j.bssplit.length > 0) {
          job.splitBytes = Float64Array.from(j.bssplit, (e) => e.bytes);
          let cum = 0;
          job.splitCum = Float64Array.from(j.bssplit, (e) => (cum += e.share));
        }
        if (j.rw === 'read' || j.rw === 'write' || j.rw === 'rw') {
          // Each clone reads or writes its own region sequentially (as fio with offset_increment).
          job.sequential = true;
          job.nextOffset = clone * JOB_REGION_BYTES;
        }
        this.jobs.push(job);
      }
    });
  }

  /** fio issues one I/O of the job: returns the request. */
  issue(job: Job): number {
    job.toSubmit--;
    if (++job.inflight > job.maxInflight) job.maxInflight = job.inflight;
    const load = this.loads[job.vm];
    load.inFlight.track(1, this.sim.now);
    job.inFlight.track(1, this.sim.now);
    load.issuedTotal++;
    job.stats.depth[depthBucket(job.inflight)]++;
    if (job.lastWasWrite && job.fsyncEvery > 0 && job.writesIssued % job.fsyncEvery === 0) {
      // fio's get_rw_ddir: right after a write that makes the writes a multiple of fsync, a DDIR_SYNC
      // (libaio: IOCB_CMD_FSYNC), an I/O of the job's iodepth like any other.
      job.lastWasWrite = false;
      const f = this.requests.alloc(job.index, job.vq, false, this.sim.now);
      this.requests.flush[f] = 1;
      this.requests.disk[f] = job.disk;
      this.requests.bytes[f] = 0;
      return f;
    }
    const write = job.readFraction >= 1 ? false : job.readFraction <= 0 ? true : job.rng() >= job.readFraction;
    job.lastWasWrite = write;
    if (write) job.writesIssued++;
    const r = this.requests.alloc(job.index, job.vq, write, this.sim.now);
    this.requests.disk[r] = job.disk;
    const bytes = job.splitBytes === null ? job.bytes : splitSize(job.splitBytes, job.splitCum!, job.rng());
    this.requests.bytes[r] = bytes;
    if (job.sequential) {
      this.requests.offset[r] = job.nextOffset;
      job.nextOffset += bytes;
    }
    return r;
  }

  /**
   * fio reaps n completed I/Os of the job (io_getevents) and refills its iodepth. A job whose runtime
   * is over only drains: the VM's figures count its last I/Os, its own are closed, and nothing is
   * issued again (fio waits for its in-flight I/O as its runtime ends).
   */
  reap(job: Job, n: number): void {
    const now = this.sim.now, req = this.requests, load = this.loads[job.vm], own = !job.stopped;
    for (let i = 0; i < n; i++) {
      const r = job.done.shift();
      if (load.all) (req.flush[r] ? load.allSync! : load.all).record(now - req.issued[r]);
      if (req.flush[r]) {
        if (own) {
          job.stats.sync.record(now - req.issued[r]);
          job.stats.syncs++;
        }
        load.syncs++;
      } else {
        if (own) job.stats.dirs[req.write[r]].record(now, req.issued[r], req.submitted[r], req.bytes[r]);
        load.ios++;
        if (!req.write[r]) load.reads++;
        load.bytes += req.bytes[r];
      }
      if (own) {
        const lat = now - req.issued[r];
        job.latSumNs += lat;
        job.latSqSumNs += lat * lat;
      }
      req.release(r);
    }
    job.inflight -= n;
    load.reapedTotal += n;
    load.inFlight.track(-n, now);
    if (!own) return;
    job.completions += n;
    job.inFlight.track(-n, now);
    if (job.arrivalGap === 0) {
      if (job.thinkNs > 0) {
        this.sim.after(job.thinkNs, Ev.JobThinkEnd, job.index, n);
        return;
      }
      job.toSubmit += n;
    } else {
      const take = Math.min(job.backlog, n);
      job.backlog -= take;
      job.toSubmit += take;
    }
    if (job.toSubmit > 0) this.guest.queueSubmit(job, true);
  }

  /** The next open-loop (rate_iops) arrival of the job. */
  onArrival(job: Job): void {
    if (job.stopped) return;
    if (job.inflight + job.toSubmit < job.iodepth) {
      job.toSubmit++;
      this.guest.queueSubmit(job);
    } else {
      job.backlog++;
    }
    this.sim.after(this.arrivalGap(job), Ev.JobArrival, job.index, 0);
  }

  /** fio's thinktime is over: the n slots it held are issued again. */
  onThinkEnd(job: Job, n: number): void {
    if (job.stopped) return;
    job.toSubmit += n;
    this.guest.queueSubmit(job);
  }

  private arrivalGap(job: Job): number {
    return job.poissonArrivals ? -job.arrivalGap * Math.log(1 - job.rng()) : job.arrivalGap;
  }

  /**
   * The jobs start: a closed loop issues its iodepth, an open loop waits for its first arrival. A job
   * of a later phase starts at its time, one whose ramp ends after the run's warmup restarts its
   * statistics then, one that ends before the run stops then (fio's startdelay, stonewall, wait_for,
   * ramp_time and runtime per job).
   */
  start(warmupNs: number, endNs: number): void {
    for (const job of this.jobs) {
      if (job.startNs > 0) this.sim.at(job.startNs, Ev.JobStart, job.index, 0);
      else this.begin(job);
      if (job.measureNs > warmupNs) this.sim.at(job.measureNs, Ev.JobMeasure, job.index, 0);
      if (job.stopNs < endNs) this.sim.at(job.stopNs, Ev.JobStop, job.index, 0);
    }
  }

  begin(job: Job): void {
    if (job.arrivalGap > 0) {
      this.sim.after(job.poissonArrivals ? this.arrivalGap(job) : 0, Ev.JobArrival, job.index, 0);
    } else {
      job.toSubmit = job.iodepth;
      this.guest.queueSubmit(job);
    }
  }

  /** The job's ramp is over: its own figures (and its job's, with its first clone) start. */
  onMeasure(job: Job): void {
    const now = this.sim.now, load = this.loads[job.vm];
    job.completions = job.latSumNs = job.latSqSumNs = 0;
    job.inFlight.reset(now);
    if (job.clone === 0) load.jobs[job.section].reset(now);
    load.clones[job.section]?.[job.clone].reset(now);
  }

  /** The job's runtime is over: it issues nothing more and its figures close. */
  onStop(job: Job): void {
    const now = this.sim.now;
    job.stopped = true;
    job.toSubmit = job.backlog = 0;
    job.inFlight.track(0, now);
    job.stats.finish(now);
  }

  /** The measurement window starts. */
  resetStats(now: number): void {
    for (const l of this.loads) l.reset(now);
    for (const j of this.jobs) { j.completions = j.latSumNs = j.latSqSumNs = 0; j.inFlight.reset(now); }
  }
}
