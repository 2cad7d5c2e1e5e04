import { readFileSync, writeFileSync } from 'node:fs';
import { MIB } from './units';

/** The process's resident memory around one measurement, in MiB. */
export interface RssGrowth {
  /** RSS just before, after a garbage collection. */
  beforeMiB: number;
  /** The highest RSS seen during the measurement. */
  peakMiB: number;
  /** `peak - before`: what the measured operation cost. */
  growthMiB: number;
}

const SAMPLE_MS = 20;

/** Forces a full garbage collection when node runs with `--expose-gc`. */
export function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** Resets the kernel's peak-RSS counter (VmHWM) of this process; false where unsupported. */
function resetPeak(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

/** VmHWM, the kernel's peak RSS since the last reset, in bytes; 0 where unsupported. */
function kernelPeak(): number {
  try {
    const match = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return match?.[1] ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/**
 * Runs `work` and reports the process's RSS growth: the peak during `work` minus the RSS before.
 * The peak is the highest of a 20 ms sampling of `process.memoryUsage.rss()` and, on Linux,
 * the kernel's VmHWM reset just before (which misses no short spike).
 *
 * @param work - the measured operation
 */
export async function measureRss<T>(
  work: () => Promise<T>,
): Promise<{ result: T; rss: RssGrowth }> {
  collectGarbage();
  const before = process.memoryUsage.rss();
  const hasKernelPeak = resetPeak();
  let peak = before;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, SAMPLE_MS);
  try {
    const result = await work();
    peak = Math.max(peak, process.memoryUsage.rss(), hasKernelPeak ? kernelPeak() : 0);
    return {
      result,
      rss: { beforeMiB: before / MIB, peakMiB: peak / MIB, growthMiB: (peak - before) / MIB },
    };
  } finally {
    clearInterval(timer);
  }
}
