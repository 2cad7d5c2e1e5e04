import type { BucketErrorContext } from '../bucket.errors';
import { invalidArgument } from '../bucket.validation';

const MIB = 1024 * 1024;
const GIB = 1024 * MIB;

/**
 * S3's limits on objects and multipart uploads (the same on AWS, MinIO, Ceph RGW and R2).
 * @internal
 */
export const S3_LIMITS = {
  /** The smallest part but the last. */
  minPartBytes: 5 * MIB,
  /** The largest part, and the largest single PutObject or CopyObject. */
  maxPartBytes: 5 * GIB,
  /** The most parts one multipart upload may have. */
  maxParts: 10_000,
  /** The largest object. */
  maxObjectBytes: 5 * 1024 * GIB,
} as const;

/** How an object of known size is split into parts. @internal */
export interface PartPlan {
  /** The size of every part but the last (which may be smaller). */
  partSizeBytes: number;
  /** How many parts: at least 1, at most 10,000. */
  partCount: number;
}

/**
 * The one part planner of every multipart path (file uploads, streams of known length, copies):
 * the part size the caller asked for, grown when needed, in whole MiB, so that the object fits in
 * 10,000 parts (boto3 grows its chunk size the same way). It never goes below what was asked,
 * below 5 MiB or above 5 GiB. Fails before any request, with `InvalidArgument` naming the size
 * and the rule, for an object above 5 TiB or a part size outside S3's bounds.
 *
 * @internal
 */
export function planParts(
  sizeBytes: number,
  requestedPartSizeBytes: number,
  context: BucketErrorContext,
): PartPlan {
  const fail = (detail: string) => invalidArgument(context, detail);
  if (!Number.isSafeInteger(sizeBytes) || sizeBytes < 0) {
    throw fail(`size = ${String(sizeBytes)} bytes: must be a whole number of bytes`);
  }
  if (sizeBytes > S3_LIMITS.maxObjectBytes) {
    throw fail(
      `size = ${sizeBytes} bytes: S3 stores objects of at most 5 TiB (${S3_LIMITS.maxObjectBytes} bytes)`,
    );
  }
  if (
    !Number.isSafeInteger(requestedPartSizeBytes) ||
    requestedPartSizeBytes < S3_LIMITS.minPartBytes ||
    requestedPartSizeBytes > S3_LIMITS.maxPartBytes
  ) {
    throw fail(
      `partSizeBytes = ${String(requestedPartSizeBytes)}: parts must be from 5 MiB (${S3_LIMITS.minPartBytes}) to 5 GiB (${S3_LIMITS.maxPartBytes}) bytes`,
    );
  }
  const smallestFitting = Math.ceil(Math.ceil(sizeBytes / S3_LIMITS.maxParts) / MIB) * MIB;
  const partSizeBytes = Math.min(
    S3_LIMITS.maxPartBytes,
    Math.max(requestedPartSizeBytes, smallestFitting),
  );
  return { partSizeBytes, partCount: Math.max(1, Math.ceil(sizeBytes / partSizeBytes)) };
}

/**
 * The largest stream of unknown length that a multipart upload with this part size can carry:
 * 10,000 parts of it (about 78 GiB with the default 8 MiB).
 * @internal
 */
export function largestStreamBytes(partSizeBytes: number): number {
  return partSizeBytes * S3_LIMITS.maxParts;
}
