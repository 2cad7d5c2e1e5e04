import { readFileSync } from 'node:fs';

/** The machine's CPU time counters (`/proc/stat`'s `cpu` line), in ticks. */
export interface CpuTicks {
  total: number;
  idle: number;
}

/** The machine's CPU counters now, or `undefined` where `/proc/stat` does not exist. */
export function cpuTicks(): CpuTicks | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
    const fields = line.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal (guest time is counted in user already).
    const [user, nice, system, idle, iowait, irq, softirq, steal] = fields;
    const busy = user + nice + system + irq + softirq + steal;
    return { total: busy + idle + iowait, idle: idle + iowait };
  } catch {
    return undefined;
  }
}

/**
 * Which share of all the machine's CPUs was busy between two samples (0 to 1): client, server
 * and kernel together. Near 1, a transfer on this machine is bound by CPU, whoever uses it.
 */
export function busyShare(before: CpuTicks | undefined, after: CpuTicks | undefined): number {
  if (!before || !after || after.total <= before.total) return Number.NaN;
  return 1 - (after.idle - before.idle) / (after.total - before.total);
}
