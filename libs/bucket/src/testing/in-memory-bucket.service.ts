import { createHash } from 'node:crypto';
import {
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { lookup as lookupContentType } from 'mime-types';
import type { FileHandle } from 'node:fs/promises';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { Readable } from 'node:stream';
import { inspect } from 'node:util';
import { toBucketError } from '../bucket.error-mapping';
import {
  BucketError,
  createBucketError,
  type BucketErrorCode,
  type BucketErrorContext,
} from '../bucket.errors';
import { BucketHandle } from '../bucket.handle';
import * as messages from '../bucket.messages';
import { BUCKET_OPTION_DEFAULTS } from '../bucket.options';
import type { BucketService } from '../bucket.service';
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
  ObjectHeaders,
  PresignedUrlOptions,
  PutObjectOptions,
  PutObjectResult,
  SignUploadPartOptions,
  TransferProgress,
  UploadAttributes,
  UploadedPart,
  UploadFileOptions,
  UploadFileResult,
} from '../bucket.types';
import {
  assertOptionalInteger,
  assertCopyOptions,
  assertTransferOptions,
  assertValidBucketName,
  assertValidKey,
  assertValidObjectAddress,
  toRangeHeader,
} from '../bucket.validation';
import {
  checkDestinationFile,
  checkSourceFile,
  withTemporaryFile,
  writeFullyAt,
} from '../local-files';
import { abortErrorOf, throwIfAborted } from '../transfers/abort';
import { withExactLength } from '../transfers/exact-length';
import { TransferTracker } from '../transfers/transfer-tracker';
import type { BucketOperation, BucketServiceContract } from './bucket-service-contract';
import type { InMemoryBucketOptions } from './bucket-testing.options';
import { FailureQueue, type CallTarget, type FailNextOptions } from './in-memory-bucket.faults';
import { InMemoryPresigner, s3ErrorXml } from './in-memory-bucket.presigned';
import { InMemoryPostSigner } from './in-memory-bucket.presigned-post';
import {
  HEADER_NAMES,
  HEADER_OF_OPTION,
  assertNoCustomerKey,
  assertReadKey,
  assertUploadAttributes,
  changesObject,
  replacesHeaders,
} from '../operations/object-attributes';
import {
  assertCompletedParts,
  assertPartNumbers,
  assertUploadId,
} from '../operations/browser-multipart';
import { assertPresignedPostOptions } from '../operations/presigned-post';
import {
  InMemoryMultipartUploads,
  isRefusal,
  type PendingUpload,
} from './in-memory-bucket.multipart';
import { assertPresignedUrlOptions, presignedPutHeaders } from '../operations/presigned-url';
import type { PresignedPost, PresignedPostOptions } from '../presigned-post.types';
import { InMemoryBucketStore, type StoredObject } from './in-memory-bucket.store';
import { planParts } from '../transfers/part-plan';
import {
  etagOfUpload,
  isMultipart,
  multipartEtag,
  singlePartEtag,
  type UploadShape,
} from './s3-etag';
import { resolveRange } from './s3-range';

/** Where the fake stands with its (imaginary) server: the same states as `BucketService`. */
type ConnectionState = 'never' | 'connected' | 'lost' | 'disconnected';

/** The size of the chunks that a `getObject` body emits. */
const BODY_CHUNK_BYTES = 64 * 1024;

/** The size of the writes of `downloadFile`, each followed by a progress report. */
const DOWNLOAD_CHUNK_BYTES = 256 * 1024;

/** What S3 stores as the Content-Type of an object written without one (`CopyObject` with new metadata, a presigned PUT). */
const S3_DEFAULT_CONTENT_TYPE = 'binary/octet-stream';

/** What {@link InMemoryBucketService.listStored} returns for each object. */
export interface StoredObjectInfo extends BucketFileInfo {
  /** The object's bucket. */
  bucket: string;
  /** The Content-Type stored with the object. */
  contentType: string;
  /** The object's tags (empty when it has none). */
  tags: Record<string, string>;
}

/** The stored headers and encryption of an object, as `BucketFileInfo` gives them. */
function attributesOf(
  object: StoredObject,
): Pick<
  BucketFileInfo,
  'cacheControl' | 'contentDisposition' | 'contentEncoding' | 'contentLanguage' | 'encryption'
> {
  return {
    ...object.headers,
    ...(object.encryption ? { encryption: { ...object.encryption } } : {}),
  };
}

/** The attributes a plain HTTP PUT sets with its headers, as S3 reads them. */
function attributesFromHeaders(headers: Headers): UploadAttributes {
  const header = (name: string) => headers.get(name) ?? undefined;
  const tagging = header('x-amz-tagging');
  const sse = header('x-amz-server-side-encryption');
  const stored: ObjectHeaders = {};
  for (const name of HEADER_NAMES) stored[name] = header(HEADER_OF_OPTION[name]);
  return {
    ...stored,
    tags: tagging === undefined ? undefined : Object.fromEntries(new URLSearchParams(tagging)),
    encryption:
      sse === 'AES256'
        ? { type: 'SSE-S3' }
        : sse === 'aws:kms'
          ? { type: 'SSE-KMS', keyId: header('x-amz-server-side-encryption-aws-kms-key-id') }
          : undefined,
  };
}

/** The attributes a POST form sets with its fields (tags as the XML of `tagging`). */
function attributesFromPostFields(fields: Record<string, string>): UploadAttributes {
  const headers = new Headers();
  for (const [name, value] of Object.entries(fields)) {
    if (name !== 'tagging' && name !== 'file') headers.set(name, value);
  }
  const attributes = attributesFromHeaders(headers);
  const tagging = fields.tagging as string | undefined;
  if (tagging === undefined) return attributes;
  const unescape = (text: string) =>
    text.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));
  const tags: Record<string, string> = {};
  for (const match of tagging.matchAll(/<Tag><Key>(.*?)<\/Key><Value>(.*?)<\/Value><\/Tag>/g)) {
    tags[unescape(match[1])] = unescape(match[2]);
  }
  return { ...attributes, tags };
}

/** What an upload or a copy stores besides the bytes, the content type and the metadata. */
function storedAttributesOf(
  options: UploadAttributes,
): Pick<StoredObject, 'headers' | 'tags' | 'encryption' | 'customerKeyMd5'> {
  const headers: ObjectHeaders = {};
  for (const name of HEADER_NAMES) {
    if (options[name] !== undefined) headers[name] = options[name];
  }
  const { encryption } = options;
  return {
    headers,
    tags: { ...options.tags },
    ...(encryption?.type === 'SSE-C'
      ? { encryption: { type: 'SSE-C' }, customerKeyMd5: keyMd5(encryption.key) }
      : encryption
        ? { encryption: { ...encryption } }
        : {}),
  };
}

/** The MD5 of an SSE-C key, which is all S3 keeps of it. */
function keyMd5(key: Uint8Array): string {
  return createHash('md5').update(key).digest('hex');
}

/**
 * Refuses a read of an SSE-C object without its key (400) or with another one (403), as AWS
 * does; a key given for an object stored without one is refused too (400).
 */
function requireCustomerKey(object: StoredObject, key: Uint8Array | undefined): void {
  if (object.customerKeyMd5 === undefined) {
    if (key !== undefined)
      throw s3Error(
        'InvalidArgument',
        400,
        'The encryption parameters are not applicable to this object.',
      );
    return;
  }
  if (key === undefined)
    throw s3Error(
      'InvalidRequest',
      400,
      'The object was stored using a form of Server Side Encryption. The correct parameters must be provided to retrieve the object.',
    );
  if (keyMd5(key) !== object.customerKeyMd5)
    throw s3Error(
      'AccessDenied',
      403,
      'The SSE-C key does not match the one the object was stored with.',
    );
}

/** Options of {@link InMemoryBucketService.seedObject}. */
export interface SeedObjectOptions {
  /** The Content-Type to store. Default: `application/octet-stream`. */
  contentType?: string;
  /** User metadata to store; names are lowercased, as S3 does. */
  metadata?: Record<string, string>;
  /** The object's date. Default: the fake's clock. */
  lastModified?: Date;
}

/**
 * The cause of an error that {@link InMemoryBucketService.failNext} scheduled: check
 * `error.cause instanceof SimulatedBucketFailure` to tell a simulated failure from a real one.
 */
export class SimulatedBucketFailure extends Error {
  /**
   * @param code - the code the failure was scheduled with
   * @param detail - the detail of the message
   */
  constructor(
    readonly code: BucketErrorCode,
    readonly detail: string,
  ) {
    super(detail);
    this.name = 'SimulatedBucketFailure';
  }
}

/** An error as the AWS SDK reports an S3 error answer: its S3 code as `name`, and the HTTP status. */
function s3Error(name: string, httpStatusCode: number, message = ''): Error {
  // An empty message gives the detail "HTTP 404 NoSuchKey", as from a server that sends none.
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode } });
}

/** The error the AWS SDK throws for a request whose `AbortSignal` fired (without its reason). */
function sdkAbortError(): Error {
  return Object.assign(new Error('Request aborted'), { name: 'AbortError' });
}

/** What a response body stream fails with when the request is aborted while it is read. */
function bodyAbortedError(): Error {
  return Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
}

function isConnectionLoss(code: BucketErrorCode): boolean {
  return code === 'ConnectionFailed' || code === 'Timeout';
}

/** Lowercases metadata names, as S3 does (HTTP header names carry no case). */
function normaliseMetadata(metadata: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(
    Object.entries(metadata ?? {}).map(([name, value]) => [name.toLowerCase(), value]),
  );
}

/** A date cut to the second, as S3's `Last-Modified` header gives it. */
function toSecond(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000);
}

/** A response body: the bytes in chunks, destroyed as the SDK's is when the signal fires. */
function bodyStream(data: Buffer, signal: AbortSignal | undefined): Readable {
  let offset = 0;
  const body = new Readable({
    read() {
      if (offset >= data.length) {
        this.push(null);
        return;
      }
      const end = Math.min(offset + BODY_CHUNK_BYTES, data.length);
      this.push(data.subarray(offset, end));
      offset = end;
    },
  });
  if (signal) {
    const abort = () => {
      body.destroy(bodyAbortedError());
    };
    signal.addEventListener('abort', abort, { once: true });
    body.once('close', () => {
      signal.removeEventListener('abort', abort);
    });
  }
  return body;
}

/** Reads a `putObject` body into a new Buffer (never one the caller holds). */
async function readBody(body: ObjectBody, signal: AbortSignal | undefined): Promise<Buffer> {
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (!(body instanceof Readable)) return Buffer.from(body);
  // As the real upload does, an abort destroys the body stream.
  const abort = () => {
    if (signal) body.destroy(abortErrorOf(signal));
  };
  signal?.addEventListener('abort', abort, { once: true });
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of body as AsyncIterable<unknown>) {
      chunks.push(
        typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk as Uint8Array),
      );
    }
    return Buffer.concat(chunks);
  } catch (error) {
    if (signal?.aborted) throw abortErrorOf(signal);
    throw error;
  } finally {
    signal?.removeEventListener('abort', abort);
  }
}

/** Writes bytes into an open file in chunks, reporting progress and stopping on abort. */
async function writeInto(
  file: FileHandle,
  data: Buffer,
  signal: AbortSignal | undefined,
  onProgress: ((progress: TransferProgress) => void) | undefined,
): Promise<number> {
  for (let offset = 0; offset < data.length; offset += DOWNLOAD_CHUNK_BYTES) {
    throwIfAborted(signal);
    const chunk = data.subarray(offset, offset + DOWNLOAD_CHUNK_BYTES);
    await writeFullyAt(file, chunk, offset);
    onProgress?.({ loaded: offset + chunk.length, total: data.length });
  }
  throwIfAborted(signal);
  // The real download reports once more when it completes, also for an empty object.
  onProgress?.({ loaded: data.length, total: data.length });
  return data.length;
}

/**
 * An in-memory `BucketService` for tests: the same methods, the same validation, the same errors
 * (codes, classes and messages) and the same S3 semantics (byte-order listing with prefixes and
 * delimiters, ETags, ranges, content types, metadata, copies, presigned URLs), proven by the
 * contract suite that also runs against a real server.
 *
 * On top of the contract it has inspection helpers (`listStored`, `readStored`, `storedBuckets`),
 * arrangement helpers (`seedBucket`, `seedObject`), fault injection (`failNext`), a resolver for
 * its presigned URLs (`fetchPresignedUrl`) and `reset`.
 *
 * @example
 * ```ts
 * const bucket = new InMemoryBucketService({ buckets: ['avatars'] });
 * const avatars = new AvatarsService(bucket.asBucketService());
 * await avatars.save('u1', png);
 * expect(bucket.readStored('avatars', 'u1.png')).toEqual(png);
 * ```
 */
export class InMemoryBucketService
  implements BucketServiceContract, OnModuleInit, BeforeApplicationShutdown, OnApplicationShutdown
{
  /** The instance's name; none for the default instance. */
  readonly name?: string;
  private readonly store = new InMemoryBucketStore();
  private readonly failures = new FailureQueue();
  private readonly presigner = new InMemoryPresigner();
  private readonly multipart = new InMemoryMultipartUploads();
  private readonly postSigner = new InMemoryPostSigner();
  private readonly logger: Logger;
  private readonly options: InMemoryBucketOptions;
  private state: ConnectionState = 'never';
  private transfers = new TransferTracker();
  private connecting?: Promise<void>;

  /** @param options - the fake's options; all optional */
  constructor(options: InMemoryBucketOptions = {}) {
    this.options = options;
    this.name = options.name;
    this.logger = new Logger(
      options.name ? `InMemoryBucketService:${options.name}` : InMemoryBucketService.name,
    );
    this.seedInitialBuckets();
  }

  /** A recognisable fake URL: `memory://default`, `memory://<name>`, or the `endpoint` option. */
  get endpoint(): string {
    return this.options.endpoint ?? `memory://${this.name ?? 'default'}`;
  }

  /** Connects at boot unless `autoConnect` is `false`. A failure is logged once and not thrown. */
  async onModuleInit(): Promise<void> {
    if (this.options.autoConnect === false) return;
    try {
      await this.connect();
    } catch (error) {
      const { message } = toBucketError(error, { operation: 'connect' });
      this.logger.warn(messages.bootConnectFailed(this.endpoint, message));
    }
  }

  /**
   * As the real one: from now on transfers (`putObject`, `uploadFile`, `downloadFile`) are refused
   * with `Aborted`; those in flight may finish for up to `shutdownDrainMs`, then are aborted.
   */
  async beforeApplicationShutdown(): Promise<void> {
    const drainMs = this.options.shutdownDrainMs ?? BUCKET_OPTION_DEFAULTS.shutdownDrainMs;
    await this.transfers.drain(drainMs, this.logger);
  }

  /** Disconnects when the application shuts down; the stored objects stay. */
  async onApplicationShutdown(): Promise<void> {
    await Promise.resolve();
    this.disconnect();
  }

  /**
   * Connects; it always succeeds unless a failure was scheduled for `'connect'`. Concurrent calls
   * share one attempt.
   *
   * @throws BucketError with the scheduled code
   */
  async connect(): Promise<void> {
    return this.connectOnce(false);
  }

  /** Whether the fake is connected: `false` before `connect()` and after `disconnect()`, as the real one. */
  async isConnected(): Promise<boolean> {
    if (this.state !== 'connected') return false;
    await Promise.resolve();
    const failure = this.failures.take({ operation: 'isConnected' });
    if (failure && isConnectionLoss(failure.code)) this.state = 'lost';
    return this.state === 'connected';
  }

  /** Marks the fake disconnected; the next operation connects again. The stored objects stay. */
  disconnect(): void {
    this.state = 'disconnected';
  }

  /**
   * Answers at once, as a reachable server would; with a `bucket` (default: the `bucket` option),
   * checks that it exists, as `HeadBucket` does.
   *
   * @param timeoutMs - accepted for compatibility; schedule a `Timeout` with `failNext` to test one
   * @returns the latency in ms
   * @throws BucketError `NoSuchBucket`, or a scheduled failure
   */
  async probe(timeoutMs?: number, bucket = this.options.bucket): Promise<number> {
    const started = performance.now();
    await Promise.resolve();
    const context = { operation: 'probe', bucket };
    const failure = this.failures.take({ operation: 'probe', bucket });
    if (failure) throw this.simulated(failure.code, failure.detail, context);
    if (bucket && !this.store.hasBucket(bucket))
      throw toBucketError(s3Error('NotFound', 404), context);
    return performance.now() - started;
  }

  /** The name of every bucket, in byte order, as `ListBuckets` gives them. */
  async getBucketNames(): Promise<string[]> {
    return this.run({ operation: 'getBucketNames' }, () => this.store.bucketNames());
  }

  /**
   * Creates a bucket.
   * @throws BucketError `InvalidBucketName`, `BucketAlreadyExists`
   */
  async createBucket(name: string): Promise<void> {
    assertValidBucketName(name, 'createBucket');
    await this.run({ operation: 'createBucket', bucket: name }, () => {
      if (!this.store.createBucket(name, this.now())) {
        throw Object.assign(new Error('the bucket exists and is owned by these credentials'), {
          name: 'BucketAlreadyOwnedByYou',
        });
      }
    });
  }

  /**
   * Deletes a bucket; with `{ force: true }`, with everything in it.
   * @throws BucketError `NoSuchBucket`, `BucketNotEmpty`
   */
  async deleteBucket(name: string, options: DeleteBucketOptions = {}): Promise<void> {
    assertValidBucketName(name, 'deleteBucket');
    await this.run({ operation: 'deleteBucket', bucket: name }, () => {
      if (options.force) this.store.emptyBucket(name);
      const outcome = this.store.deleteBucket(name);
      if (outcome === 'missing') throw s3Error('NoSuchBucket', 404);
      if (outcome === 'not-empty') throw s3Error('BucketNotEmpty', 409);
    });
  }

  /**
   * Stores a local file, read from disk. The key defaults to the file's base name and the content
   * type is guessed from its extension, as the real service does.
   *
   * @throws BucketError `LocalFileError` (before anything else), `InvalidArgument`, `NoSuchBucket`,
   * `InvalidKey`, `Aborted`
   */
  async uploadFile(
    bucket: string,
    filePath: string,
    key: string = typeof filePath === 'string' ? basename(filePath) : '',
    options: UploadFileOptions = {},
  ): Promise<UploadFileResult> {
    const operation = 'uploadFile' as const;
    assertValidObjectAddress(bucket, key, operation);
    const context = { operation, bucket, key };
    assertTransferOptions(options, context);
    assertUploadAttributes(options, context);
    const size = await checkSourceFile(filePath, context);
    const contentType =
      options.contentType ?? (lookupContentType(filePath) || 'application/octet-stream');
    return this.transfer(context, options.signal, (signal) =>
      this.run(context, async () => {
        throwIfAborted(signal);
        this.requireBucket(bucket);
        const data = await readFile(filePath, { signal }).catch((error: unknown) => {
          throw signal.aborted ? abortErrorOf(signal) : error;
        });
        const shape = this.uploadShape(size, options);
        const etag = this.upload(bucket, key, data, shape, contentType, options, signal);
        return { bucket, key, size, etag };
      }),
    );
  }

  /**
   * Stores an object from a Buffer, a string, a Uint8Array or a stream (read whole). The bytes are
   * copied: changing the caller's Buffer later does not change the object.
   *
   * @throws BucketError `InvalidArgument`, `NoSuchBucket`, `InvalidKey`, `Aborted`
   */
  async putObject(
    bucket: string,
    key: string,
    body: ObjectBody,
    options: PutObjectOptions = {},
  ): Promise<PutObjectResult> {
    const operation = 'putObject' as const;
    assertValidObjectAddress(bucket, key, operation);
    const context = { operation, bucket, key };
    assertTransferOptions(options, context);
    assertUploadAttributes(options, context);
    const announced = body instanceof Readable ? options.contentLength : Buffer.byteLength(body);
    const etag = await this.transfer(context, options.signal, (signal) =>
      this.run(context, async () => {
        throwIfAborted(signal);
        this.requireBucket(bucket);
        // The same check as the real service: a stream must have exactly its contentLength.
        const checked =
          body instanceof Readable && announced !== undefined
            ? withExactLength(body, announced, context)
            : body;
        const data = await readBody(checked, signal);
        const shape = this.uploadShape(announced, options);
        const contentType = options.contentType ?? 'application/octet-stream';
        return this.upload(bucket, key, data, shape, contentType, options, signal);
      }),
    );
    return { bucket, key, etag };
  }

  /**
   * Reads an object (or a byte range of it) as a stream, with its metadata.
   * @throws BucketError `NoSuchBucket`, `NoSuchKey`, `InvalidRange`, `Aborted`
   */
  async getObject(
    bucket: string,
    key: string,
    options: GetObjectOptions = {},
  ): Promise<GetObjectResult> {
    const operation = 'getObject' as const;
    assertValidObjectAddress(bucket, key, operation);
    const context = { operation, bucket, key };
    const range = options.range === undefined ? undefined : toRangeHeader(options.range, context);
    return this.run(context, () => {
      if (options.signal?.aborted) throw sdkAbortError();
      const object = this.requireObject(bucket, key);
      requireCustomerKey(object, options.customerKey);
      const size = object.data.length;
      let data = object.data;
      let contentRange: string | undefined;
      if (range !== undefined) {
        const selected = resolveRange(range, size);
        if (selected === undefined) throw s3Error('InvalidRange', 416);
        if (selected) {
          data = data.subarray(selected.start, selected.end + 1);
          contentRange = `bytes ${selected.start}-${selected.end}/${size}`;
        }
      }
      return {
        body: bodyStream(data, options.signal),
        contentType: object.contentType,
        contentLength: data.length,
        contentRange,
        size,
        etag: object.etag,
        lastModified: toSecond(object.lastModified),
        metadata: { ...object.metadata },
        ...attributesOf(object),
      };
    });
  }

  /**
   * Whether an object exists.
   * @throws BucketError `NoSuchBucket` when the bucket itself is missing
   */
  async fileExists(bucket: string, key: string, options: CustomerKeyOption = {}): Promise<boolean> {
    try {
      await this.headObject('fileExists', bucket, key, options);
      return true;
    } catch (error) {
      if (error instanceof BucketError && error.code === 'NoSuchKey') return false;
      throw error;
    }
  }

  /**
   * Writes an object to a local file, through a temporary file renamed into place, as the real
   * service does: a failure or an abort leaves no file and does not touch an existing one.
   *
   * @throws BucketError `LocalFileError` (before anything else), `InvalidArgument`, `NoSuchBucket`,
   * `NoSuchKey`, `Aborted`
   */
  async downloadFile(
    bucket: string,
    key: string,
    destinationPath: string,
    options: DownloadFileOptions = {},
  ): Promise<DownloadFileResult> {
    const operation = 'downloadFile' as const;
    assertValidObjectAddress(bucket, key, operation);
    const context = { operation, bucket, key };
    assertTransferOptions(options, context);
    await checkDestinationFile(destinationPath, context);
    // As the real one: the temporary file is created before anything else, so that a destination
    // that cannot be written fails first.
    const size = await withTemporaryFile(destinationPath, context, (file) =>
      this.transfer(context, options.signal, (signal) =>
        this.run(context, async () => {
          try {
            throwIfAborted(signal);
            const object = this.requireObject(bucket, key);
            requireCustomerKey(object, options.customerKey);
            await file.truncate(0);
            return await writeInto(file, object.data, signal, options.onProgress);
          } catch (error) {
            // As the real download: whatever an abort cut short is reported as the abort.
            if (signal.aborted) throw abortErrorOf(signal);
            throw error;
          }
        }),
      ),
    ).catch((error: unknown) => {
      throw toBucketError(error, context);
    });
    return { bucket, key, path: destinationPath, size };
  }

  /** Deletes an object. Deleting a key that does not exist succeeds, as in S3. */
  async deleteFile(bucket: string, key: string): Promise<void> {
    assertValidObjectAddress(bucket, key, 'deleteFile');
    await this.run({ operation: 'deleteFile', bucket, key }, () => {
      if (!this.store.deleteObject(bucket, key)) throw s3Error('NoSuchBucket', 404);
    });
  }

  /**
   * Every key in a bucket (optionally under a prefix), in S3's order (by UTF-8 bytes), read page
   * by page as the real service follows pagination.
   * @throws BucketError `NoSuchBucket`
   */
  async getBucketFiles(bucket: string, prefix?: string): Promise<string[]> {
    assertValidBucketName(bucket, 'getBucketFiles');
    return this.run({ operation: 'getBucketFiles', bucket }, () => {
      const keys: string[] = [];
      let continuationToken: string | undefined;
      do {
        const page = this.store.listObjects(bucket, { prefix, continuationToken });
        if (!page) throw s3Error('NoSuchBucket', 404);
        for (const object of page.objects) keys.push(object.key);
        continuationToken = page.nextContinuationToken;
      } while (continuationToken !== undefined);
      return keys;
    });
  }

  /**
   * The objects of a bucket as an async iterator that reads pages lazily (`pageSize` keys each),
   * as the real one: nothing is checked until the first iteration.
   *
   * @throws BucketError `InvalidBucketName`, `InvalidArgument`, `NoSuchBucket`, on the first iteration
   */
  async *listFiles(
    bucket: string,
    options: ListFilesOptions = {},
  ): AsyncGenerator<ListedFile, void, undefined> {
    const context = { operation: 'listFiles' as const, bucket };
    assertValidBucketName(bucket, context.operation);
    assertOptionalInteger(options.pageSize, 'pageSize', 1, 1000, context);
    const { prefix, delimiter, pageSize } = options;
    let continuationToken: string | undefined;
    do {
      const token = continuationToken;
      const page = await this.run(context, () => {
        const listed = this.store.listObjects(bucket, {
          prefix,
          delimiter,
          maxKeys: pageSize,
          continuationToken: token,
        });
        if (!listed) throw s3Error('NoSuchBucket', 404);
        return listed;
      });
      for (const object of page.objects) {
        yield {
          key: object.key,
          size: object.data.length,
          lastModified: new Date(object.lastModified),
          etag: object.etag,
        };
      }
      continuationToken = page.nextContinuationToken;
    } while (continuationToken !== undefined);
  }

  /**
   * The common prefixes ("folders") directly under `prefix`, grouped by `delimiter` (default `/`).
   * @throws BucketError `NoSuchBucket`
   */
  async listFolders(
    bucket: string,
    options: { prefix?: string; delimiter?: string } = {},
  ): Promise<string[]> {
    assertValidBucketName(bucket, 'listFolders');
    return this.run({ operation: 'listFolders', bucket }, () => {
      const prefixes: string[] = [];
      const query = { prefix: options.prefix, delimiter: options.delimiter ?? '/' };
      let continuationToken: string | undefined;
      do {
        const page = this.store.listObjects(bucket, { ...query, continuationToken });
        if (!page) throw s3Error('NoSuchBucket', 404);
        prefixes.push(...page.commonPrefixes);
        continuationToken = page.nextContinuationToken;
      } while (continuationToken !== undefined);
      return prefixes;
    });
  }

  /**
   * Deletes many objects. Every key is checked before anything is deleted; repeated keys count
   * once, and keys that do not exist count as deleted, as in S3.
   *
   * @throws BucketError `InvalidKey` (before anything else), `NoSuchBucket`, `Aborted`
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
    return this.run({ operation, bucket }, () => {
      if (options.signal?.aborted) throw sdkAbortError();
      this.requireBucket(bucket);
      const unique = [...new Set(keys)];
      for (const key of unique) this.store.deleteObject(bucket, key);
      return { deleted: unique, failed: [] };
    });
  }

  /**
   * Copies an object, with its content type and metadata unless `metadata` or `contentType` is
   * given (then both are replaced; a missing content type becomes `binary/octet-stream`, as in S3).
   * The copy keeps the source's ETag and gets a new date.
   *
   * @throws BucketError `NoSuchBucket`, `NoSuchKey`; `Unknown` for a copy onto itself that changes nothing
   */
  async copyFile(
    sourceBucket: string,
    sourceKey: string,
    destinationBucket: string,
    destinationKey: string,
    options: CopyFileOptions = {},
  ): Promise<PutObjectResult> {
    const operation = 'copyFile';
    assertValidObjectAddress(sourceBucket, sourceKey, operation);
    assertValidObjectAddress(destinationBucket, destinationKey, operation);
    const context = { operation, bucket: sourceBucket, key: sourceKey } as const;
    assertCopyOptions(options, context);
    assertUploadAttributes(options, context);
    return this.run(context, () =>
      this.copy(sourceBucket, sourceKey, destinationBucket, destinationKey, options),
    );
  }

  /**
   * Moves an object: a copy, then the source's deletion, as the real one. Moving an object onto
   * itself changes nothing.
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
    const operation = 'moveFile';
    assertValidObjectAddress(sourceBucket, sourceKey, operation);
    assertValidObjectAddress(destinationBucket, destinationKey, operation);
    const context = { operation, bucket: sourceBucket, key: sourceKey } as const;
    assertCopyOptions(options, context);
    assertUploadAttributes(options, context);
    const same = sourceBucket === destinationBucket && sourceKey === destinationKey;
    return this.run(context, () => {
      if (same && !changesObject(options)) {
        const info = this.head(sourceBucket, sourceKey);
        return { bucket: sourceBucket, key: sourceKey, etag: info.etag };
      }
      const result = this.copy(sourceBucket, sourceKey, destinationBucket, destinationKey, options);
      if (!same) this.store.deleteObject(sourceBucket, sourceKey);
      return result;
    });
  }

  /**
   * A presigned URL of the fake: `memory://default/<bucket>/<key>?X-Amz-Expires=...&...`, with
   * the query parameters of a real one. Resolve it with {@link fetchPresignedUrl}, which checks
   * its signature, method and expiry as S3 does. No bucket or key is checked until then.
   *
   * @throws BucketError `InvalidKey`, `InvalidArgument` (`expiresIn` from 1 to 604,800; `method` GET or PUT)
   */
  async getPresignedUrl(
    bucket: string,
    key: string,
    options: PresignedUrlOptions = {},
  ): Promise<string> {
    const operation = 'getPresignedUrl';
    assertValidObjectAddress(bucket, key, operation);
    const context = { operation, bucket, key } as const;
    assertPresignedUrlOptions(options, context);
    const method = options.method ?? 'GET';
    await Promise.resolve();
    // Signed locally, as the real one: only a failure scheduled for this operation applies.
    const failure = this.failures.take({ ...context, implicit: true });
    if (failure) throw this.simulated(failure.code, failure.detail, context);
    const expiresIn = options.expiresIn ?? 900;
    const headers = presignedPutHeaders(options);
    return this.presigner.sign(
      this.endpoint,
      { method, bucket, key, headers },
      expiresIn,
      this.now(),
    );
  }

  /**
   * Begins a multipart upload as S3 does; its parts go to {@link signUploadPart} URLs, which
   * {@link fetchPresignedUrl} resolves.
   * @throws BucketError `NoSuchBucket`, `InvalidKey`, `InvalidArgument`
   */
  async createMultipartUpload(
    bucket: string,
    key: string,
    options: CreateMultipartUploadOptions = {},
  ): Promise<MultipartUploadStarted> {
    const operation = 'createMultipartUpload' as const;
    assertValidObjectAddress(bucket, key, operation);
    const context = { operation, bucket, key };
    assertUploadAttributes(options, context);
    assertNoCustomerKey(options, context);
    return this.run(context, () => {
      this.requireBucket(bucket);
      return { bucket, key, uploadId: this.multipart.create(bucket, key, { ...options }) };
    });
  }

  /**
   * A presigned part URL of the fake (`x-id=UploadPart`), checked by {@link fetchPresignedUrl}.
   * @throws BucketError `InvalidArgument`, `InvalidKey`, as the real one
   */
  async signUploadPart(
    bucket: string,
    key: string,
    uploadId: string,
    partNumber: number,
    options: SignUploadPartOptions = {},
  ): Promise<string> {
    const urls = await this.signParts(
      'signUploadPart',
      bucket,
      key,
      uploadId,
      [partNumber],
      options,
    );
    return urls[partNumber] ?? '';
  }

  /**
   * {@link signUploadPart} for several parts.
   * @throws BucketError `InvalidArgument`, `InvalidKey`, as the real one
   */
  signUploadParts(
    bucket: string,
    key: string,
    uploadId: string,
    partNumbers: number[],
    options: SignUploadPartOptions = {},
  ): Promise<Record<number, string>> {
    return this.signParts('signUploadParts', bucket, key, uploadId, partNumbers, options);
  }

  /**
   * The parts held for an unfinished upload, in part order.
   * @throws BucketError `NoSuchUpload`, `NoSuchBucket`
   */
  async listUploadParts(bucket: string, key: string, uploadId: string): Promise<UploadedPart[]> {
    const context = this.uploadContext('listUploadParts', bucket, key, uploadId);
    return this.run(context, () => this.multipart.list(this.pendingUpload(bucket, key, uploadId)));
  }

  /**
   * Joins the parts as S3 does (`InvalidPart`, `EntityTooSmall` as `InvalidArgument`).
   * @throws BucketError `InvalidArgument`, `NoSuchUpload`
   */
  async completeMultipartUpload(
    bucket: string,
    key: string,
    uploadId: string,
    parts: CompletedUploadPart[],
  ): Promise<PutObjectResult> {
    const context = this.uploadContext('completeMultipartUpload', bucket, key, uploadId);
    assertCompletedParts(parts, context);
    return this.run(context, () => {
      const joined = this.multipart.complete(
        uploadId,
        this.pendingUpload(bucket, key, uploadId),
        parts,
      );
      if (isRefusal(joined)) throw s3Error(joined.name, joined.status, joined.message);
      const { options } = joined.upload;
      this.store.putObject(bucket, {
        key,
        data: joined.data,
        etag: joined.etag,
        contentType: options.contentType ?? 'application/octet-stream',
        metadata: normaliseMetadata(options.metadata),
        ...storedAttributesOf(options),
        lastModified: this.now(),
      });
      return { bucket, key, etag: joined.etag };
    });
  }

  /**
   * Drops an upload and its parts; one already gone counts as done.
   * @throws BucketError `InvalidArgument`, `NoSuchBucket`
   */
  async abortMultipartUpload(bucket: string, key: string, uploadId: string): Promise<void> {
    const context = this.uploadContext('abortMultipartUpload', bucket, key, uploadId);
    await this.run(context, () => {
      this.requireBucket(bucket);
      this.multipart.abort(uploadId);
    });
  }

  /**
   * A presigned POST of the fake: a form for `memory://.../<bucket>` whose policy
   * {@link fetchPresignedUrl} checks as S3 does (key or prefix, length range, content type,
   * metadata, expiry).
   *
   * @throws BucketError `InvalidBucketName`, `InvalidKey`, `InvalidArgument`, as the real one
   */
  async createPresignedPost(bucket: string, options: PresignedPostOptions): Promise<PresignedPost> {
    const operation = 'createPresignedPost';
    assertValidBucketName(bucket, operation);
    const context = { operation, bucket, key: options.key } as const;
    assertPresignedPostOptions(options, context);
    await Promise.resolve();
    const failure = this.failures.take({ ...context, implicit: true });
    if (failure) throw this.simulated(failure.code, failure.detail, context);
    return this.postSigner.sign(this.endpoint, bucket, options, this.now());
  }

  /**
   * An object's key, size, last-modified date, ETag, Content-Type and user metadata.
   * @throws BucketError `NoSuchBucket`, `NoSuchKey`
   */
  async getBucketFile(
    bucket: string,
    key: string,
    options: CustomerKeyOption = {},
  ): Promise<BucketFileInfo> {
    return this.headObject('getBucketFile', bucket, key, options);
  }

  /**
   * A handle on one bucket, with the file operations minus the bucket argument, as the real one.
   * @throws BucketError `InvalidBucketName`, at once
   */
  bucket(name: string): BucketHandle {
    assertValidBucketName(name, 'bucket');
    return new BucketHandle(this.asBucketService(), name);
  }

  /** Renders the fake with its name, endpoint, state and number of buckets. */
  [inspect.custom](): string {
    return `InMemoryBucketService { name: ${inspect(this.name)}, endpoint: '${this.endpoint}', state: '${this.state}', buckets: ${this.store.bucketNames().length} }`;
  }

  /** The same JSON view as `BucketService`'s. */
  toJSON(): { name?: string; endpoint: string; state: string } {
    return { name: this.name, endpoint: this.endpoint, state: this.state };
  }

  // ---- Helpers for tests: not part of BucketService ----

  /**
   * This fake, typed as `BucketService`, to hand to code that takes one (for example
   * `new AvatarsService(fake.asBucketService())`). The contract suite proves that it behaves as
   * one; only `instanceof BucketService` tells them apart.
   */
  asBucketService(): BucketService {
    return this as unknown as BucketService;
  }

  /**
   * Resolves a URL from {@link getPresignedUrl} as S3 would answer a plain HTTP client, with the
   * signature of `fetch`: `GET` (and `HEAD`) give the object (206 for a `Range` header), `PUT`
   * stores the request body with its `Content-Type` (else `binary/octet-stream`) and `x-amz-meta-*`
   * headers. Errors come as S3 XML with S3's statuses: 403 `SignatureDoesNotMatch` for an altered
   * URL or another method, 403 `AccessDenied` once expired (by the fake's clock), 404
   * `NoSuchBucket` or `NoSuchKey`, 416 `InvalidRange`. It neither connects nor applies `failNext`:
   * in production the client talks to the server directly.
   *
   * @throws TypeError for a URL of another endpoint, as `fetch` throws for an unreachable host
   */
  async fetchPresignedUrl(input: string | URL, init?: RequestInit): Promise<Response> {
    const request = new Request(input, init);
    const url = new URL(request.url);
    if (!request.url.startsWith(`${this.endpoint}/`)) {
      throw new TypeError(
        `fetchPresignedUrl: ${request.url} is not a URL of this InMemoryBucketService (${this.endpoint})`,
      );
    }
    const error = (status: number, code: string, message = '') =>
      new Response(request.method === 'HEAD' ? null : s3ErrorXml(code, message), {
        status,
        headers: { 'content-type': 'application/xml' },
      });
    if (request.method === 'POST') {
      const bucket = decodeURIComponent(url.pathname.replace(/^\//, ''));
      // eslint-disable-next-line @typescript-eslint/no-deprecated -- a test fake parses its own small forms
      const post = await this.postSigner.check(await request.formData(), bucket, this.now());
      if (!post.ok) return error(post.status, post.code, post.message);
      if (!this.store.hasBucket(bucket)) return error(404, 'NoSuchBucket');
      this.write(
        bucket,
        post.key,
        post.data,
        {
          announcedBytes: post.data.length,
          multipartThresholdBytes: Infinity,
          partSizeBytes: Infinity,
        },
        post.contentType ?? S3_DEFAULT_CONTENT_TYPE,
        post.metadata,
        storedAttributesOf(attributesFromPostFields(post.fields)),
      );
      return new Response(null, { status: 204 });
    }
    // An upload's length is its body's, whatever a header claims.
    const body = request.method === 'PUT' ? Buffer.from(await request.arrayBuffer()) : undefined;
    const headerOf = (name: string) =>
      name === 'content-length' && body
        ? String(body.length)
        : (request.headers.get(name) ?? undefined);
    const check = this.presigner.check(this.endpoint, url, request.method, this.now(), headerOf);
    if (!check.ok) return error(check.status, check.code, check.message);
    const { bucket, key } = check.grant;
    if (!this.store.hasBucket(bucket)) return error(404, 'NoSuchBucket');
    if (check.grant.part) {
      const { uploadId, partNumber } = check.grant.part;
      const upload = this.multipart.find(bucket, key, uploadId);
      if (isRefusal(upload)) return error(upload.status, upload.name, upload.message);
      const etag = this.multipart.putPart(upload, partNumber, body ?? Buffer.alloc(0));
      return new Response(null, { status: 200, headers: { etag: `"${etag}"` } });
    }
    if (check.grant.method === 'PUT') {
      const data = body ?? Buffer.alloc(0);
      const metadata: Record<string, string> = {};
      request.headers.forEach((value, name) => {
        if (name.startsWith('x-amz-meta-')) metadata[name.slice('x-amz-meta-'.length)] = value;
      });
      const etag = this.write(
        bucket,
        key,
        data,
        { announcedBytes: data.length, multipartThresholdBytes: Infinity, partSizeBytes: Infinity },
        request.headers.get('content-type') ?? S3_DEFAULT_CONTENT_TYPE,
        metadata,
        storedAttributesOf(attributesFromHeaders(request.headers)),
      );
      return new Response(null, { status: 200, headers: { etag: `"${etag}"` } });
    }
    const object = this.store.getObject(bucket, key);
    if (!object) return error(404, 'NoSuchKey');
    // A presigned GET carries no SSE-C key.
    if (object.customerKeyMd5 !== undefined) return error(400, 'InvalidRequest');
    const size = object.data.length;
    const headers: Record<string, string> = {
      'accept-ranges': 'bytes',
      'content-type': object.contentType,
      etag: `"${object.etag}"`,
      'last-modified': object.lastModified.toUTCString(),
    };
    for (const [name, value] of Object.entries(object.metadata))
      headers[`x-amz-meta-${name}`] = value;
    for (const name of HEADER_NAMES) {
      const value = object.headers?.[name];
      if (value !== undefined) headers[HEADER_OF_OPTION[name]] = value;
    }
    let data = object.data;
    let status = 200;
    const rangeHeader = request.headers.get('range');
    if (rangeHeader !== null) {
      const selected = resolveRange(rangeHeader, size);
      if (selected === undefined) return error(416, 'InvalidRange');
      if (selected) {
        data = data.subarray(selected.start, selected.end + 1);
        headers['content-range'] = `bytes ${selected.start}-${selected.end}/${size}`;
        status = 206;
      }
    }
    headers['content-length'] = String(data.length);
    return new Response(request.method === 'HEAD' ? null : Buffer.from(data), { status, headers });
  }

  /**
   * What is stored: every object of one bucket, or of every bucket, in S3's order (bucket, then
   * key by UTF-8 bytes). Does not connect and is never affected by `failNext`.
   */
  listStored(bucket?: string): StoredObjectInfo[] {
    const buckets = bucket === undefined ? this.store.bucketNames() : [bucket];
    return buckets.flatMap((name) =>
      this.store.objectsOf(name).map((object) => ({
        bucket: name,
        key: object.key,
        size: object.data.length,
        lastModified: toSecond(object.lastModified),
        etag: object.etag,
        contentType: object.contentType,
        metadata: { ...object.metadata },
        ...attributesOf(object),
        tags: { ...object.tags },
      })),
    );
  }

  /** A copy of an object's bytes, or `undefined` when the bucket or the key is missing. */
  readStored(bucket: string, key: string): Buffer | undefined {
    const object = this.store.getObject(bucket, key);
    return object ? Buffer.from(object.data) : undefined;
  }

  /** Every bucket's name, in byte order. */
  storedBuckets(): string[] {
    return this.store.bucketNames();
  }

  /**
   * Creates buckets at once, without connecting and without `failNext`; an existing bucket is
   * kept as it is.
   * @throws BucketError `InvalidBucketName`
   */
  seedBucket(...names: string[]): this {
    for (const name of names) {
      assertValidBucketName(name, 'seedBucket');
      this.store.createBucket(name, this.now());
    }
    return this;
  }

  /**
   * Stores an object at once (creating its bucket if needed), without connecting and without
   * `failNext`: for arranging a test. The ETag is the MD5 of the bytes.
   * @throws BucketError `InvalidBucketName`, `InvalidKey`
   */
  seedObject(
    bucket: string,
    key: string,
    body: string | Uint8Array,
    options: SeedObjectOptions = {},
  ): this {
    assertValidObjectAddress(bucket, key, 'seedObject');
    this.store.createBucket(bucket, this.now());
    const data = typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body);
    this.store.putObject(bucket, {
      key,
      data,
      etag: singlePartEtag(data),
      contentType: options.contentType ?? 'application/octet-stream',
      metadata: normaliseMetadata(options.metadata),
      lastModified: options.lastModified ?? this.now(),
    });
    return this;
  }

  /**
   * Makes the next matching call reject with a `BucketError` of this code, of the right class,
   * with the message that `BucketService` would give, after the call's own validation and local
   * file checks (which run first in the real service too). The failure stands for the call's
   * final outcome: the real service's one reconnection attempt is assumed to have failed too.
   * A `ConnectionFailed` or `Timeout` also marks the fake's connection lost, so the next call
   * reconnects. `isConnected()` answers `false` instead of rejecting; `listFiles` fails on the
   * page it was reading.
   *
   * @example
   * ```ts
   * fake.failNext('ConnectionFailed', { operation: 'putObject' });
   * await expect(avatars.save('u1', png)).rejects.toThrow(ServiceUnavailableException);
   * ```
   */
  failNext(code: BucketErrorCode, options: FailNextOptions = {}): this {
    this.failures.add(code, options);
    return this;
  }

  /** Drops every failure scheduled with `failNext`. */
  clearFailures(): this {
    this.failures.clear();
    return this;
  }

  /** How many failures scheduled with `failNext` are still waiting (an endless one counts once). */
  get pendingFailures(): number {
    return this.failures.size;
  }

  /**
   * Back to the start: no objects, only the `buckets` given at construction, no scheduled
   * failure, and not connected (the next call connects).
   */
  reset(): this {
    this.store.clear();
    this.multipart.clear();
    this.failures.clear();
    this.state = 'never';
    this.transfers = new TransferTracker();
    this.seedInitialBuckets();
    return this;
  }

  // ---- Internals ----

  /** Checks a multipart upload's address before anything else, as the real service. */
  private uploadContext<O extends BucketOperation>(
    operation: O,
    bucket: string,
    key: string,
    uploadId: string,
    expiresIn?: number,
  ): BucketErrorContext & { operation: O } {
    assertValidObjectAddress(bucket, key, operation);
    const context = { operation, bucket, key };
    assertUploadId(uploadId, context);
    assertOptionalInteger(expiresIn, 'expiresIn', 1, 604_800, context);
    return context;
  }

  /** An unfinished upload, or the error S3 answers for a missing bucket or upload. */
  private pendingUpload(bucket: string, key: string, uploadId: string): PendingUpload {
    this.requireBucket(bucket);
    const upload = this.multipart.find(bucket, key, uploadId);
    if (isRefusal(upload)) throw s3Error(upload.name, upload.status, upload.message);
    return upload;
  }

  /** Part URLs, signed locally: only a failure scheduled for the operation applies. */
  private async signParts(
    operation: 'signUploadPart' | 'signUploadParts',
    bucket: string,
    key: string,
    uploadId: string,
    partNumbers: number[],
    options: SignUploadPartOptions,
  ): Promise<Record<number, string>> {
    const context = this.uploadContext(operation, bucket, key, uploadId, options.expiresIn);
    assertPartNumbers(partNumbers, context);
    await Promise.resolve();
    const failure = this.failures.take({ ...context, implicit: true });
    if (failure) throw this.simulated(failure.code, failure.detail, context);
    const expiresIn = options.expiresIn ?? 900;
    return Object.fromEntries(
      partNumbers.map((partNumber) => [
        partNumber,
        this.presigner.sign(
          this.endpoint,
          { method: 'PUT', bucket, key, part: { uploadId, partNumber } },
          expiresIn,
          this.now(),
        ),
      ]),
    );
  }

  private seedInitialBuckets(): void {
    for (const name of this.options.buckets ?? []) {
      assertValidBucketName(name, 'InMemoryBucketService');
      this.store.createBucket(name, this.now());
    }
  }

  private now(): Date {
    return this.options.now ? this.options.now() : new Date();
  }

  /** How the real service would send a body of this announced size with these options. */
  private uploadShape(
    announcedBytes: number | undefined,
    options: { partSizeBytes?: number },
  ): UploadShape {
    return {
      announcedBytes,
      multipartThresholdBytes:
        this.options.multipartThresholdBytes ?? BUCKET_OPTION_DEFAULTS.multipartThresholdBytes,
      partSizeBytes:
        options.partSizeBytes ?? this.options.partSizeBytes ?? BUCKET_OPTION_DEFAULTS.partSizeBytes,
    };
  }

  /**
   * Stores an uploaded body as the real upload does, with the same progress reports: one request
   * reports once, when done; a multipart upload reports once a part, and an abort between two
   * parts leaves nothing stored.
   */
  private upload(
    bucket: string,
    key: string,
    data: Buffer,
    shape: UploadShape,
    contentType: string,
    options: UploadAttributes & {
      metadata?: Record<string, string>;
      onProgress?: (p: TransferProgress) => void;
    },
    signal: AbortSignal,
  ): string {
    const { onProgress, metadata } = options;
    const attributes = storedAttributesOf(options);
    const total = shape.announcedBytes;
    if (isMultipart(data.length, shape)) {
      for (let loaded = shape.partSizeBytes; ; loaded += shape.partSizeBytes) {
        onProgress?.({ loaded: Math.min(loaded, data.length), total });
        if (loaded >= data.length) break;
        throwIfAborted(signal);
      }
      return this.write(bucket, key, data, shape, contentType, metadata, attributes);
    }
    const etag = this.write(bucket, key, data, shape, contentType, metadata, attributes);
    onProgress?.({ loaded: data.length, total });
    return etag;
  }

  /** Stores bytes with the ETag the real server would give, and returns the ETag. */
  private write(
    bucket: string,
    key: string,
    data: Buffer,
    shape: UploadShape,
    contentType: string,
    metadata: Record<string, string> | undefined,
    attributes: Pick<StoredObject, 'headers' | 'tags' | 'encryption'> = {},
  ): string {
    const object: StoredObject = {
      key,
      data,
      etag: etagOfUpload(data, shape),
      contentType,
      metadata: normaliseMetadata(metadata),
      ...attributes,
      lastModified: this.now(),
    };
    if (!this.store.putObject(bucket, object)) throw s3Error('NoSuchBucket', 404);
    return object.etag;
  }

  private requireBucket(bucket: string): void {
    if (!this.store.hasBucket(bucket)) throw s3Error('NoSuchBucket', 404);
  }

  private requireObject(bucket: string, key: string): StoredObject {
    this.requireBucket(bucket);
    const object = this.store.getObject(bucket, key);
    if (!object) throw s3Error('NoSuchKey', 404);
    return object;
  }

  /**
   * A `CopyObject`, or above the copy threshold a copy in parts (whose ETag is a multipart one,
   * with progress once a part): keeps or replaces the metadata and content type, as S3 does.
   */
  private copy(
    sourceBucket: string,
    sourceKey: string,
    destinationBucket: string,
    destinationKey: string,
    options: CopyFileOptions,
  ): PutObjectResult {
    throwIfAborted(options.signal);
    const source = this.requireObject(sourceBucket, sourceKey);
    requireCustomerKey(source, options.sourceCustomerKey);
    const size = source.data.length;
    const threshold =
      options.multipartThresholdBytes ??
      this.options.multipartCopyThresholdBytes ??
      BUCKET_OPTION_DEFAULTS.multipartCopyThresholdBytes;
    if (size > threshold) {
      const asked =
        options.partSizeBytes ?? this.options.partSizeBytes ?? BUCKET_OPTION_DEFAULTS.partSizeBytes;
      const context = { operation: 'copyFile', bucket: sourceBucket, key: sourceKey };
      const { partSizeBytes } = planParts(size, asked, context);
      // CreateMultipartUpload goes to the destination bucket.
      this.requireBucket(destinationBucket);
      for (let loaded = partSizeBytes; ; loaded += partSizeBytes) {
        throwIfAborted(options.signal);
        options.onProgress?.({ loaded: Math.min(loaded, size), total: size });
        if (loaded >= size) break;
      }
      return this.storeCopy(source, destinationBucket, destinationKey, options, {
        etag: multipartEtag(source.data, partSizeBytes),
      });
    }
    // The request goes to the destination bucket: S3 finds it missing first.
    this.requireBucket(destinationBucket);
    if (
      !changesObject(options) &&
      sourceBucket === destinationBucket &&
      sourceKey === destinationKey
    ) {
      throw s3Error(
        'InvalidRequest',
        400,
        "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
      );
    }
    const result = this.storeCopy(source, destinationBucket, destinationKey, options, {
      etag: source.etag,
    });
    options.onProgress?.({ loaded: size, total: size });
    return result;
  }

  /** Stores the copy of `source`, with its metadata and content type unless they are replaced. */
  private storeCopy(
    source: StoredObject,
    destinationBucket: string,
    destinationKey: string,
    options: CopyFileOptions,
    written: { etag: string },
  ): PutObjectResult {
    const replace = replacesHeaders(options);
    const given = storedAttributesOf(options);
    const copy: StoredObject = {
      key: destinationKey,
      data: source.data,
      etag: written.etag,
      contentType: replace ? (options.contentType ?? S3_DEFAULT_CONTENT_TYPE) : source.contentType,
      metadata: replace ? normaliseMetadata(options.metadata) : source.metadata,
      headers: replace ? given.headers : source.headers,
      tags: options.tags === undefined ? source.tags : given.tags,
      // As S3: the copy is encrypted as asked, not as its source was.
      ...(given.encryption ? { encryption: given.encryption } : {}),
      lastModified: this.now(),
    };
    this.store.putObject(destinationBucket, copy);
    return { bucket: destinationBucket, key: destinationKey, etag: copy.etag };
  }

  /** `getBucketFile` and `fileExists`: what the real ones do with `HeadObject`. */
  private async headObject(
    operation: 'getBucketFile' | 'fileExists',
    bucket: string,
    key: string,
    options: CustomerKeyOption,
  ): Promise<BucketFileInfo> {
    assertValidObjectAddress(bucket, key, operation);
    assertReadKey(options, { operation, bucket, key });
    return this.run({ operation, bucket, key }, () => this.head(bucket, key, options.customerKey));
  }

  /**
   * A `HeadObject` answer. It has no body, so a 404 does not say what is missing: the real
   * service then asks about the bucket, and reports a missing one in its own words.
   */
  private head(bucket: string, key: string, customerKey?: Uint8Array): BucketFileInfo {
    if (!this.store.hasBucket(bucket))
      throw Object.assign(new Error('The specified bucket does not exist'), {
        name: 'NoSuchBucket',
      });
    const object = this.store.getObject(bucket, key);
    if (!object) throw s3Error('NotFound', 404);
    requireCustomerKey(object, customerKey);
    return {
      key,
      size: object.data.length,
      lastModified: toSecond(object.lastModified),
      etag: object.etag,
      contentType: object.contentType,
      metadata: { ...object.metadata },
      ...attributesOf(object),
    };
  }

  /**
   * Runs a transfer that application shutdown may wait for, then abort, as the real one: its
   * signal fires when the caller's does (with the caller's reason), or at the end of the drain.
   */
  private transfer<T>(
    context: BucketErrorContext,
    callerSignal: AbortSignal | undefined,
    work: (signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    return this.transfers.track(context, callerSignal, work);
  }

  private connectOnce(implicit: boolean): Promise<void> {
    this.connecting ??= this.establish(implicit).finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async establish(implicit: boolean): Promise<void> {
    await Promise.resolve();
    const wasLost = this.state === 'lost';
    const failure = this.failures.take({
      operation: 'connect',
      implicit,
      bucket: this.options.bucket,
    });
    if (failure) {
      if (this.state === 'connected') this.state = 'lost';
      throw this.simulated(failure.code, failure.detail, { operation: 'connect' });
    }
    this.state = 'connected';
    if (this.options.debug)
      this.logger.debug(
        wasLost ? messages.reconnected(this.endpoint) : messages.connected(this.endpoint),
      );
  }

  /** A `BucketError` for a simulated failure, as the real service would build it for `context`. */
  private simulated(
    code: BucketErrorCode,
    detail: string,
    context: BucketErrorContext,
  ): BucketError {
    return createBucketError(code, messages.operationFailed(code, context, detail), {
      ...context,
      cause: new SimulatedBucketFailure(code, detail),
    });
  }

  /**
   * Runs one operation as the real service does: connects first if needed, applies a scheduled
   * failure, maps any failure to a `BucketError` with the real mapping, and logs a debug line.
   */
  private async run<T>(
    target: CallTarget & BucketErrorContext,
    work: () => T | Promise<T>,
  ): Promise<T> {
    const started = performance.now();
    const context: BucketErrorContext = {
      operation: target.operation,
      bucket: target.bucket,
      key: target.key,
    };
    try {
      await Promise.resolve();
      if (this.state !== 'connected') {
        try {
          await this.connectOnce(true);
        } catch (error) {
          const cause = error instanceof BucketError ? error.cause : undefined;
          if (cause instanceof SimulatedBucketFailure)
            throw this.simulated(cause.code, cause.detail, context);
          throw error;
        }
      }
      const failure = this.failures.take(target);
      if (failure) throw this.simulated(failure.code, failure.detail, context);
      const result = await work();
      this.logOutcome(context, started, 'ok');
      return result;
    } catch (error) {
      const bucketError = toBucketError(error, context);
      if (isConnectionLoss(bucketError.code) && this.state === 'connected') this.state = 'lost';
      this.logOutcome(context, started, bucketError.code);
      throw bucketError;
    }
  }

  private logOutcome(
    context: BucketErrorContext,
    started: number,
    outcome: Parameters<typeof messages.operationLog>[2],
  ): void {
    if (this.options.debug)
      this.logger.debug(messages.operationLog(context, performance.now() - started, outcome));
  }
}
