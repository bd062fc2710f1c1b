/** Polling before a vCPU sleeps: KVM's halt polling on the host, or cpuidle-haltpoll in the guest. */
export interface HaltPollParams {
  /** Upper bound of the window; 0 = no polling. */
  maxNs: number;
  grow: number;
  growStart: number;
  /** 0 = drop to 0. */
  shrink: number;
  /** Each vCPU's window grows and shrinks (KVM since Linux 4.3, aca6ff29c406 "KVM: dynamic halt-polling";
   *  the guest's driver always); false: every halt polls the whole maxNs (Linux 4.0-4.2). */
  adaptive: boolean;
  /** KVM stops polling when another task is runnable on the CPU (kvm_vcpu_can_poll's
   *  single_task_running()); the guest cannot see the host's run queue and keeps polling. */
  yieldsToRunnable: boolean;
  /** KVM polls in the host, after the guest's HLT has exited to it (kvm_emulate_halt -> kvm_vcpu_halt):
   *  work found there still needs the VM entry back into the guest, and the exit before it. The guest's
   *  driver polls in guest mode before it executes HLT, so a hit costs no exit: the reason it exists
   *  (Documentation/virt/guest-halt-polling.rst). */
  pollsInHost: boolean;
}

/** KVM x86 defaults (virt/kvm/kvm_main.c: halt_poll_ns 200000, grow 2, grow_start 10000); the shrink
 *  default depends on the host kernel (versions.ts: 2 since Linux 6.11, 0 before). */
export const KVM_HALT_POLL: HaltPollParams = { maxNs: 200_000, grow: 2, growStart: 10_000, shrink: 2, adaptive: true, yieldsToRunnable: true, pollsInHost: true };

/** Guest cpuidle-haltpoll defaults (drivers/cpuidle/governors/haltpoll.c: guest_halt_poll_ns 200000,
 *  grow 2, grow_start 50000, shrink 2). Loading it disables KVM's host-side polling (MSR_KVM_POLL_CONTROL). */
export const GUEST_HALTPOLL: HaltPollParams = { maxNs: 200_000, grow: 2, growStart: 50_000, shrink: 2, adaptive: true, yieldsToRunnable: false, pollsInHost: false };

/** A vCPU's first window: an adaptive one starts at 0 and grows from grow_start. */
export const firstHaltPollNs = (p: HaltPollParams) => (p.adaptive ? 0 : p.maxNs);

/**
 * The next window after a halt that lasted haltNs (polling included), as kvm_vcpu_halt with
 * grow_halt_poll_ns/shrink_halt_poll_ns and the haltpoll governor's adjust_poll_limit do: a halt the
 * window covered changes nothing; a halt longer than the maximum shrinks it (below grow_start: to 0);
 * a shorter one grows it (x grow, at least grow_start, at most the maximum). A fixed window stays the maximum.
 */
export function adjustHaltPollNs(pollNs: number, haltNs: number, p: HaltPollParams): number {
  if (!p.adaptive) return p.maxNs;
  if (p.maxNs === 0) return 0;
  if (haltNs <= pollNs) return pollNs;
  if (haltNs > p.maxNs) {
    if (pollNs === 0) return 0;
    const v = p.shrink ? Math.floor(pollNs / p.shrink) : 0;
    return v < p.growStart ? 0 : v;
  }
  if (pollNs < p.maxNs && haltNs < p.maxNs) return Math.min(Math.max(pollNs * p.grow, p.growStart), p.maxNs);
  return pollNs;
}
