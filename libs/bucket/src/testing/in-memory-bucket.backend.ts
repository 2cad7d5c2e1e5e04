import type { Logger } from '@nestjs/common';
import type { BucketErrorContext } from '../bucket.errors';
import { assertValidBucketName } from '../bucket.validation';
import { TransferTracker } from '../transfers/transfer-tracker';
import type { InMemoryBucketOptions } from './bucket-testing.options';
import { InMemoryConnection } from './in-memory-bucket.connection';
import { FailureQueue } from './in-memory-bucket.faults';
import { InMemoryMultipartUploads } from './in-memory-bucket.multipart';
import { InMemoryPresigner } from './in-memory-bucket.presigned';
import { InMemoryPostSigner } from './in-memory-bucket.presigned-post';
import { s3Error } from './in-memory-bucket.sdk-errors';
import { InMemoryBucketStore, type StoredObject } from './in-memory-bucket.store';

/**
 * Everything one in-memory fake holds: its stored objects, unfinished uploads, scheduled
 * failures, signers, connection and transfers in flight. `InMemoryBucketService` owns one and
 * hands it to the functions of each concern (`in-memory-bucket.objects.ts`, `...listing.ts`,
 * ...), as `BucketService` hands its S3 client to `operations/*` and `transfers/*`.
 * @internal
 */
export class InMemoryBackend {
  /** The buckets and their objects. */
  readonly store = new InMemoryBucketStore();
  /** The failures scheduled with `failNext`. */
  readonly failures = new FailureQueue();
  /** Signs and checks presigned URLs. */
  readonly presigner = new InMemoryPresigner();
  /** Unfinished multipart uploads, with their parts. */
  readonly multipart = new InMemoryMultipartUploads();
  /** Signs and checks presigned POST forms. */
  readonly postSigner = new InMemoryPostSigner();
  /** The connection to the imaginary server. */
  readonly connection: InMemoryConnection;
  /** The transfers in flight, which application shutdown drains; `reset` starts a new tracker. */
  transfers = new TransferTracker();

  /**
   * @param options - the fake's options
   * @param endpoint - the fake's URL
   * @param logger - the fake's logger
   */
  constructor(
    readonly options: InMemoryBucketOptions,
    readonly endpoint: string,
    readonly logger: Logger,
  ) {
    this.connection = new InMemoryConnection(this.failures, this.store, options, logger, endpoint);
    this.seedInitialBuckets();
  }

  /** The fake's clock: the `now` option, else the system's. */
  now(): Date {
    return this.options.now ? this.options.now() : new Date();
  }

  /**
   * Runs a transfer that application shutdown may wait for, then abort, as the real one: its
   * signal fires when the caller's does (with the caller's reason), or at the end of the drain.
   */
  transfer<T>(
    context: BucketErrorContext,
    callerSignal: AbortSignal | undefined,
    work: (signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    return this.transfers.track(context, callerSignal, work);
  }

  /** Throws S3's `NoSuchBucket` when the bucket is missing. */
  requireBucket(bucket: string): void {
    if (!this.store.hasBucket(bucket)) throw s3Error('NoSuchBucket', 404);
  }

  /** The stored object, or S3's `NoSuchBucket` or `NoSuchKey`. */
  requireObject(bucket: string, key: string): StoredObject {
    this.requireBucket(bucket);
    const object = this.store.getObject(bucket, key);
    if (!object) throw s3Error('NoSuchKey', 404);
    return object;
  }

  /**
   * Back to the start: no objects, only the `buckets` given at construction, no scheduled
   * failure, and not connected.
   */
  reset(): void {
    this.store.clear();
    this.multipart.clear();
    this.failures.clear();
    this.connection.state = 'never';
    this.transfers = new TransferTracker();
    this.seedInitialBuckets();
  }

  private seedInitialBuckets(): void {
    for (const name of this.options.buckets ?? []) {
      assertValidBucketName(name, 'InMemoryBucketService');
      this.store.createBucket(name, this.now());
    }
  }
}
