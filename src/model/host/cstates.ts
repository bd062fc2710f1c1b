/** One idle state of a host core: how long leaving it takes, and the idle time it pays off after. */
export interface CState {
  exitNs: number;
  residencyNs: number;
}

/**
 * The idle states intel_idle gives server parts (drivers/idle/intel_idle.c, exit_latency and
 * target_residency in us), shallowest first. On these parts (use_acpi) a state the BIOS leaves out of
 * ACPI _CST is off: a BIOS profile for latency keeps only C1, and `none` is C-states off altogether.
 */
export const CSTATE_TABLES = {
  /** No idle state costs anything to leave: idle=poll, or a host tuned for latency
   *  (tuned latency-performance, cpu_dma_latency 0). */
  none: [],
  /** Haswell-EP (hsw_cstates: C1, C1E, C3, C6). */
  hsx: [{ exitNs: 2e3, residencyNs: 2e3 }, { exitNs: 10e3, residencyNs: 20e3 }, { exitNs: 33e3, residencyNs: 100e3 }, { exitNs: 133e3, residencyNs: 400e3 }],
  /** Skylake-SP and Cascade Lake (skx_cstates: C1, C1E, C6). */
  skx: [{ exitNs: 2e3, residencyNs: 2e3 }, { exitNs: 10e3, residencyNs: 20e3 }, { exitNs: 133e3, residencyNs: 600e3 }],
  /** Ice Lake-SP (icx_cstates: C1, C1E, C6). */
  icx: [{ exitNs: 1e3, residencyNs: 1e3 }, { exitNs: 4e3, residencyNs: 4e3 }, { exitNs: 128e3, residencyNs: 384e3 }],
  /** Sapphire and Emerald Rapids (spr_cstates: C1, C1E, C6). */
  spr: [{ exitNs: 1e3, residencyNs: 1e3 }, { exitNs: 2e3, residencyNs: 4e3 }, { exitNs: 290e3, residencyNs: 800e3 }],
} as const satisfies Record<string, readonly CState[]>;

export type CStateTable = keyof typeof CSTATE_TABLES;

/** A host's idle states when its scenario does not say. */
export const DEFAULT_CSTATES: CStateTable = 'none';

/**
 * What waking a core idle for `idleNs` costs: the exit latency of the deepest state whose target
 * residency the idle period reached. The cpuidle governor (menu, teo) picks the state from the idle
 * time it predicts; for the regular gaps of an I/O loop its prediction is the gap itself.
 */
export function exitLatencyNs(states: readonly CState[], idleNs: number): number {
  let exit = 0;
  for (const s of states) {
    if (idleNs < s.residencyNs) break;
    exit = s.exitNs;
  }
  return exit;
}

/** A scenario's `host.cstates`: a table's name or its own list (ns). */
export function cstatesOf(spec: CStateTable | readonly { exit: number; residency: number }[]): readonly CState[] {
  return typeof spec === 'string' ? CSTATE_TABLES[spec] : spec.map((s) => ({ exitNs: s.exit, residencyNs: s.residency }));
}
