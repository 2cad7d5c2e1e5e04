import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  PutObjectCommand,
  S3Client,
  paginateListBuckets,
  type BucketLocationConstraint,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import {
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { lookup as lookupContentType } from 'mime-types';
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { Readable } from 'node:stream';
import { inspect } from 'node:util';
import { bucketErrorCodeOf, rethrownFor, toBucketError } from './bucket.error-mapping';
import { BucketError, createBucketError, type BucketErrorContext } from './bucket.errors';
import { BucketHandle } from './bucket.handle';
import * as messages from './bucket.messages';
import type { ResolvedBucketOptions } from './bucket.options';
import type {
  BucketFileInfo,
  CopyFileOptions,
  DeleteBucketOptions,
  DeleteFilesResult,
  ListFilesOptions,
  ListedFile,
  PresignedUrlOptions,
  DownloadFileOptions,
  DownloadFileResult,
  GetObjectOptions,
  GetObjectResult,
  ObjectBody,
  PutObjectOptions,
  PutObjectResult,
  UploadFileOptions,
  UploadFileResult,
} from './bucket.types';
import {
  assertOptionalInteger,
  assertTransferOptions,
  assertValidBucketName,
  assertValidKey,
  toRangeHeader,
} from './bucket.validation';
import { deleteInBatches } from './operations/batch-delete';
import { listingPages } from './operations/listing';
import { abortAllMultipartUploads } from './operations/multipart-cleanup';
import { checkDestinationFile, checkSourceFile, withTemporaryFile } from './local-files';
import { downloadToFile } from './transfers/download';
import { uploadBody, type UploadPlan } from './transfers/upload';
import { abortMultipartUpload, type MultipartUploadRef } from './operations/multipart-cleanup';
import { setTimeout as delay } from 'node:timers/promises';

// eslint-disable-next-line @typescript-eslint/no-empty-function
const noop = () => {};

/** Where the service stands with its server. */
type ConnectionState = 'never' | 'connected' | 'lost' | 'disconnected';

/** Strips the quotes S3 puts around ETags. */
function unquote(etag: string | undefined): string | undefined {
  return etag?.replace(/^"(.*)"$/, '$1');
}

/**
 * Object storage operations on one S3-compatible server. Inject it as `BucketService` (or with
 * `@InjectBucket(name)` for a named instance).
 *
 * Every operation checks its bucket name and key against S3's rules before any network call,
 * makes sure a connection exists (connecting lazily, and reconnecting once if it was lost), and
 * throws a `BucketError` with a stable `code` on failure.
 */
export class BucketService
  implements OnModuleInit, BeforeApplicationShutdown, OnApplicationShutdown
{
  private readonly logger: Logger;
  private state: ConnectionState = 'never';
  private shuttingDown = false;
  private readonly transfers = new Set<{ controller: AbortController; settled: Promise<void> }>();
  private readonly orphanedUploads = new Map<string, MultipartUploadRef>();
  private connecting?: Promise<void>;

  /**
   * @param options - the resolved options of this instance
   * @param client - the S3 client, from `getBucketClientToken(name)`
   * @param name - the instance's name; none for the default instance
   */
  constructor(
    private readonly options: ResolvedBucketOptions,
    private readonly client: S3Client,
    readonly name?: string,
  ) {
    this.logger = new Logger(name ? `BucketService:${name}` : BucketService.name);
  }

  /** The server's URL, without credentials. */
  get endpoint(): string {
    return this.options.endpoint;
  }

  /** Connects at boot when `autoConnect` is set. A failure is logged once and not thrown. */
  async onModuleInit(): Promise<void> {
    if (!this.options.autoConnect) return;
    try {
      await this.connect();
    } catch (error) {
      const { message } = toBucketError(error, { operation: 'connect' });
      this.logger.warn(messages.bootConnectFailed(this.endpoint, message));
    }
  }

  /**
   * Lets transfers in flight finish, for up to `shutdownDrainMs`, then aborts the rest; every
   * multipart upload they started is aborted on the server before this resolves.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.shuttingDown = true;
    if (this.transfers.size === 0) return;
    const settled = () => Promise.all([...this.transfers].map((t) => t.settled));
    this.logger.log(messages.draining(this.transfers.size, this.options.shutdownDrainMs));
    const drainTimer = new AbortController();
    const drained = await Promise.race([
      settled().then(() => true),
      delay(this.options.shutdownDrainMs, false, { signal: drainTimer.signal }).catch(() => false),
    ]);
    drainTimer.abort();
    if (drained) return;
    this.logger.warn(messages.abortingTransfers(this.transfers.size));
    const reason = Object.assign(new Error('the application is shutting down'), {
      name: 'ShutdownError',
    });
    for (const { controller } of this.transfers) controller.abort(reason);
    await settled();
  }

  /** Aborts multipart uploads left by failures, then releases the client's sockets. */
  async onApplicationShutdown(): Promise<void> {
    if (this.orphanedUploads.size > 0 && this.state === 'connected')
      await this.abortOrphanedUploads();
    this.disconnect();
  }

  /**
   * Checks that the server answers and accepts the credentials, with a `HeadBucket` on the
   * configured `bucket`, else a `ListBuckets`, within `connectTimeoutMs`. Concurrent calls share
   * one attempt.
   *
   * @throws BucketError `ConnectionFailed`, `Timeout` or `AccessDenied`
   */
  async connect(): Promise<void> {
    this.connecting ??= this.establish().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  /**
   * Whether the service is connected. When it believes so, it checks with one cheap request; it
   * makes no request when it has never connected or was disconnected.
   */
  async isConnected(): Promise<boolean> {
    if (this.state !== 'connected') return false;
    try {
      await this.probe(this.options.connectTimeoutMs);
      return true;
    } catch (error) {
      if (this.isConnectionLoss(error)) this.state = 'lost';
      return this.state === 'connected';
    }
  }

  /** Closes the client's sockets. The next operation connects again. */
  disconnect(): void {
    this.state = 'disconnected';
    this.client.destroy();
  }

  /**
   * Sends one cheap request within `timeoutMs`, with no reconnection: what the health indicator
   * uses. A missing probe bucket counts as reachable only for `connect()`, not here.
   *
   * @returns the latency in ms
   * @throws BucketError on any failure, `Timeout` when the time runs out
   */
  async probe(
    timeoutMs: number = this.options.healthTimeoutMs,
    bucket = this.options.bucket,
  ): Promise<number> {
    const started = performance.now();
    const abortSignal = AbortSignal.timeout(timeoutMs);
    try {
      if (bucket)
        await this.client.send(new HeadBucketCommand({ Bucket: bucket }), { abortSignal });
      else await this.client.send(new ListBucketsCommand({}), { abortSignal });
    } catch (error) {
      if (abortSignal.aborted) {
        const context = { operation: 'probe', bucket };
        const detail = `no answer within ${timeoutMs} ms`;
        throw createBucketError('Timeout', messages.operationFailed('Timeout', context, detail), {
          ...context,
          cause: error,
        });
      }
      throw toBucketError(error, { operation: 'probe', bucket });
    }
    return performance.now() - started;
  }

  /** The names of every bucket the credentials can see. */
  async getBucketNames(): Promise<string[]> {
    return this.run({ operation: 'getBucketNames' }, async () => {
      const names: string[] = [];
      for await (const page of paginateListBuckets({ client: this.client }, {})) {
        for (const bucket of page.Buckets ?? []) if (bucket.Name) names.push(bucket.Name);
      }
      return names;
    });
  }

  /**
   * Creates a bucket (in the configured region).
   * @throws BucketError `InvalidBucketName`, `BucketAlreadyExists`
   */
  async createBucket(name: string): Promise<void> {
    assertValidBucketName(name, 'createBucket');
    const region = this.options.region;
    await this.run({ operation: 'createBucket', bucket: name }, async () => {
      // AWS (us-east-1) and Ceph RGW answer 200 when the caller already owns the bucket, MinIO
      // answers 409: look first, so that every server gives BucketAlreadyExists.
      if (await this.bucketExists(name)) {
        throw Object.assign(new Error('the bucket exists and is owned by these credentials'), {
          name: 'BucketAlreadyOwnedByYou',
        });
      }
      await this.client.send(
        new CreateBucketCommand({
          Bucket: name,
          ...(region === 'us-east-1'
            ? {}
            : {
                CreateBucketConfiguration: {
                  LocationConstraint: region as BucketLocationConstraint,
                },
              }),
        }),
      );
    });
  }

  /**
   * Deletes a bucket. With `{ force: true }` it first deletes every object and aborts every
   * unfinished multipart upload; otherwise the bucket must be empty.
   * @throws BucketError `NoSuchBucket`, `BucketNotEmpty`
   */
  async deleteBucket(name: string, options: DeleteBucketOptions = {}): Promise<void> {
    const operation = 'deleteBucket';
    assertValidBucketName(name, operation);
    await this.run({ operation, bucket: name }, async () => {
      if (options.force) await this.emptyBucket(name);
      await this.client.send(new DeleteBucketCommand({ Bucket: name }));
    });
  }

  /**
   * Uploads a local file, streamed from disk; files above 16 MiB go in parts. The key defaults
   * to the file's base name, as `aws s3 cp` does.
   *
   * @throws BucketError `LocalFileError` (before any request), `NoSuchBucket`, `InvalidKey`
   */
  async uploadFile(
    bucket: string,
    filePath: string,
    key: string = typeof filePath === 'string' ? basename(filePath) : '',
    options: UploadFileOptions = {},
  ): Promise<UploadFileResult> {
    const operation = 'uploadFile';
    assertValidBucketName(bucket, operation);
    assertValidKey(key, operation, bucket);
    const context = { operation, bucket, key };
    assertTransferOptions(options, context);
    const size = await checkSourceFile(filePath, context);
    const contentType =
      options.contentType ?? (lookupContentType(filePath) || 'application/octet-stream');
    const params = {
      Bucket: bucket,
      Key: key,
      ContentType: contentType,
      Metadata: options.metadata,
    };
    return this.transfer(context, options.signal, (signal) =>
      this.run(
        context,
        async () => {
          const body = createReadStream(filePath);
          try {
            const plan = this.uploadPlan(size, options, signal);
            const etag = await uploadBody(this.client, params, body, plan);
            return { bucket, key, size, etag };
          } finally {
            body.destroy();
          }
        },
        { signal },
      ),
    );
  }

  /**
   * Stores an object from a Buffer, a string, a Uint8Array or a stream. A stream of unknown
   * length (or above 16 MiB) is sent in parts through `@aws-sdk/lib-storage`, so memory stays
   * bounded whatever its size.
   *
   * @throws BucketError `NoSuchBucket`, `InvalidKey`, `Aborted`
   */
  async putObject(
    bucket: string,
    key: string,
    body: ObjectBody,
    options: PutObjectOptions = {},
  ): Promise<PutObjectResult> {
    const operation = 'putObject';
    assertValidBucketName(bucket, operation);
    assertValidKey(key, operation, bucket);
    assertTransferOptions(options, { operation, bucket, key });
    const params = {
      Bucket: bucket,
      Key: key,
      ContentType: options.contentType ?? 'application/octet-stream',
      Metadata: options.metadata,
    };
    const size = body instanceof Readable ? options.contentLength : Buffer.byteLength(body);
    const context = { operation, bucket, key };
    const etag = await this.transfer(context, options.signal, (signal) =>
      this.run(
        context,
        () => uploadBody(this.client, params, body, this.uploadPlan(size, options, signal)),
        // A stream is consumed by the first attempt: it cannot be sent again.
        { signal, repeatable: !(body instanceof Readable) },
      ),
    );
    return { bucket, key, etag };
  }

  /**
   * Reads an object (or a byte range of it) as a stream, with its metadata. Consume or destroy
   * the returned `body`: an unread body holds a socket.
   *
   * @throws BucketError `NoSuchBucket`, `NoSuchKey`, `InvalidRange`
   */
  async getObject(
    bucket: string,
    key: string,
    options: GetObjectOptions = {},
  ): Promise<GetObjectResult> {
    const operation = 'getObject';
    assertValidBucketName(bucket, operation);
    assertValidKey(key, operation, bucket);
    const context = { operation, bucket, key };
    const range = options.range === undefined ? undefined : toRangeHeader(options.range, context);
    return this.run(
      context,
      async () => {
        const output = await this.client.send(
          new GetObjectCommand({ Bucket: bucket, Key: key, Range: range }),
          { abortSignal: options.signal },
        );
        const contentLength = output.ContentLength ?? 0;
        const total = output.ContentRange
          ? Number(output.ContentRange.split('/')[1])
          : contentLength;
        return {
          body: output.Body as Readable,
          contentType: output.ContentType,
          contentLength,
          contentRange: output.ContentRange,
          size: Number.isFinite(total) ? total : contentLength,
          etag: unquote(output.ETag) ?? '',
          lastModified: output.LastModified ?? new Date(0),
          metadata: output.Metadata ?? {},
        };
      },
      { signal: options.signal },
    );
  }

  /**
   * Whether an object exists, from a `HeadObject`.
   * @throws BucketError `NoSuchBucket` when the bucket itself is missing
   */
  async fileExists(bucket: string, key: string): Promise<boolean> {
    try {
      await this.getBucketFile(bucket, key);
      return true;
    } catch (error) {
      if (error instanceof BucketError && error.code === 'NoSuchKey') return false;
      throw error;
    }
  }
  /**
   * Downloads an object to a local file. The bytes go to a temporary file beside the destination,
   * which is renamed into place only once its length is verified: a failure leaves no file and
   * does not touch an existing one.
   *
   * @throws BucketError `LocalFileError` (before any request), `NoSuchBucket`, `NoSuchKey`
   */
  async downloadFile(
    bucket: string,
    key: string,
    destinationPath: string,
    options: DownloadFileOptions = {},
  ): Promise<DownloadFileResult> {
    const operation = 'downloadFile';
    assertValidBucketName(bucket, operation);
    assertValidKey(key, operation, bucket);
    const context = { operation, bucket, key };
    assertTransferOptions(options, context);
    await checkDestinationFile(destinationPath, context);
    return this.transfer(context, options.signal, (signal) =>
      this.run(
        context,
        async () => {
          const plan = {
            partSizeBytes: options.partSizeBytes ?? this.options.partSizeBytes,
            concurrency: options.concurrency ?? this.options.downloadConcurrency,
            signal,
            onProgress: options.onProgress,
          };
          const size = await withTemporaryFile(destinationPath, (file) =>
            downloadToFile(this.client, context, file, plan),
          );
          return { bucket, key, path: destinationPath, size };
        },
        { signal },
      ),
    );
  }

  /** Deletes an object. Deleting a key that does not exist succeeds, as in S3. */
  async deleteFile(bucket: string, key: string): Promise<void> {
    assertValidBucketName(bucket, 'deleteFile');
    assertValidKey(key, 'deleteFile', bucket);
    await this.run({ operation: 'deleteFile', bucket, key }, async () => {
      await this.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    });
  }

  /**
   * Every key in a bucket (optionally under a prefix), following pagination, in S3's order
   * (lexicographic by UTF-8 bytes).
   * @throws BucketError `NoSuchBucket`
   */
  async getBucketFiles(bucket: string, prefix?: string): Promise<string[]> {
    assertValidBucketName(bucket, 'getBucketFiles');
    return this.run({ operation: 'getBucketFiles', bucket }, async () => {
      const keys: string[] = [];
      for await (const page of listingPages(this.client, { bucket, prefix })) {
        for (const file of page.files) keys.push(file.key);
      }
      return keys;
    });
  }

  /**
   * The objects of a bucket as an async iterator that fetches pages lazily, as the loop asks
   * for them: `for await (const file of bucket.listFiles('media', { prefix: 'photos/' }))`.
   * Keys come in S3's order (lexicographic by UTF-8 bytes).
   *
   * @throws BucketError `NoSuchBucket`, on the first iteration
   */
  async *listFiles(
    bucket: string,
    options: ListFilesOptions = {},
  ): AsyncGenerator<ListedFile, void, undefined> {
    const context = { operation: 'listFiles', bucket };
    assertValidBucketName(bucket, context.operation);
    assertOptionalInteger(options.pageSize, 'pageSize', 1, 1000, context);
    const started = performance.now();
    if (this.state !== 'connected') await this.connectFor(context);
    const pages = listingPages(this.client, { bucket, ...options });
    try {
      for (;;) {
        const next = await pages.next();
        if (next.done) break;
        yield* next.value.files;
      }
    } catch (error) {
      throw this.failed(context, started, error);
    }
    this.logOutcome(context, started, 'ok');
  }

  /**
   * The common prefixes ("folders") directly under `prefix`, grouped by `delimiter` (default
   * `/`), following pagination: `listFolders('media', { prefix: 'photos/' })` gives
   * `['photos/2023/', 'photos/2024/']`.
   *
   * @throws BucketError `NoSuchBucket`
   */
  async listFolders(
    bucket: string,
    options: { prefix?: string; delimiter?: string } = {},
  ): Promise<string[]> {
    assertValidBucketName(bucket, 'listFolders');
    return this.run({ operation: 'listFolders', bucket }, async () => {
      const prefixes: string[] = [];
      const query = { bucket, prefix: options.prefix, delimiter: options.delimiter ?? '/' };
      for await (const page of listingPages(this.client, query)) prefixes.push(...page.prefixes);
      return prefixes;
    });
  }

  /**
   * Deletes many objects, in batches of at most 1,000 keys a request, and reports the keys that
   * the server refused instead of stopping at the first. Every key is checked before any request.
   *
   * @throws BucketError `InvalidKey` (before any request), `NoSuchBucket`
   */
  async deleteFiles(
    bucket: string,
    keys: readonly string[],
    options: { signal?: AbortSignal } = {},
  ): Promise<DeleteFilesResult> {
    const operation = 'deleteFiles';
    assertValidBucketName(bucket, operation);
    for (const key of keys) assertValidKey(key, operation, bucket);
    if (keys.length === 0) return { deleted: [], failed: [] };
    return this.run(
      { operation, bucket },
      () => deleteInBatches(this.client, bucket, keys, options.signal),
      { signal: options.signal },
    );
  }

  /**
   * Copies an object on the server (no bytes go through this process), with its metadata unless
   * `metadata` is given. Objects up to 5 GiB.
   *
   * @throws BucketError `NoSuchBucket`, `NoSuchKey`
   */
  async copyFile(
    sourceBucket: string,
    sourceKey: string,
    destinationBucket: string,
    destinationKey: string,
    options: CopyFileOptions = {},
  ): Promise<PutObjectResult> {
    const operation = 'copyFile';
    assertValidBucketName(sourceBucket, operation);
    assertValidKey(sourceKey, operation, sourceBucket);
    assertValidBucketName(destinationBucket, operation);
    assertValidKey(destinationKey, operation, destinationBucket);
    const context = { operation, bucket: sourceBucket, key: sourceKey };
    return this.run(context, async () => {
      const replace = options.metadata !== undefined || options.contentType !== undefined;
      const output = await this.client.send(
        new CopyObjectCommand({
          Bucket: destinationBucket,
          Key: destinationKey,
          CopySource: `${sourceBucket}/${sourceKey.split('/').map(encodeURIComponent).join('/')}`,
          ...(replace
            ? {
                MetadataDirective: 'REPLACE',
                Metadata: options.metadata,
                ContentType: options.contentType,
              }
            : {}),
        }),
      );
      return {
        bucket: destinationBucket,
        key: destinationKey,
        etag: unquote(output.CopyObjectResult?.ETag),
      };
    });
  }

  /**
   * Moves an object: a server-side copy, then the source's deletion. Moving an object onto
   * itself does nothing.
   *
   * @throws BucketError `NoSuchBucket`, `NoSuchKey`
   */
  async moveFile(
    sourceBucket: string,
    sourceKey: string,
    destinationBucket: string,
    destinationKey: string,
    options: CopyFileOptions = {},
  ): Promise<PutObjectResult> {
    if (
      sourceBucket === destinationBucket &&
      sourceKey === destinationKey &&
      !options.metadata &&
      !options.contentType
    ) {
      const info = await this.getBucketFile(sourceBucket, sourceKey);
      return { bucket: sourceBucket, key: sourceKey, etag: info.etag };
    }
    const result = await this.copyFile(
      sourceBucket,
      sourceKey,
      destinationBucket,
      destinationKey,
      options,
    );
    await this.deleteFile(sourceBucket, sourceKey);
    return result;
  }

  /**
   * A URL that lets a client without credentials download (`GET`) or upload (`PUT`) one object
   * until it expires, with plain HTTP. Signed locally: no request is made.
   */
  async getPresignedUrl(
    bucket: string,
    key: string,
    options: PresignedUrlOptions = {},
  ): Promise<string> {
    const operation = 'getPresignedUrl';
    assertValidBucketName(bucket, operation);
    assertValidKey(key, operation, bucket);
    const context = { operation, bucket, key };
    assertOptionalInteger(options.expiresIn, 'expiresIn', 1, 604_800, context);
    const method: string = options.method ?? 'GET';
    if (method !== 'GET' && method !== 'PUT') {
      throw createBucketError(
        'InvalidArgument',
        messages.operationFailed(
          'InvalidArgument',
          context,
          `method = ${JSON.stringify(method)}: must be GET or PUT`,
        ),
        context,
      );
    }
    const command =
      method === 'GET'
        ? new GetObjectCommand({ Bucket: bucket, Key: key })
        : new PutObjectCommand({ Bucket: bucket, Key: key, ContentType: options.contentType });
    try {
      return await getSignedUrl(this.client, command, { expiresIn: options.expiresIn ?? 900 });
    } catch (error) {
      throw toBucketError(error, context);
    }
  }

  /**
   * An object's key, size, last-modified date, ETag, Content-Type and user metadata, from a
   * `HeadObject` (the body is never fetched).
   * @throws BucketError `NoSuchBucket`, `NoSuchKey`
   */
  async getBucketFile(bucket: string, key: string): Promise<BucketFileInfo> {
    const operation = 'getBucketFile';
    assertValidBucketName(bucket, operation);
    assertValidKey(key, operation, bucket);
    return this.run({ operation, bucket, key }, async () => {
      try {
        const head = await this.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
        return {
          key,
          size: head.ContentLength ?? 0,
          lastModified: head.LastModified ?? new Date(0),
          etag: unquote(head.ETag) ?? '',
          contentType: head.ContentType,
          metadata: head.Metadata ?? {},
        };
      } catch (error) {
        // A HEAD answer has no body: a 404 does not say whether the bucket or the key is missing.
        if (bucketErrorCodeOf(error, { key }) === 'NoSuchKey')
          await this.assertBucketExists(bucket, operation);
        throw error;
      }
    });
  }

  /**
   * A handle on one bucket, with the file operations minus the bucket argument.
   * @throws BucketError `InvalidBucketName`, at once
   */
  bucket(name: string): BucketHandle {
    assertValidBucketName(name, 'bucket');
    return new BucketHandle(this, name);
  }

  /** Renders the service without its options' secret nor its client's internals. */
  [inspect.custom](): string {
    return `BucketService { name: ${inspect(this.name)}, endpoint: '${this.endpoint}', state: '${this.state}' }`;
  }

  /** A JSON view without secrets. */
  toJSON(): { name?: string; endpoint: string; state: string } {
    return { name: this.name, endpoint: this.endpoint, state: this.state };
  }

  /** The upload plan of a call: its options over the module's defaults. */
  private uploadPlan(
    size: number | undefined,
    options: PutObjectOptions,
    signal: AbortSignal,
  ): UploadPlan {
    return {
      size,
      multipartThresholdBytes: this.options.multipartThresholdBytes,
      partSizeBytes: options.partSizeBytes ?? this.options.partSizeBytes,
      concurrency: options.concurrency ?? this.options.uploadConcurrency,
      signal,
      onProgress: options.onProgress,
      onOrphan: (upload) => this.orphanedUploads.set(upload.UploadId, upload),
    };
  }

  /**
   * Runs a transfer that application shutdown may wait for, then abort: its signal fires when
   * the caller's does, or when the drain time runs out.
   */
  private async transfer<T>(
    context: BucketErrorContext,
    callerSignal: AbortSignal | undefined,
    work: (signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    if (this.shuttingDown) {
      throw createBucketError(
        'Aborted',
        messages.operationFailed('Aborted', context, 'the application is shutting down'),
        context,
      );
    }
    const controller = new AbortController();
    const forward = () => {
      controller.abort(callerSignal?.reason);
    };
    if (callerSignal?.aborted) forward();
    else callerSignal?.addEventListener('abort', forward, { once: true });
    const promise = work(controller.signal);
    const entry = { controller, settled: promise.then(noop, noop) };
    this.transfers.add(entry);
    try {
      return await promise;
    } finally {
      callerSignal?.removeEventListener('abort', forward);
      this.transfers.delete(entry);
    }
  }

  /**
   * Aborts the multipart uploads that a failed transfer could not abort (the server was
   * unreachable then). Runs after each (re)connection and at shutdown.
   */
  private async abortOrphanedUploads(): Promise<void> {
    for (const [uploadId, upload] of this.orphanedUploads) {
      try {
        await abortMultipartUpload(this.client, upload);
        this.orphanedUploads.delete(uploadId);
      } catch (error) {
        if (this.isConnectionLoss(error)) return;
        this.orphanedUploads.delete(uploadId);
      }
    }
  }

  /** Deletes every object and aborts every unfinished multipart upload of a bucket. */
  private async emptyBucket(bucket: string): Promise<void> {
    for await (const page of listingPages(this.client, { bucket })) {
      const result = await deleteInBatches(
        this.client,
        bucket,
        page.files.map((f) => f.key),
      );
      const failure = result.failed.at(0);
      if (failure) {
        throw createBucketError(
          failure.code,
          messages.operationFailed(
            failure.code,
            { operation: 'deleteBucket', bucket, key: failure.key },
            failure.message,
          ),
          { operation: 'deleteBucket', bucket, key: failure.key },
        );
      }
    }
    await abortAllMultipartUploads(this.client, bucket);
  }

  /** Whether a bucket exists, from a `HeadBucket`; a 403 (someone else's bucket) counts as existing. */
  private async bucketExists(bucket: string): Promise<boolean> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: bucket }));
      return true;
    } catch (error) {
      const code = bucketErrorCodeOf(error, { bucket });
      if (code === 'NoSuchBucket') return false;
      if (code === 'AccessDenied') return true;
      throw error;
    }
  }

  private async assertBucketExists(bucket: string, operation: string): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: bucket }));
    } catch (error) {
      throw toBucketError(error, { operation, bucket });
    }
  }

  private async establish(): Promise<void> {
    const wasLost = this.state === 'lost';
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
        if (this.state === 'connected') this.state = 'lost';
        throw rethrownFor(error, { operation: 'connect' });
      }
    }
    this.state = 'connected';
    await this.abortOrphanedUploads();
    this.logger.log(
      wasLost ? messages.reconnected(this.endpoint) : messages.connected(this.endpoint),
    );
  }

  /** Connects on behalf of an operation, so that a failure names that operation, its bucket and key. */
  private async connectFor(context: BucketErrorContext): Promise<void> {
    try {
      await this.connect();
    } catch (error) {
      throw rethrownFor(error, context);
    }
  }

  private isConnectionLoss(error: unknown): boolean {
    const code = bucketErrorCodeOf(error);
    return code === 'ConnectionFailed' || code === 'Timeout';
  }

  /**
   * Runs one operation: connects first if needed, reconnects and tries once more if the
   * connection turns out to be lost, maps any failure to a `BucketError`, and logs a debug line.
   */
  private async run<T>(
    context: BucketErrorContext,
    work: () => Promise<T>,
    { signal, repeatable = true }: { signal?: AbortSignal; repeatable?: boolean } = {},
  ): Promise<T> {
    const started = performance.now();
    try {
      if (this.state !== 'connected') await this.connectFor(context);
      let result: T;
      try {
        result = await work();
      } catch (error) {
        if (!repeatable || !this.isConnectionLoss(error) || signal?.aborted) throw error;
        this.state = 'lost';
        await this.connectFor(context);
        result = await work();
      }
      this.logOutcome(context, started, 'ok');
      return result;
    } catch (error) {
      throw this.failed(context, started, error);
    }
  }

  /** Maps a failure to a `BucketError`, notes a lost connection, and logs the outcome. */
  private failed(context: BucketErrorContext, started: number, error: unknown): BucketError {
    const bucketError = toBucketError(error, context);
    if (this.isConnectionLoss(bucketError) && this.state === 'connected') this.state = 'lost';
    this.logOutcome(context, started, bucketError.code);
    return bucketError;
  }

  private logOutcome(
    context: BucketErrorContext,
    started: number,
    outcome: Parameters<typeof messages.operationLog>[2],
  ) {
    if (this.options.debug)
      this.logger.debug(messages.operationLog(context, performance.now() - started, outcome));
  }
}

/** An `AccessDenied` that is about permissions, not about the credentials themselves. */
function isPermissionOnly(error: unknown): boolean {
  const cause = error instanceof Error ? (error.cause ?? error) : error;
  const name = (cause as { name?: unknown }).name;
  return name === 'AccessDenied';
}
