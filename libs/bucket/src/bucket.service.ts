import { DeleteBucketCommand, DeleteObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { lookup as lookupContentType } from 'mime-types';
import { basename } from 'node:path';
import { Readable } from 'node:stream';
import { inspect } from 'node:util';
import { createSigningClient, httpAgentOf } from './bucket.client';
import { BucketConnection, type RunOptions } from './bucket.connection';
import { toBucketError } from './bucket.error-mapping';
import { BucketError, type BucketErrorContext } from './bucket.errors';
import { BucketHandle, type BucketFileOperations } from './bucket.handle';
import * as messages from './bucket.messages';
import type { ResolvedBucketOptions } from './bucket.options';
import type { PresignedPost, PresignedPostOptions } from './presigned-post.types';
import type {
  BucketFileInfo,
  CompletedUploadPart,
  CopyFileOptions,
  CreateMultipartUploadOptions,
  CustomerKeyOption,
  DeleteBucketOptions,
  DeleteFilesResult,
  DownloadFileOptions,
  DownloadFileResult,
  GetObjectOptions,
  GetObjectResult,
  ListFilesOptions,
  ListedFile,
  MultipartUploadStarted,
  ObjectBody,
  PresignedUrlOptions,
  PutObjectOptions,
  PutObjectResult,
  SignUploadPartOptions,
  UploadedPart,
  UploadFileOptions,
  UploadFileResult,
} from './bucket.types';
import {
  assertCopyOptions,
  assertOptionalInteger,
  assertTransferOptions,
  assertValidBucketName,
  assertValidKey,
  assertValidObjectAddress,
  toRangeHeader,
} from './bucket.validation';
import { checkDestinationFile, checkSourceFile, withTemporaryFile } from './local-files';
import { deleteInBatches } from './operations/batch-delete';
import { createBucket, emptyBucket, listBucketNames } from './operations/buckets';
import { listingPages } from './operations/listing';
import { abortMultipartUpload } from './operations/multipart-cleanup';
import { assertPresignedPostOptions, presignPost } from './operations/presigned-post';
import { copySourceOf, getObjectStream, headObject, type CopyTarget } from './operations/objects';
import {
  assertNoCustomerKey,
  assertReadKey,
  assertUploadAttributes,
  attributeParams,
  changesObject,
} from './operations/object-attributes';
import {
  assertCompletedParts,
  assertPartNumbers,
  assertUploadId,
  completeUpload,
  createUpload,
  listParts,
  signPart,
} from './operations/browser-multipart';
import { assertPresignedUrlOptions, presignUrl } from './operations/presigned-url';
import { copyAnySize, type CopyPlan } from './transfers/copy';
import { downloadToFile } from './transfers/download';
import { putFile } from './transfers/file-put';
import { uploadFileInParts } from './transfers/file-upload';
import { planParts } from './transfers/part-plan';
import type { ThroughputLimit } from './transfers/stall-guard';
import { TransferTracker } from './transfers/transfer-tracker';
import { Telemetry } from './observability/telemetry';
import { headEtag, uploadBody, type UploadParams, type UploadPlan } from './transfers/upload';

/**
 * Object storage operations on one S3-compatible server. Inject it as `BucketService` (or with
 * `@InjectBucket(name)` for a named instance).
 *
 * Every operation checks its bucket name, key and options before any network call, makes sure
 * a connection exists (connecting lazily, and reconnecting once if it was lost), throws a
 * `BucketError` with a stable `code` on failure, and with `debug` logs one line.
 */
export class BucketService
  implements BucketFileOperations, OnModuleInit, BeforeApplicationShutdown, OnApplicationShutdown
{
  private readonly logger: Logger;
  private readonly connection: BucketConnection;
  private readonly transfers = new TransferTracker();
  private publicSigner?: S3Client;
  /** Spans and metrics, when `@opentelemetry/api` is installed or `@nestjs/observe` is in use. */
  private readonly telemetry?: Telemetry;

  /**
   * @param options - the resolved options of this instance
   * @param client - the S3 client, from `getBucketClientToken(name)`
   * @param name - the instance's name; none for the default instance
   * @param tracer - `@nestjs/observe`'s `TracerService`, which `BucketModule` injects when the
   * application registers `ObserveModule`: spans inside its traces then go through it
   */
  constructor(
    private readonly options: ResolvedBucketOptions,
    private readonly client: S3Client,
    readonly name?: string,
    tracer?: unknown,
  ) {
    this.logger = new Logger(name ? `BucketService:${name}` : BucketService.name);
    this.connection = new BucketConnection(client, options, this.logger);
    this.telemetry = Telemetry.create({
      name,
      endpoint: options.endpoint,
      client,
      agent: httpAgentOf(client),
      transfersInFlight: () => this.transfers.inFlightCount,
      tracer,
    });
  }

  /** The server's URL, without credentials. */
  get endpoint(): string {
    return this.options.endpoint;
  }

  /** Connects at boot when `autoConnect` is set. A failure is logged once and not thrown. */
  async onModuleInit(): Promise<void> {
    if (!this.options.autoConnect) return;
    try {
      await this.connection.connect();
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
    await this.transfers.drain(this.options.shutdownDrainMs, this.logger);
  }

  /** Aborts multipart uploads left by failures, then releases the client's sockets. */
  async onApplicationShutdown(): Promise<void> {
    if (this.connection.hasOrphans && this.connection.state === 'connected') {
      await this.connection.abortOrphanedUploads();
    }
    this.telemetry?.dispose();
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
    await this.connection.connect();
  }

  /**
   * Whether the service is connected. When it believes so, it checks with one cheap request; it
   * makes no request when it has never connected or was disconnected.
   */
  isConnected(): Promise<boolean> {
    return this.connection.isConnected();
  }

  /** Closes the client's sockets. The next operation connects again. */
  disconnect(): void {
    this.connection.disconnect();
  }

  /**
   * Sends one cheap request within `timeoutMs` (`HeadBucket` on `bucket`, else `ListBuckets`),
   * with no reconnection: what the health indicator uses.
   *
   * @returns the latency in ms
   * @throws BucketError on any failure, `Timeout` when the time runs out
   */
  probe(
    timeoutMs: number = this.options.healthTimeoutMs,
    bucket = this.options.bucket,
  ): Promise<number> {
    return this.connection.probe(timeoutMs, bucket);
  }

  /** The names of every bucket the credentials can see. */
  getBucketNames(): Promise<string[]> {
    return this.perform({ operation: 'getBucketNames' }, () => listBucketNames(this.client));
  }

  /**
   * Creates a bucket (in the configured region).
   * @throws BucketError `InvalidBucketName`, `BucketAlreadyExists` (on every server, even for a
   *   bucket these credentials own)
   */
  async createBucket(name: string): Promise<void> {
    const context = { operation: 'createBucket', bucket: name };
    await this.logged(context, async () => {
      assertValidBucketName(name, context.operation);
      await this.connection.run(context, () =>
        createBucket(this.client, name, this.options.region),
      );
    });
  }

  /**
   * Deletes a bucket. With `{ force: true }` it first deletes every object and aborts every
   * unfinished multipart upload; otherwise the bucket must be empty.
   * @throws BucketError `NoSuchBucket`, `BucketNotEmpty`
   */
  async deleteBucket(name: string, options: DeleteBucketOptions = {}): Promise<void> {
    const context = { operation: 'deleteBucket', bucket: name };
    await this.logged(context, async () => {
      assertValidBucketName(name, context.operation);
      await this.connection.run(context, async () => {
        if (options.force) await emptyBucket(this.client, name);
        await this.client.send(new DeleteBucketCommand({ Bucket: name }));
      });
    });
  }

  /**
   * Uploads a local file, streamed from disk; above `multipartThresholdBytes` (16 MiB) as a
   * multipart upload whose parts (`partSizeBytes`, `concurrency` in flight) are each streamed from
   * their own range of the file. The key defaults to the file's base name, as `aws s3 cp` does; the content type is
   * guessed from the extension.
   *
   * @throws BucketError `LocalFileError` (before any request), `NoSuchBucket`, `Aborted`
   */
  uploadFile(
    bucket: string,
    filePath: string,
    key: string = typeof filePath === 'string' ? basename(filePath) : '',
    options: UploadFileOptions = {},
  ): Promise<UploadFileResult> {
    const context = { operation: 'uploadFile', bucket, key };
    return this.logged(context, async () => {
      this.assertTarget(context, bucket, key);
      assertTransferOptions(options, context);
      assertUploadAttributes(options, context);
      const size = await checkSourceFile(filePath, context);
      const partSizeBytes = this.partSizeFor(size, options, context);
      const params = {
        Bucket: bucket,
        Key: key,
        ContentType:
          options.contentType ?? (lookupContentType(filePath) || 'application/octet-stream'),
        Metadata: options.metadata,
        ...attributeParams(options),
      };
      const etag = await this.transfers.track(context, options.signal, (signal) =>
        this.connection.run(
          context,
          async () => {
            const plan = this.uploadPlan(
              context.operation,
              size,
              { ...options, partSizeBytes },
              signal,
            );
            return size > plan.multipartThresholdBytes
              ? uploadFileInParts(this.client, params, filePath, size, plan)
              : putFile(this.client, params, filePath, size, plan);
          },
          { signal },
        ),
      );
      return { bucket, key, size, etag };
    });
  }

  /**
   * Stores an object from a Buffer, a string, a Uint8Array or a stream. A stream of unknown
   * length (or above `multipartThresholdBytes`) goes in parts through `@aws-sdk/lib-storage`,
   * so memory stays bounded whatever its size.
   *
   * @throws BucketError `NoSuchBucket`, `InvalidKey`, `Aborted`
   */
  putObject(
    bucket: string,
    key: string,
    body: ObjectBody,
    options: PutObjectOptions = {},
  ): Promise<PutObjectResult> {
    const context = { operation: 'putObject', bucket, key };
    return this.logged(context, async () => {
      this.assertTarget(context, bucket, key);
      assertTransferOptions(options, context);
      assertUploadAttributes(options, context);
      const params: UploadParams = {
        Bucket: bucket,
        Key: key,
        ContentType: options.contentType ?? 'application/octet-stream',
        Metadata: options.metadata,
        ...attributeParams(options),
      };
      const isStream = body instanceof Readable;
      const size = isStream ? options.contentLength : Buffer.byteLength(body);
      this.telemetry?.note(context, { bytesSent: size });
      const partSizeBytes = this.partSizeFor(size, options, context);
      // One request with its body in memory: nothing to cut short on shutdown.
      const abortable =
        isStream || size === undefined || size > this.options.multipartThresholdBytes;
      const etag = await this.transfers.track(
        context,
        options.signal,
        (signal) =>
          this.connection.run(
            context,
            () =>
              uploadBody(
                this.client,
                params,
                body,
                this.uploadPlan(context.operation, size, { ...options, partSizeBytes }, signal),
              ),
            // A stream is consumed by the first attempt: it cannot be sent again.
            { signal, repeatable: !isStream },
          ),
        { abortable },
      );
      return { bucket, key, etag };
    });
  }

  /**
   * Reads an object (or a byte range of it) as a stream, with its metadata. Consume or destroy
   * the returned `body`: an unread body holds a socket.
   *
   * @throws BucketError `NoSuchBucket`, `NoSuchKey`, `InvalidRange`
   */
  getObject(bucket: string, key: string, options: GetObjectOptions = {}): Promise<GetObjectResult> {
    const context = { operation: 'getObject', bucket, key };
    return this.logged(context, async () => {
      this.assertTarget(context, bucket, key);
      const range = options.range === undefined ? undefined : toRangeHeader(options.range, context);
      assertReadKey(options, context);
      return this.connection.run(
        context,
        () =>
          getObjectStream(
            this.client,
            bucket,
            key,
            range,
            options.signal,
            options.customerKey,
            options.verifyChecksums ?? this.options.verifyChecksums,
          ),
        { signal: options.signal },
      );
    });
  }

  /**
   * Whether an object exists, from a `HeadObject` (give `customerKey` for an object stored with
   * SSE-C: servers refuse a HEAD of one without it).
   * @throws BucketError `NoSuchBucket` when the bucket itself is missing
   */
  fileExists(bucket: string, key: string, options: CustomerKeyOption = {}): Promise<boolean> {
    const context = { operation: 'fileExists', bucket, key };
    return this.logged(context, async () => {
      this.assertTarget(context, bucket, key);
      assertReadKey(options, context);
      try {
        await this.connection.run(context, () =>
          headObject(this.client, bucket, key, options.customerKey),
        );
        return true;
      } catch (error) {
        if (toBucketError(error, context).code === 'NoSuchKey') return false;
        throw error;
      }
    });
  }

  /**
   * Downloads an object to a local file; above `partSizeBytes` with parallel ranged GETs. The
   * bytes go to a temporary file beside the destination, renamed into place only once their
   * length is verified: a failure leaves no file and does not touch an existing one.
   *
   * @throws BucketError `LocalFileError` (before any request), `NoSuchBucket`, `NoSuchKey`
   */
  downloadFile(
    bucket: string,
    key: string,
    destinationPath: string,
    options: DownloadFileOptions = {},
  ): Promise<DownloadFileResult> {
    const context = { operation: 'downloadFile', bucket, key };
    return this.logged(context, async () => {
      this.assertTarget(context, bucket, key);
      assertTransferOptions(options, context);
      assertReadKey(options, context);
      await checkDestinationFile(destinationPath, context);
      const plan = {
        partSizeBytes: options.partSizeBytes ?? this.options.partSizeBytes,
        concurrency: options.concurrency ?? this.options.downloadConcurrency,
        onProgress: options.onProgress,
        throughput: this.throughputLimit(),
        customerKey: options.customerKey,
        verifyChecksums: options.verifyChecksums ?? this.options.verifyChecksums,
      };
      // The temporary file is made before any request, so that a destination that cannot be
      // written (which access() does not reveal to root) fails without touching the network.
      const size = await withTemporaryFile(destinationPath, context, (file) =>
        this.transfers.track(context, options.signal, (signal) =>
          this.connection.run(
            context,
            async () => {
              await file.truncate(0); // a second attempt starts afresh
              return downloadToFile(this.client, context, file, { ...plan, signal });
            },
            { signal },
          ),
        ),
      );
      return { bucket, key, path: destinationPath, size };
    });
  }

  /** Deletes an object. Deleting a key that does not exist succeeds, as in S3. */
  async deleteFile(bucket: string, key: string): Promise<void> {
    const context = { operation: 'deleteFile', bucket, key };
    await this.logged(context, async () => {
      this.assertTarget(context, bucket, key);
      await this.connection.run(context, () =>
        this.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key })),
      );
    });
  }

  /**
   * Every key in a bucket (optionally under a prefix), following pagination, in S3's order
   * (lexicographic by UTF-8 bytes).
   * @throws BucketError `NoSuchBucket`
   */
  getBucketFiles(bucket: string, prefix?: string): Promise<string[]> {
    const context = { operation: 'getBucketFiles', bucket };
    return this.logged(context, async () => {
      assertValidBucketName(bucket, context.operation);
      return this.connection.run(context, async () => {
        const keys: string[] = [];
        for await (const page of listingPages(this.client, { bucket, prefix })) {
          for (const file of page.files) keys.push(file.key);
        }
        return keys;
      });
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
    const pages = await this.logged(context, async () => {
      assertValidBucketName(bucket, context.operation);
      assertOptionalInteger(options.pageSize, 'pageSize', 1, 1000, context);
      const iterator = listingPages(this.client, { bucket, ...options });
      // The first page is fetched here, so that connection and errors go through `run`.
      const first = await this.connection.run(context, () => iterator.next());
      return { iterator, first };
    });
    if (pages.first.done) return;
    yield* pages.first.value.files;
    for (;;) {
      const next = await pages.iterator.next().catch((error: unknown) => {
        throw this.failed(context, error);
      });
      if (next.done) return;
      yield* next.value.files;
    }
  }

  /**
   * The common prefixes ("folders") directly under `prefix`, grouped by `delimiter` (default
   * `/`), following pagination: `listFolders('media', { prefix: 'photos/' })` gives
   * `['photos/2023/', 'photos/2024/']`.
   *
   * @throws BucketError `NoSuchBucket`
   */
  listFolders(
    bucket: string,
    options: { prefix?: string; delimiter?: string } = {},
  ): Promise<string[]> {
    const context = { operation: 'listFolders', bucket };
    return this.logged(context, async () => {
      assertValidBucketName(bucket, context.operation);
      const query = { bucket, prefix: options.prefix, delimiter: options.delimiter ?? '/' };
      return this.connection.run(context, async () => {
        const prefixes: string[] = [];
        for await (const page of listingPages(this.client, query)) prefixes.push(...page.prefixes);
        return prefixes;
      });
    });
  }

  /**
   * Deletes many objects, in batches of at most 1,000 keys a request, and reports the keys that
   * the server refused instead of stopping at the first. Every key is checked before any request.
   *
   * @throws BucketError `InvalidKey` (before any request), `NoSuchBucket`
   */
  deleteFiles(
    bucket: string,
    keys: readonly string[],
    options: { signal?: AbortSignal } = {},
  ): Promise<DeleteFilesResult> {
    const context = { operation: 'deleteFiles', bucket };
    return this.logged(context, async () => {
      assertValidBucketName(bucket, context.operation);
      for (const key of keys) assertValidKey(key, context.operation, bucket);
      if (keys.length === 0) return { deleted: [], failed: [] };
      return this.connection.run(
        context,
        () => deleteInBatches(this.client, bucket, keys, options.signal),
        {
          signal: options.signal,
        },
      );
    });
  }

  /**
   * A presigned POST (an HTML form upload) for browsers, with a policy that the server enforces:
   * the key or a key prefix, the length range, the content type (exact or prefix), fixed
   * metadata, and the expiry. Signed locally: no request is made. Where a server lacks POST Object
   * (Cloudflare R2 answers 501), use a presigned PUT instead (`getPresignedUrl` with `method: 'PUT'`).
   *
   * @throws BucketError `InvalidArgument` or `InvalidKey` for options that break a rule, before signing
   */
  createPresignedPost(bucket: string, options: PresignedPostOptions): Promise<PresignedPost> {
    const context = { operation: 'createPresignedPost', bucket, key: options.key };
    return this.logged(context, async () => {
      assertValidBucketName(bucket, context.operation);
      assertPresignedPostOptions(options, context);
      return presignPost(this.signingClient, bucket, options);
    });
  }

  /**
   * Copies an object on the server (no bytes go through this process), with its metadata unless
   * `metadata` or `contentType` is given. Objects of any size: up to `multipartCopyThresholdBytes`
   * (5 GiB) one `CopyObject`, above it a copy in parts (`UploadPartCopy`) with progress, abort
   * and no multipart upload left behind on failure.
   *
   * @throws BucketError `NoSuchBucket`, `NoSuchKey`, `Aborted`
   */
  copyFile(
    sourceBucket: string,
    sourceKey: string,
    destinationBucket: string,
    destinationKey: string,
    options: CopyFileOptions = {},
  ): Promise<PutObjectResult> {
    const context = { operation: 'copyFile', bucket: sourceBucket, key: sourceKey };
    const target = { sourceBucket, sourceKey, bucket: destinationBucket, key: destinationKey };
    return this.logged(context, async () => {
      this.assertCopy(context, target, options);
      this.noteCopy(context, target);
      return this.transfers.track(context, options.signal, (signal) =>
        this.connection.run(
          context,
          () => copyAnySize(this.client, target, options, this.copyPlan(context, options, signal)),
          { signal },
        ),
      );
    });
  }

  /**
   * Moves an object: a server-side copy (in parts above `multipartCopyThresholdBytes`), then,
   * only once the copy is complete, the deletion of the source. Moving an object onto itself
   * changes nothing.
   *
   * @throws BucketError `NoSuchBucket`, `NoSuchKey`, `Aborted`
   */
  moveFile(
    sourceBucket: string,
    sourceKey: string,
    destinationBucket: string,
    destinationKey: string,
    options: CopyFileOptions = {},
  ): Promise<PutObjectResult> {
    const context = { operation: 'moveFile', bucket: sourceBucket, key: sourceKey };
    const target = { sourceBucket, sourceKey, bucket: destinationBucket, key: destinationKey };
    return this.logged(context, async () => {
      this.assertCopy(context, target, options);
      this.noteCopy(context, target);
      const same = sourceBucket === destinationBucket && sourceKey === destinationKey;
      return this.transfers.track(context, options.signal, (signal) =>
        this.connection.run(
          context,
          async () => {
            if (same && !changesObject(options)) {
              const info = await headObject(
                this.client,
                sourceBucket,
                sourceKey,
                options.sourceCustomerKey,
              );
              return { bucket: sourceBucket, key: sourceKey, etag: info.etag };
            }
            const plan = this.copyPlan(context, options, signal);
            const result = await copyAnySize(this.client, target, options, plan);
            if (!same) {
              await this.client.send(
                new DeleteObjectCommand({ Bucket: sourceBucket, Key: sourceKey }),
              );
            }
            return result;
          },
          { signal },
        ),
      );
    });
  }

  /**
   * Begins a multipart upload whose parts another client sends (a browser, through
   * {@link signUploadPart} URLs): the server decides the bucket, the key and what the object is
   * stored with. Finish it with {@link completeMultipartUpload}, or {@link abortMultipartUpload}
   * it; one left unfinished keeps its parts on the server until a lifecycle rule removes it.
   *
   * @throws BucketError `NoSuchBucket`, `InvalidKey`, `InvalidArgument` (before any request)
   */
  createMultipartUpload(
    bucket: string,
    key: string,
    options: CreateMultipartUploadOptions = {},
  ): Promise<MultipartUploadStarted> {
    const context = { operation: 'createMultipartUpload', bucket, key };
    return this.logged(context, async () => {
      this.assertTarget(context, bucket, key);
      assertUploadAttributes(options, context);
      assertNoCustomerKey(options, context);
      const uploadId = await this.connection.run(context, () =>
        createUpload(this.client, bucket, key, options),
      );
      return { bucket, key, uploadId };
    });
  }

  /**
   * A presigned URL to which a client without credentials `PUT`s one part (5 MiB to 5 GiB, the
   * last one smaller) of a multipart upload; the answer's `ETag` header names the part for
   * {@link completeMultipartUpload}. Signed locally, for `publicEndpoint` when set.
   *
   * @throws BucketError `InvalidArgument` for a part number outside 1 to 10,000, an empty upload id or a lifetime outside 1 s to 7 days
   */
  signUploadPart(
    bucket: string,
    key: string,
    uploadId: string,
    partNumber: number,
    options: SignUploadPartOptions = {},
  ): Promise<string> {
    const context = { operation: 'signUploadPart', bucket, key };
    return this.logged(context, async () => {
      this.assertUploadTarget(context, bucket, key, uploadId, options);
      assertPartNumbers([partNumber], context);
      return signPart(
        this.signingClient,
        { bucket, key, uploadId },
        partNumber,
        options.expiresIn ?? 900,
      );
    });
  }

  /**
   * {@link signUploadPart} for several parts at once (the batch that Uppy's S3 plugin asks for).
   * @returns the URL of each part, by part number
   * @throws BucketError `InvalidArgument`, as `signUploadPart`
   */
  signUploadParts(
    bucket: string,
    key: string,
    uploadId: string,
    partNumbers: number[],
    options: SignUploadPartOptions = {},
  ): Promise<Record<number, string>> {
    const context = { operation: 'signUploadParts', bucket, key };
    return this.logged(context, async () => {
      this.assertUploadTarget(context, bucket, key, uploadId, options);
      assertPartNumbers(partNumbers, context);
      const upload = { bucket, key, uploadId };
      const expiresIn = options.expiresIn ?? 900;
      const urls = await Promise.all(
        partNumbers.map((partNumber) =>
          signPart(this.signingClient, upload, partNumber, expiresIn),
        ),
      );
      return Object.fromEntries(partNumbers.map((partNumber, i) => [partNumber, urls[i] ?? '']));
    });
  }

  /**
   * The parts the server holds for an unfinished multipart upload, in part order: what a client
   * resuming an upload needs to send only the rest.
   *
   * @throws BucketError `NoSuchUpload` (completed, aborted or never created), `NoSuchBucket`
   */
  listUploadParts(bucket: string, key: string, uploadId: string): Promise<UploadedPart[]> {
    const context = { operation: 'listUploadParts', bucket, key };
    return this.logged(context, async () => {
      this.assertUploadTarget(context, bucket, key, uploadId, {});
      return this.connection.run(context, () => listParts(this.client, { bucket, key, uploadId }));
    });
  }

  /**
   * Joins the parts of a multipart upload, in part-number order, into the object.
   *
   * @throws BucketError `InvalidArgument` (no part, a number twice or out of range, a missing ETag: before any request; a part the server does not hold or smaller than 5 MiB but the last), `NoSuchUpload`
   */
  completeMultipartUpload(
    bucket: string,
    key: string,
    uploadId: string,
    parts: CompletedUploadPart[],
  ): Promise<PutObjectResult> {
    const context = { operation: 'completeMultipartUpload', bucket, key };
    return this.logged(context, async () => {
      this.assertUploadTarget(context, bucket, key, uploadId, {});
      assertCompletedParts(parts, context);
      return this.connection.run(context, async () => {
        const upload = { bucket, key, uploadId };
        const etag = await completeUpload(this.client, upload, parts);
        return {
          bucket,
          key,
          etag:
            etag === undefined || etag === ''
              ? await headEtag(this.client, { Bucket: bucket, Key: key })
              : etag,
        };
      });
    });
  }

  /**
   * Aborts a multipart upload: the server drops its parts. One already completed or aborted
   * counts as done.
   *
   * @throws BucketError `InvalidArgument` for an empty upload id, `NoSuchBucket`
   */
  abortMultipartUpload(bucket: string, key: string, uploadId: string): Promise<void> {
    const context = { operation: 'abortMultipartUpload', bucket, key };
    return this.logged(context, async () => {
      this.assertUploadTarget(context, bucket, key, uploadId, {});
      await this.connection.run(context, () =>
        abortMultipartUpload(this.client, { Bucket: bucket, Key: key, UploadId: uploadId }),
      );
    });
  }

  /**
   * A URL that lets a client without credentials download (`GET`) or upload (`PUT`) one object
   * until it expires, over plain HTTP. Signed locally: no request is made.
   *
   * A `PUT` URL binds the key, the expiry, and each of `contentType`, `contentLength` and
   * `metadata` that is given: the uploader must send those headers with those values, or the
   * server refuses the upload (403 `SignatureDoesNotMatch`) and stores nothing. It binds no size
   * range: for that, use {@link createPresignedPost}.
   *
   * @throws BucketError `InvalidArgument` for a lifetime outside 1 s to 7 days, another method, or
   * PUT options that break a rule (or are given for a GET)
   */
  getPresignedUrl(bucket: string, key: string, options: PresignedUrlOptions = {}): Promise<string> {
    const context = { operation: 'getPresignedUrl', bucket, key };
    return this.logged(context, async () => {
      this.assertTarget(context, bucket, key);
      assertPresignedUrlOptions(options, context);
      return presignUrl(this.signingClient, bucket, key, options);
    });
  }

  /**
   * An object's key, size, last-modified date, ETag, Content-Type and user metadata, from a
   * `HeadObject` (the body is never fetched).
   * @throws BucketError `NoSuchBucket`, `NoSuchKey`
   */
  getBucketFile(
    bucket: string,
    key: string,
    options: CustomerKeyOption = {},
  ): Promise<BucketFileInfo> {
    const context = { operation: 'getBucketFile', bucket, key };
    return this.logged(context, async () => {
      this.assertTarget(context, bucket, key);
      assertReadKey(options, context);
      return this.connection.run(context, () =>
        headObject(this.client, bucket, key, options.customerKey),
      );
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
    return `BucketService { name: ${inspect(this.name)}, endpoint: '${this.endpoint}', state: '${this.connection.state}' }`;
  }

  /** A JSON view without secrets. */
  toJSON(): {
    /** The instance's name; none for the default instance. */
    name?: string;
    /** The server's URL, without credentials. */
    endpoint: string;
    /** The connection's state: `never`, `connected`, `lost` or `disconnected`. */
    state: string;
  } {
    return { name: this.name, endpoint: this.endpoint, state: this.connection.state };
  }

  /**
   * The client that signs presigned URLs and POSTs: with `publicEndpoint`, one for that host,
   * built on first use (it never sends a request); otherwise the service's own client.
   */
  private get signingClient(): S3Client {
    const { publicEndpoint } = this.options;
    if (publicEndpoint === undefined) return this.client;
    this.publicSigner ??= createSigningClient(this.options, publicEndpoint);
    return this.publicSigner;
  }

  /** Checks the address of a multipart upload, and a part URL's lifetime, before any request. */
  private assertUploadTarget(
    context: BucketErrorContext,
    bucket: string,
    key: string,
    uploadId: string,
    options: SignUploadPartOptions,
  ): void {
    this.assertTarget(context, bucket, key);
    assertUploadId(uploadId, context);
    assertOptionalInteger(options.expiresIn, 'expiresIn', 1, 604_800, context);
  }

  /** Checks a bucket name and a key against S3's rules. */
  private assertTarget(context: BucketErrorContext, bucket: string, key: string): void {
    assertValidObjectAddress(bucket, key, context.operation ?? 'operation');
  }

  /**
   * The part size of a transfer: the one asked for (or the module's), grown by the part planner
   * so that a body of known size fits in 10,000 parts; checked before any request. A stream of
   * unknown length keeps it, and can carry up to 10,000 parts of it.
   */
  private partSizeFor(
    size: number | undefined,
    options: { partSizeBytes?: number },
    context: BucketErrorContext,
  ): number {
    const asked = options.partSizeBytes ?? this.options.partSizeBytes;
    return size === undefined ? asked : planParts(size, asked, context).partSizeBytes;
  }

  /** Checks both addresses and the tuning of a copy, before any request. */
  private assertCopy(context: BucketErrorContext, target: CopyTarget, options: CopyFileOptions) {
    this.assertTarget(context, target.sourceBucket, target.sourceKey);
    this.assertTarget(context, target.bucket, target.key);
    assertCopyOptions(options, context);
    assertUploadAttributes(options, context);
    assertReadKey(options, context);
  }

  /** Puts a copy's destination and source on its span (`aws.s3.bucket`, `aws.s3.copy_source`). */
  private noteCopy(context: BucketErrorContext, target: CopyTarget): void {
    this.telemetry?.note(context, {
      bucket: target.bucket,
      key: target.key,
      copySource: copySourceOf(target.sourceBucket, target.sourceKey),
    });
  }

  /** The copy plan of a call: its options over the module's defaults. */
  private copyPlan(
    context: BucketErrorContext,
    options: CopyFileOptions,
    signal: AbortSignal | undefined,
  ): CopyPlan {
    return {
      operation: context.operation ?? 'copyFile',
      multipartThresholdBytes:
        options.multipartThresholdBytes ?? this.options.multipartCopyThresholdBytes,
      partSizeBytes: options.partSizeBytes ?? this.options.partSizeBytes,
      concurrency: options.concurrency ?? this.options.uploadConcurrency,
      signal,
      onOrphan: (upload) => {
        this.connection.rememberOrphan(upload);
      },
    };
  }

  /** The upload plan of a call: its options over the module's defaults. */
  private uploadPlan(
    operation: string,
    size: number | undefined,
    options: PutObjectOptions,
    signal: AbortSignal | undefined,
  ): UploadPlan {
    return {
      operation,
      size,
      multipartThresholdBytes: this.options.multipartThresholdBytes,
      partSizeBytes: options.partSizeBytes ?? this.options.partSizeBytes,
      concurrency: options.concurrency ?? this.options.uploadConcurrency,
      signal,
      onProgress: options.onProgress,
      onOrphan: (upload) => {
        this.connection.rememberOrphan(upload);
      },
      retry: { maxAttempts: this.options.maxAttempts, baseDelayMs: this.options.retryBaseDelayMs },
      throughput: this.throughputLimit(),
      verifyChecksums: options.verifyChecksums ?? this.options.verifyChecksums,
    };
  }

  /** The slowest a transfer may go: `minBytesPerSecond` over `stallTimeoutMs`. */
  private throughputLimit(): ThroughputLimit {
    const { minBytesPerSecond, stallTimeoutMs } = this.options;
    return { minBytesPerSecond, stallTimeoutMs };
  }

  /** An operation on the server: through the connection, logged, errors mapped. */
  private perform<T>(
    context: BucketErrorContext,
    work: () => Promise<T>,
    options?: RunOptions,
  ): Promise<T> {
    return this.logged(context, () => this.connection.run(context, work, options));
  }

  /**
   * Runs the body of a public operation: in its OpenTelemetry span (when `@opentelemetry/api` is
   * installed), maps any failure to a `BucketError` (noting a lost connection) and, with `debug`,
   * logs one line with the duration, the outcome and the trace id.
   */
  private logged<T>(context: BucketErrorContext, body: () => Promise<T>): Promise<T> {
    const telemetry = this.telemetry;
    return telemetry === undefined
      ? this.mapped(context, body)
      : telemetry.operation(context, () => this.mapped(context, body));
  }

  /** What `logged` runs in the operation's span. */
  private async mapped<T>(context: BucketErrorContext, body: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      const result = await body();
      this.logOutcome(context, started, 'ok');
      return result;
    } catch (error) {
      throw this.failed(context, error, started);
    }
  }

  private failed(context: BucketErrorContext, error: unknown, started?: number): BucketError {
    const bucketError = toBucketError(error, context);
    this.connection.noteFailure(bucketError);
    if (started !== undefined) this.logOutcome(context, started, bucketError.code);
    return bucketError;
  }

  private logOutcome(
    context: BucketErrorContext,
    started: number,
    outcome: 'ok' | BucketError['code'],
  ): void {
    if (this.options.debug) {
      const traceId = this.telemetry?.traceId(context);
      this.logger.debug(
        messages.operationLog(context, performance.now() - started, outcome, traceId),
      );
    }
  }
}
