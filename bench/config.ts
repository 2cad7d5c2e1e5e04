import type { CopyConfig } from './scenarios/copy';
import type { ListingConfig } from './scenarios/listing';
import type { LargeTransfersConfig } from './scenarios/large-transfers';
import type { SmallOpsConfig } from './scenarios/small-ops';
import type { RawHttpPlan } from './transfers/raw-http';
import { GIB, KIB, MIB } from './units';

/** Every setting of a run. */
export interface BenchConfig {
  smallOps: SmallOpsConfig;
  largeTransfers: LargeTransfersConfig;
  listing: ListingConfig;
  copy: CopyConfig;
  rawHttp: RawHttpPlan;
}

/** The full run: 8 to 12 minutes on 2 cores, depending on what else runs there. */
const FULL: BenchConfig = {
  smallOps: {
    objectBytes: KIB,
    modes: [
      { name: 'sequential', inFlight: 1, opsPerBatch: 40 },
      { name: '32 in flight', inFlight: 32, opsPerBatch: 192 },
    ],
    repetitions: 25,
  },
  largeTransfers: {
    sizes: [
      { bytes: 256 * MIB, repetitions: 5 },
      { bytes: GIB, repetitions: 3 },
    ],
    warmupBytes: 32 * MIB,
    extraReferencesUpToBytes: 256 * MIB,
  },
  listing: { keys: 10_000, createInFlight: 64, repetitions: 8 },
  copy: { objectBytes: 256 * MIB, partSizesBytes: [8 * MIB, 64 * MIB], repetitions: 5 },
  rawHttp: { partSizeBytes: 8 * MIB, concurrency: 8, transport: 'node:http' },
};

/** A smoke run of the same code in about a minute (`BENCH_QUICK=1`); its figures mean little. */
const QUICK: BenchConfig = {
  smallOps: {
    objectBytes: KIB,
    modes: [
      { name: 'sequential', inFlight: 1, opsPerBatch: 20 },
      { name: '32 in flight', inFlight: 32, opsPerBatch: 64 },
    ],
    repetitions: 2,
  },
  largeTransfers: {
    sizes: [
      { bytes: 32 * MIB, repetitions: 1 },
      { bytes: 64 * MIB, repetitions: 1 },
    ],
    warmupBytes: 16 * MIB,
    extraReferencesUpToBytes: 32 * MIB,
  },
  listing: { keys: 1500, createInFlight: 64, repetitions: 1 },
  copy: { objectBytes: 32 * MIB, partSizesBytes: [8 * MIB], repetitions: 1 },
  rawHttp: FULL.rawHttp,
};

/** The settings of this run: the full run, or the smoke run when `BENCH_QUICK=1`. */
export function benchConfig(): BenchConfig {
  return process.env.BENCH_QUICK === '1' ? QUICK : FULL;
}
