import {
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
  paginateListObjectsV2,
  type BucketLocationConstraint,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { lookup as lookupContentType } from 'mime-types';
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { Readable } from 'node:stream';
import { inspect } from 'node:util';
import { bucketErrorCodeOf, toBucketError } from './bucket.error-mapping';
import { BucketError, type BucketErrorContext } from './bucket.errors';
import * as messages from './bucket.messages';
import type { ResolvedBucketOptions } from './bucket.options';
import type {
  BucketFileInfo,
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
import { assertValidBucketName, assertValidKey, toRangeHeader } from './bucket.validation';
import { checkDestinationFile, checkSourceFile, writeFileAtomically } from './local-files';

/** Where the service stands with its server. */
type ConnectionState = 'never' | 'connected' | 'lost' | 'disconnected';

/** Files above this size are uploaded in parts through `@aws-sdk/lib-storage`. */
const MULTIPART_THRESHOLD_BYTES = 16 * 1024 * 1024;

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
export class BucketService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger: Logger;
  private state: ConnectionState = 'never';
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

  /** Releases the client's sockets when the application shuts down. */
  onApplicationShutdown(): void {
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
   * Deletes an empty bucket.
   * @throws BucketError `NoSuchBucket`, `BucketNotEmpty`
   */
  async deleteBucket(name: string): Promise<void> {
    assertValidBucketName(name, 'deleteBucket');
    await this.run({ operation: 'deleteBucket', bucket: name }, async () => {
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
    const size = await checkSourceFile(filePath, context);
    const contentType =
      options.contentType ?? (lookupContentType(filePath) || 'application/octet-stream');
    const params = {
      Bucket: bucket,
      Key: key,
      ContentType: contentType,
      Metadata: options.metadata,
    };
    return this.run(
      context,
      async () => {
        const body = createReadStream(filePath);
        try {
          const etag = await this.sendBody(params, body, size, options.signal);
          return { bucket, key, size, etag };
        } finally {
          body.destroy();
        }
      },
      { signal: options.signal },
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
    const params = {
      Bucket: bucket,
      Key: key,
      ContentType: options.contentType ?? 'application/octet-stream',
      Metadata: options.metadata,
    };
    const size = body instanceof Readable ? options.contentLength : Buffer.byteLength(body);
    const etag = await this.run(
      { operation, bucket, key },
      () => this.sendBody(params, body, size, options.signal),
      // A stream is consumed by the first attempt: it cannot be sent again.
      { signal: options.signal, repeatable: !(body instanceof Readable) },
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
    await checkDestinationFile(destinationPath, context);
    return this.run(
      context,
      async () => {
        const output = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }), {
          abortSignal: options.signal,
        });
        const size = await writeFileAtomically(
          output.Body as Readable,
          destinationPath,
          output.ContentLength,
          context,
        );
        return { bucket, key, path: destinationPath, size };
      },
      { signal: options.signal },
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
      for await (const page of paginateListObjectsV2(
        { client: this.client },
        { Bucket: bucket, Prefix: prefix },
      )) {
        for (const object of page.Contents ?? [])
          if (object.Key !== undefined) keys.push(object.Key);
      }
      return keys;
    });
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

  /** Renders the service without its options' secret nor its client's internals. */
  [inspect.custom](): string {
    return `BucketService { name: ${inspect(this.name)}, endpoint: '${this.endpoint}', state: '${this.state}' }`;
  }

  /** A JSON view without secrets. */
  toJSON(): { name?: string; endpoint: string; state: string } {
    return { name: this.name, endpoint: this.endpoint, state: this.state };
  }

  /**
   * Sends a body in one PutObject when its size is known and small, else in parts through
   * lib-storage's `Upload`, which aborts the multipart upload on failure or abort.
   *
   * @returns the ETag, without quotes
   */
  private async sendBody(
    params: { Bucket: string; Key: string; ContentType: string; Metadata?: Record<string, string> },
    body: ObjectBody,
    size: number | undefined,
    signal: AbortSignal | undefined,
  ): Promise<string | undefined> {
    if (size !== undefined && size <= MULTIPART_THRESHOLD_BYTES) {
      const output = await this.client.send(
        new PutObjectCommand({ ...params, Body: body, ContentLength: size }),
        { abortSignal: signal },
      );
      return unquote(output.ETag);
    }
    const upload = new Upload({
      client: this.client,
      params: { ...params, Body: body },
      leavePartsOnError: false,
    });
    const abort = () => void upload.abort();
    signal?.addEventListener('abort', abort, { once: true });
    try {
      if (signal?.aborted) await upload.abort();
      const output = await upload.done();
      return unquote(output.ETag);
    } finally {
      signal?.removeEventListener('abort', abort);
    }
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
        throw toBucketError(error, { operation: 'connect' });
      }
    }
    this.state = 'connected';
    this.logger.log(
      wasLost ? messages.reconnected(this.endpoint) : messages.connected(this.endpoint),
    );
  }

  /** Connects on behalf of an operation, so that a failure names that operation, its bucket and key. */
  private async connectFor(context: BucketErrorContext): Promise<void> {
    try {
      await this.connect();
    } catch (error) {
      throw toBucketError(error instanceof BucketError ? (error.cause ?? error) : error, context);
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
      const bucketError = toBucketError(error, context);
      if (this.isConnectionLoss(bucketError) && this.state === 'connected') this.state = 'lost';
      this.logOutcome(context, started, bucketError.code);
      throw bucketError;
    }
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
