import type { LinkSettings } from './link/capped-proxy';
import type { CopyConfig } from './scenarios/copy';
import type { ListingConfig } from './scenarios/listing';
import type { RoundTripConfig } from './scenarios/round-trip';
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
  /** The capped link and the transfers measured through it. */
  link: LinkConfig;
  /** The round trip (upload then download) whose peak RSS is compared with boto3's. */
  roundTrip: RoundTripConfig;
}

/** The capped link: its settings (`BENCH_LINK_MIBPS`, `BENCH_LINK_DELAY_MS`) and its transfers. */
export interface LinkConfig extends LinkSettings {
  transfers: LargeTransfersConfig;
}

/** The capped link's defaults: 40 MiB/s per connection and direction, 20 ms per answer. */
const DEFAULT_LINK: LinkSettings = { mibPerSec: 40, delayMs: 20 };

/**
 * A positive number from the environment, or `fallback` when unset.
 *
 * @param name - the variable
 * @param fallback - its default
 * @param allowZero - whether 0 is valid
 */
function envNumber(name: string, fallback: number, allowZero: boolean): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0 || (value === 0 && !allowZero)) {
    throw new Error(`${name}=${text}: must be a ${allowZero ? 'non-negative' : 'positive'} number`);
  }
  return value;
}

/** The full run: about 30 minutes on 2 cores, depending on what else runs there. */
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
      // Issue 14's targets are medians of at least 5 interleaved rounds.
      { bytes: GIB, repetitions: 5 },
    ],
    warmupBytes: 32 * MIB,
    extraReferencesUpToBytes: 256 * MIB,
    probeMemory: true,
  },
  listing: { keys: 10_000, createInFlight: 64, repetitions: 8 },
  copy: { objectBytes: 256 * MIB, partSizesBytes: [8 * MIB, 64 * MIB], repetitions: 5 },
  rawHttp: { partSizeBytes: 8 * MIB, concurrency: 8, transport: 'node:http' },
  link: {
    ...DEFAULT_LINK,
    // One stream at 40 MiB/s moves 256 MiB in 6.4 s: bigger sizes would cost minutes. No warm-up
    // round: the loopback runs just warmed the server, and each Node variant warms up in its
    // fresh process.
    transfers: {
      sizes: [{ bytes: 256 * MIB, repetitions: 5 }],
      warmupBytes: 0,
      extraReferencesUpToBytes: 0,
      probeMemory: false,
    },
  },
  roundTrip: { bytes: GIB, repetitions: 5 },
};

/** A smoke run of the same code in about two minutes (`BENCH_QUICK=1`); its figures mean little. */
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
    sizes: [{ bytes: 32 * MIB, repetitions: 1 }],
    warmupBytes: 16 * MIB,
    extraReferencesUpToBytes: 32 * MIB,
    probeMemory: true,
  },
  listing: { keys: 1500, createInFlight: 64, repetitions: 1 },
  copy: { objectBytes: 32 * MIB, partSizesBytes: [8 * MIB], repetitions: 1 },
  rawHttp: FULL.rawHttp,
  link: {
    ...DEFAULT_LINK,
    transfers: {
      sizes: [{ bytes: 32 * MIB, repetitions: 1 }],
      warmupBytes: 0,
      extraReferencesUpToBytes: 0,
      probeMemory: false,
    },
  },
  roundTrip: { bytes: 32 * MIB, repetitions: 1 },
};

/**
 * The settings of this run: the full run, or the smoke run when `BENCH_QUICK=1`; the capped
 * link's cap from `BENCH_LINK_MIBPS` (MiB/s per connection and direction, default 40) and its
 * first-byte delay from `BENCH_LINK_DELAY_MS` (default 20).
 */
export function benchConfig(): BenchConfig {
  const base = process.env.BENCH_QUICK === '1' ? QUICK : FULL;
  return {
    ...base,
    link: {
      ...base.link,
      mibPerSec: envNumber('BENCH_LINK_MIBPS', DEFAULT_LINK.mibPerSec, false),
      delayMs: envNumber('BENCH_LINK_DELAY_MS', DEFAULT_LINK.delayMs, true),
    },
  };
}
