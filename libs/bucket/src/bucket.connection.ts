import { HeadBucketCommand, ListBucketsCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Logger } from '@nestjs/common';
import { bucketErrorCodeOf, rethrownFor, toBucketError } from './bucket.error-mapping';
import { createBucketError, type BucketErrorContext } from './bucket.errors';
import * as messages from './bucket.messages';
import type { ResolvedBucketOptions } from './bucket.options';
import { abortMultipartUpload, type MultipartUploadRef } from './operations/multipart-cleanup';

/** Where a connection stands with its server. */
export type ConnectionState = 'never' | 'connected' | 'lost' | 'disconnected';

/** How `run` may repeat an operation. @internal */
export interface RunOptions {
  /** The operation's signal: once it fired, nothing is tried again. */
  signal?: AbortSignal;
  /** Whether the work may run a second time after a reconnection. Default: `true`. */
  repeatable?: boolean;
}

/** Whether an error means that the server could not be reached in time. @internal */
export function isConnectionLoss(error: unknown): boolean {
  const code = bucketErrorCodeOf(error);
  return code === 'ConnectionFailed' || code === 'Timeout';
}

/** An `AccessDenied` that is about permissions, not about the credentials themselves. */
function isPermissionOnly(error: unknown): boolean {
  const cause = error instanceof Error ? (error.cause ?? error) : error;
  return (cause as { name?: unknown }).name === 'AccessDenied';
}

/**
 * The connection of one service to its server: a lazy connect, one reconnection when it is
 * lost, the cheap probe behind `connect()`, `isConnected()` and health, and the multipart
 * uploads that must still be aborted once the server is back.
 * @internal
 */
export class BucketConnection {
  private current: ConnectionState = 'never';
  private connecting?: Promise<void>;
  private readonly orphanedUploads = new Map<string, MultipartUploadRef>();

  constructor(
    private readonly client: S3Client,
    private readonly options: ResolvedBucketOptions,
    private readonly logger: Logger,
  ) {}

  /** The current state. */
  get state(): ConnectionState {
    return this.current;
  }

  /** Connects, sharing one attempt between concurrent callers. */
  connect(): Promise<void> {
    this.connecting ??= this.establish().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  /** See `BucketService.isConnected`. */
  async isConnected(): Promise<boolean> {
    if (this.current !== 'connected') return false;
    try {
      await this.probe(this.options.connectTimeoutMs);
      return true;
    } catch (error) {
      if (isConnectionLoss(error)) this.current = 'lost';
      return this.current === 'connected';
    }
  }

  /** Closes the sockets; the next operation connects again. */
  disconnect(): void {
    this.current = 'disconnected';
    this.client.destroy();
  }

  /** See `BucketService.probe`. */
  async probe(
    timeoutMs: number,
    bucket: string | undefined = this.options.bucket,
  ): Promise<number> {
    const started = performance.now();
    const abortSignal = AbortSignal.timeout(timeoutMs);
    const context = { operation: 'probe', bucket };
    try {
      if (bucket)
        await this.client.send(new HeadBucketCommand({ Bucket: bucket }), { abortSignal });
      else await this.client.send(new ListBucketsCommand({}), { abortSignal });
    } catch (error) {
      if (!abortSignal.aborted) throw toBucketError(error, context);
      const detail = `no answer within ${timeoutMs} ms`;
      throw createBucketError('Timeout', messages.operationFailed('Timeout', context, detail), {
        ...context,
        cause: error,
      });
    }
    return performance.now() - started;
  }

  /**
   * Runs the work of one operation: connects first if needed, and when the connection turns out
   * to be lost, reconnects once and runs the work again (if it may be repeated).
   */
  async run<T>(
    context: BucketErrorContext,
    work: () => Promise<T>,
    { signal, repeatable = true }: RunOptions = {},
  ): Promise<T> {
    if (this.current !== 'connected') await this.connectFor(context);
    try {
      return await work();
    } catch (error) {
      if (!repeatable || !isConnectionLoss(error) || signal?.aborted) throw error;
      this.current = 'lost';
      await this.connectFor(context);
      return await work();
    }
  }

  /** Notes a failed operation: a connection failure marks the connection as lost. */
  noteFailure(error: unknown): void {
    if (this.current === 'connected' && isConnectionLoss(error)) this.current = 'lost';
  }

  /** Remembers a multipart upload that could not be aborted, to abort it once the server is back. */
  rememberOrphan(upload: MultipartUploadRef): void {
    this.orphanedUploads.set(upload.UploadId, upload);
  }

  /** Aborts the remembered uploads; stops at the first connection failure. */
  async abortOrphanedUploads(): Promise<void> {
    for (const [uploadId, upload] of this.orphanedUploads) {
      try {
        await abortMultipartUpload(this.client, upload);
      } catch (error) {
        if (isConnectionLoss(error)) return;
      }
      this.orphanedUploads.delete(uploadId);
    }
  }

  /** Whether uploads are waiting to be aborted. */
  get hasOrphans(): boolean {
    return this.orphanedUploads.size > 0;
  }

  private async connectFor(context: BucketErrorContext): Promise<void> {
    try {
      await this.connect();
    } catch (error) {
      throw rethrownFor(error, context);
    }
  }

  private async establish(): Promise<void> {
    const wasLost = this.current === 'lost';
    try {
      await this.probe(this.options.connectTimeoutMs);
    } catch (error) {
      const code = bucketErrorCodeOf(error);
      // The server answered and took the credentials: a missing probe bucket, or a scoped key
      // that may not list buckets, does not make the connection unusable.
      const reachable =
        code === 'NoSuchBucket' ||
        (code === 'AccessDenied' && !this.options.bucket && isPermissionOnly(error));
      if (!reachable) {
        if (this.current === 'connected') this.current = 'lost';
        throw rethrownFor(error, { operation: 'connect' });
      }
    }
    this.current = 'connected';
    await this.abortOrphanedUploads();
    const endpoint = this.options.endpoint;
    this.logger.log(wasLost ? messages.reconnected(endpoint) : messages.connected(endpoint));
  }
}
