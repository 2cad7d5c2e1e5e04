import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import type { BucketService } from '../../libs/bucket/src';
import { rotation } from '../alternate';
import { summarize, type Summary } from '../stats';
import { MIB } from '../units';

/** The shape of the copy scenario. */
export interface CopyConfig {
  objectBytes: number;
  /** Part sizes of the copies in parts (each with the module's `uploadConcurrency`). */
  partSizesBytes: number[];
  repetitions: number;
}

/** Figures of the copy scenario: ms per copy for each way of copying. */
export interface CopyResult {
  objectBytes: number;
  /** One `CopyObject` (the threshold at the object's size). */
  singleCopyObject: Summary;
  /** Copies in parts, by part size in MiB; `ratio` is its time over one CopyObject's. */
  inParts: { partSizeMiB: number; ms: Summary; ratio: Summary }[];
}

/**
 * Server-side copies of one object, alternately as one `CopyObject` and in parts
 * (`UploadPartCopy`) of each part size, through `copyFile` with a per-call threshold: the
 * measurement behind the default `multipartCopyThresholdBytes`.
 *
 * @param service - the library's service
 * @param client - the raw client, to create the source
 * @param bucket - an existing bucket
 * @param config - object size, part sizes and repetitions
 * @param log - progress output
 */
export async function runCopies(
  service: BucketService,
  client: S3Client,
  bucket: string,
  config: CopyConfig,
  log: (line: string) => void,
): Promise<CopyResult> {
  const source = 'copy/source.bin';
  await client.send(
    new PutObjectCommand({ Bucket: bucket, Key: source, Body: randomBytes(config.objectBytes) }),
  );
  const variants = [
    { name: 'single', threshold: config.objectBytes, partSizeBytes: undefined },
    ...config.partSizesBytes.map((partSizeBytes) => ({
      name: `parts-${partSizeBytes / MIB}`,
      threshold: 5 * MIB,
      partSizeBytes,
    })),
  ];
  const times = new Map<string, number[]>();
  for (let rep = -1; rep < config.repetitions; rep++) {
    for (const variant of rotation(variants, Math.max(rep, 0))) {
      const started = performance.now();
      await service.copyFile(bucket, source, bucket, `copy/${variant.name}.bin`, {
        multipartThresholdBytes: variant.threshold,
        partSizeBytes: variant.partSizeBytes,
      });
      const ms = performance.now() - started;
      // Repetition -1 is the warm-up.
      if (rep >= 0) times.set(variant.name, [...(times.get(variant.name) ?? []), ms]);
    }
  }
  await service.deleteFiles(bucket, [source, ...variants.map((v) => `copy/${v.name}.bin`)]);
  const single = times.get('single') ?? [];
  log(
    `copy: ${config.objectBytes / MIB} MiB, one CopyObject median ${summarize(single).median.toFixed(0)} ms`,
  );
  return {
    objectBytes: config.objectBytes,
    singleCopyObject: summarize(single),
    inParts: config.partSizesBytes.map((partSizeBytes) => {
      const ms = times.get(`parts-${partSizeBytes / MIB}`) ?? [];
      return {
        partSizeMiB: partSizeBytes / MIB,
        ms: summarize(ms),
        ratio: summarize(ms.map((value, i) => value / (single[i] ?? Number.NaN))),
      };
    }),
  };
}
