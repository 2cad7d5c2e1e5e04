import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { LinkConfig } from './config';
import type { Issue14Report } from './issue14';
import type { MachineInfo } from './machine';
import type { CopyConfig, CopyResult } from './scenarios/copy';
import type { ListingResult, ListingConfig } from './scenarios/listing';
import type { LargeTransfersConfig, SizeResult } from './scenarios/large-transfers';
import type { RoundTripConfig, RoundTripResult } from './scenarios/round-trip';
import type { SmallOpsConfig, SmallOpsModeResult } from './scenarios/small-ops';
import type { TelemetryResult } from './scenarios/telemetry';
import type { TargetCheck } from './targets';
import type { RawHttpPlan } from './transfers/raw-http';

/** Everything one run measured: what `bench/results/latest.json` holds. */
export interface BenchResults {
  date: string;
  durationSeconds: number;
  machine: MachineInfo;
  server: { description: string; endpoint: string };
  /** The library's options (its defaults) during the run. */
  libraryOptions: Record<string, unknown>;
  config: {
    smallOps: SmallOpsConfig;
    largeTransfers: LargeTransfersConfig;
    listing: ListingConfig;
    copy: CopyConfig;
    rawHttp: RawHttpPlan;
    link: LinkConfig;
    roundTrip: RoundTripConfig;
    /** Where each timed run of a Node transfer variant ran (`BENCH_IN_PROCESS`). */
    nodeVariantsIn: 'the bench process' | 'a fresh process each';
  };
  boto3: { available: boolean; note: string; versions?: Record<string, string> };
  /** Debian's curl: its version, and the start-up time subtracted from each curl run. */
  curl: { version: string; startupMs: number };
  /** The `minio` npm client's version. */
  minio: { version: string };
  smallOps: SmallOpsModeResult[];
  largeTransfers: SizeResult[];
  /** The same transfers through the capped link. */
  cappedLink: { description: string; transfers: SizeResult[] };
  /** Peak RSS of a round trip, nest-bucket against boto3. */
  roundTrip: RoundTripResult;
  listing: ListingResult;
  copy: CopyResult;
  targets: TargetCheck[];
  /** The ratios and targets of issue 14. */
  issue14: Issue14Report;
  /** The cost of the OpenTelemetry instrumentation on small operations (issue 16). */
  telemetry: TelemetryResult;
}

/** Rounds every number to 4 significant digits, to keep the file readable. */
function rounded(_key: string, value: unknown): unknown {
  return typeof value === 'number' && Number.isFinite(value) && !Number.isInteger(value)
    ? Number(value.toPrecision(4))
    : value;
}

/**
 * Writes the figures as JSON.
 *
 * @param path - the file
 * @param results - the figures
 */
export async function writeResults(path: string, results: BenchResults): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify(results, rounded, 2)}\n`);
}
