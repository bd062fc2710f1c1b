import type { Costs } from '../costs.js';
import type { Behaviour } from '../versions.js';
import type { NetConfig } from './config.js';

/** What the virtio-net side of a host is built from (the model's config, narrowed). */
export interface NetSetup {
  seed: number;
  pointKey: string;
  replication: number;
  costs: Readonly<Costs>;
  behaviour: Behaviour;
  /** The host's physical NIC, when every VM's traffic shares one: its line rate each way (bits/s). */
  uplink: { lineRateBps: number } | null;
  vms: readonly { streams: string; vcpus: number; net: NetConfig | null }[];
}
