import type { LinkSettings } from './link/capped-proxy';
import type { SizeResult } from './scenarios/large-transfers';
import type { RoundTripResult } from './scenarios/round-trip';
import type { SmallOpsModeResult } from './scenarios/small-ops';
import { summarize, type Summary } from './stats';
import { libraryRatio } from './targets';
import { VARIANT } from './transfers/variants';
import { formatBytes } from './units';

/** One ratio of issue 14 ("Transfers close to the machine's limit"), with its target if any. */
export interface Issue14Ratio {
  /** Where it was measured: `loopback`, `capped link`, `small ops`. */
  group: string;
  /** What is divided by what. */
  ratio: string;
  /** The ratio's median and range over the repetitions; undefined when not measured. */
  value: Summary | undefined;
  /** The target: at least this; undefined for a ratio shown for information. */
  atLeast?: number;
  /** Met, missed, or undefined (no target, or not measured). */
  met?: boolean;
}

/** The memory target of issue 14: the round trip's peak RSS against boto3's. */
export interface Issue14Memory {
  target: string;
  measured: string;
  met: boolean | undefined;
}

/** Everything issue 14 asks the bench for. */
export interface Issue14Report {
  ratios: Issue14Ratio[];
  memory: Issue14Memory;
}

/** How many connections the library uses: its part size and concurrencies (its defaults). */
export interface LibraryPlan {
  partSizeBytes: number;
  uploadConcurrency: number;
  downloadConcurrency: number;
}

/** The round trip's peak RSS may exceed boto3's by this much, in MiB. */
export const RSS_MARGIN_MIB = 32;

function entry(
  group: string,
  ratio: string,
  value: Summary | undefined,
  atLeast?: number,
): Issue14Ratio {
  const met = atLeast === undefined || !value ? undefined : value.median >= atLeast;
  return { group, ratio, value, ...(atLeast === undefined ? {} : { atLeast }), met };
}

const NAME = { upload: 'uploadFile', download: 'downloadFile' } as const;

function loopbackRatios(sizes: SizeResult[]): Issue14Ratio[] {
  const out: Issue14Ratio[] = [];
  for (const size of sizes) {
    const label = formatBytes(size.bytes);
    const vs = (direction: 'upload' | 'download', other: string, atLeast?: number) =>
      entry(
        'loopback',
        `${NAME[direction]} ${label} / ${other}`,
        libraryRatio(size, direction, other),
        atLeast,
      );
    out.push(
      vs('download', VARIANT.curl, 0.9),
      vs('download', VARIANT.boto3, 1.3),
      vs('download', VARIANT.curlParallel),
      vs('download', VARIANT.minio),
      vs('upload', VARIANT.curl, 0.9),
      vs('upload', VARIANT.boto3, 1.2),
      vs('upload', VARIANT.minio),
      vs('download', VARIANT.libraryUnchecked),
      vs('upload', VARIANT.libraryUnchecked),
    );
  }
  return out;
}

/**
 * The sum of the per-connection caps that `connections` connections can reach on an object of
 * `bytes` cut in parts of `partSizeBytes`: no more connections than parts.
 */
function capsSum(link: LinkSettings, connections: number, bytes: number, partSize: number) {
  return Math.min(connections, Math.ceil(bytes / partSize)) * link.mibPerSec;
}

function cappedRatios(sizes: SizeResult[], link: LinkSettings, plan: LibraryPlan): Issue14Ratio[] {
  const out: Issue14Ratio[] = [];
  for (const size of sizes) {
    const label = formatBytes(size.bytes);
    for (const direction of ['download', 'upload'] as const) {
      const results = size[direction];
      const concurrency =
        direction === 'upload' ? plan.uploadConcurrency : plan.downloadConcurrency;
      const caps = capsSum(link, concurrency, size.bytes, plan.partSizeBytes);
      const speed = (name: string) => (name in results ? results[name].mibPerSec : undefined);
      const library = speed(VARIANT.library);
      const oneStream = speed(VARIANT.curl);
      out.push(
        entry(
          'capped link',
          `${NAME[direction]} ${label} / boto3`,
          libraryRatio(size, direction, VARIANT.boto3),
          1.2,
        ),
        entry(
          'capped link',
          `${NAME[direction]} ${label} / sum of caps (${Math.round(caps / link.mibPerSec)} x ${link.mibPerSec} MiB/s)`,
          library && summarize(library.samples.map((v) => v / caps)),
          0.85,
        ),
        entry(
          'capped link',
          `${NAME[direction]} ${label} / ${VARIANT.libraryUnchecked}: the checksums' cost`,
          libraryRatio(size, direction, VARIANT.libraryUnchecked),
        ),
        entry(
          'capped link',
          `curl 1 stream ${direction} ${label} / one cap (${link.mibPerSec} MiB/s): the link's check`,
          oneStream && summarize(oneStream.samples.map((v) => v / link.mibPerSec)),
        ),
      );
    }
  }
  return out;
}

function smallOpsRatios(modes: SmallOpsModeResult[]): Issue14Ratio[] {
  return modes.flatMap((mode) =>
    Object.entries(mode.ops).flatMap(([op, r]) => [
      entry('small ops', `${op} ${mode.mode.name}: BucketService / raw SDK`, r.ratio, 0.97),
      entry('small ops', `${op} ${mode.mode.name}: BucketService / boto3`, r.boto3Ratio, 1.5),
      entry('small ops', `${op} ${mode.mode.name}: BucketService / raw HTTP`, r.httpRatio),
      entry('small ops', `${op} ${mode.mode.name}: raw SDK / boto3`, r.rawBoto3Ratio),
      entry(
        'small ops',
        `${op} ${mode.mode.name}: raw HTTP / boto3 (the server's ceiling against boto3)`,
        r.httpBoto3Ratio,
      ),
    ]),
  );
}

function memoryCheck(roundTrip: RoundTripResult): Issue14Memory {
  const label = formatBytes(roundTrip.bytes);
  const target = `${label} round trip: nest-bucket peak RSS <= boto3's + ${RSS_MARGIN_MIB} MiB`;
  const library = roundTrip.library.peakMiB.max;
  const boto3 = roundTrip.boto3?.peakMiB.max;
  if (boto3 === undefined) {
    return { target, measured: `${library.toFixed(0)} MiB, boto3 not measured`, met: undefined };
  }
  const sdk = roundTrip.sdk ? `; raw SDK ${roundTrip.sdk.peakMiB.max.toFixed(0)}` : '';
  const bare = roundTrip.bareNodeMiB
    ? `; Node loading nothing ${roundTrip.bareNodeMiB.median.toFixed(0)}`
    : '';
  return {
    target,
    measured: `${library.toFixed(0)} vs ${boto3.toFixed(0)} MiB (worst of each${sdk}${bare})`,
    met: library <= boto3 + RSS_MARGIN_MIB,
  };
}

/**
 * The ratios and targets of issue 14, from a run's figures: loopback transfers against one curl
 * stream, curl's parallel ranges, boto3 and minio; capped-link transfers against boto3 and the sum
 * of the per-connection caps; small operations against the raw SDK and boto3; the round trip's
 * peak RSS against boto3's. A missed target is recorded, never thrown.
 *
 * @param figures - the run's figures
 * @param figures.loopback - large transfers on loopback
 * @param figures.capped - large transfers through the capped link
 * @param figures.link - the link's settings
 * @param figures.plan - the library's part size and concurrencies
 * @param figures.smallOps - small operations
 * @param figures.roundTrip - the round trip's memory
 */
export function issue14Report(figures: {
  loopback: SizeResult[];
  capped: SizeResult[];
  link: LinkSettings;
  plan: LibraryPlan;
  smallOps: SmallOpsModeResult[];
  roundTrip: RoundTripResult;
}): Issue14Report {
  return {
    ratios: [
      ...loopbackRatios(figures.loopback),
      ...cappedRatios(figures.capped, figures.link, figures.plan),
      ...smallOpsRatios(figures.smallOps),
    ],
    memory: memoryCheck(figures.roundTrip),
  };
}
