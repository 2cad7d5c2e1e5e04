import type { ListingResult } from './scenarios/listing';
import type { SizeResult } from './scenarios/large-transfers';
import type { SmallOpsModeResult } from './scenarios/small-ops';
import { pairedRatio, type Summary } from './stats';
import { VARIANT } from './transfers/variants';
import { formatBytes } from './units';

/** One target of issue 4, checked against the figures. */
export interface TargetCheck {
  target: string;
  /** The measured figure, as text. */
  measured: string;
  /** Met, missed, or `undefined` when it could not be measured. */
  met: boolean | undefined;
}

/** The largest RSS growth that counts as "independent of file size", in MiB. */
export const SIZE_INDEPENDENCE_MIB = 32;
/** The RSS growth limit during a 1 GiB transfer, in MiB. */
export const RSS_LIMIT_MIB = 128;

function ratioCheck(target: string, ratio: Summary | undefined, atLeast: number): TargetCheck {
  if (!ratio) return { target, measured: 'not measured', met: undefined };
  return {
    target,
    measured: `${ratio.median.toFixed(2)}x [${ratio.min.toFixed(2)}-${ratio.max.toFixed(2)}]`,
    met: ratio.median >= atLeast,
  };
}

/**
 * The ratio of the library's speed to another variant's, paired by repetition.
 *
 * @param size - the figures of one size
 * @param direction - upload or download
 * @param other - the other variant's name
 */
export function libraryRatio(
  size: SizeResult,
  direction: 'upload' | 'download',
  other: string,
): Summary | undefined {
  const results = size[direction];
  if (!(VARIANT.library in results) || !(other in results)) return undefined;
  return pairedRatio(results[VARIANT.library].mibPerSec, results[other].mibPerSec);
}

/**
 * Checks every target of issue 4 (plus "beat boto3" and "listing costs nothing").
 *
 * @param small - small-operation figures
 * @param large - large-transfer figures, smallest size first
 * @param listing - listing figures
 */
export function checkTargets(
  small: SmallOpsModeResult[],
  large: SizeResult[],
  listing: ListingResult,
): TargetCheck[] {
  const checks: TargetCheck[] = [];
  for (const mode of small) {
    for (const [op, result] of Object.entries(mode.ops)) {
      checks.push(
        ratioCheck(`${op} ${mode.mode.name}: BucketService >= 0.95x raw SDK`, result.ratio, 0.95),
      );
    }
  }
  checks.push(ratioCheck('listFiles >= 0.95x raw ListObjectsV2 paging', listing.ratio, 0.95));
  const first = large.at(0);
  if (first) {
    checks.push(
      ratioCheck(
        `downloadFile ${formatBytes(first.bytes)} >= 1.5x one streamed GetObject`,
        libraryRatio(first, 'download', VARIANT.sdk),
        1.5,
      ),
    );
  }
  for (const size of large) {
    const label = formatBytes(size.bytes);
    checks.push(
      ratioCheck(
        `uploadFile ${label} >= 1.0x lib-storage Upload (defaults)`,
        libraryRatio(size, 'upload', VARIANT.sdk),
        1,
      ),
      ratioCheck(
        `uploadFile ${label} >= 0.8x raw HTTP PUT`,
        libraryRatio(size, 'upload', VARIANT.http),
        0.8,
      ),
      ratioCheck(
        `downloadFile ${label} >= 0.8x raw HTTP GET`,
        libraryRatio(size, 'download', VARIANT.http),
        0.8,
      ),
      ratioCheck(
        `uploadFile ${label} >= 1.0x boto3 upload_file`,
        libraryRatio(size, 'upload', VARIANT.boto3),
        1,
      ),
      ratioCheck(
        `downloadFile ${label} >= 1.0x boto3 download_file`,
        libraryRatio(size, 'download', VARIANT.boto3),
        1,
      ),
    );
  }
  const probed = large.filter((s) => s.probe);
  const smallest = probed.at(0);
  const biggest = probed.at(-1);
  for (const direction of ['upload', 'download'] as const) {
    const name = direction === 'upload' ? 'uploadFile' : 'downloadFile';
    if (!smallest?.probe || !biggest?.probe) break;
    const big = biggest.probe[direction].growthMiB;
    const little = smallest.probe[direction].growthMiB;
    checks.push({
      target: `${name} ${formatBytes(biggest.bytes)}: peak RSS growth < ${RSS_LIMIT_MIB} MiB`,
      measured: `${big.toFixed(0)} MiB`,
      met: big < RSS_LIMIT_MIB,
    });
    if (smallest !== biggest) {
      checks.push({
        target: `${name}: RSS growth independent of size (${formatBytes(biggest.bytes)} vs ${formatBytes(smallest.bytes)}: < ${SIZE_INDEPENDENCE_MIB} MiB apart)`,
        measured: `${big.toFixed(0)} vs ${little.toFixed(0)} MiB`,
        met: Math.abs(big - little) < SIZE_INDEPENDENCE_MIB,
      });
    }
  }
  return checks;
}
