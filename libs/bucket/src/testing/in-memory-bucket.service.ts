import {
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { basename } from 'node:path';
import { inspect } from 'node:util';
import type { BucketErrorCode } from '../bucket.errors';
import { BucketHandle } from '../bucket.handle';
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
  PresignedUrlOptions,
  PutObjectOptions,
  PutObjectResult,
  SignUploadPartOptions,
  UploadedPart,
  UploadFileOptions,
  UploadFileResult,
} from '../bucket.types';
import { assertValidBucketName } from '../bucket.validation';
import type { PresignedPost, PresignedPostOptions } from '../presigned-post.types';
import type { BucketServiceContract } from './bucket-service-contract';
import type { InMemoryBucketOptions } from './bucket-testing.options';
import { InMemoryBackend } from './in-memory-bucket.backend';
import * as multipart from './in-memory-bucket.browser-multipart';
import * as buckets from './in-memory-bucket.buckets';
import * as copies from './in-memory-bucket.copy';
import { downloadFile } from './in-memory-bucket.download';
import type { FailNextOptions } from './in-memory-bucket.faults';
import * as inspection from './in-memory-bucket.inspection';
import type { SeedObjectOptions, StoredObjectInfo } from './in-memory-bucket.inspection';
import * as listing from './in-memory-bucket.listing';
import * as objects from './in-memory-bucket.objects';
import * as presign from './in-memory-bucket.presign';
import { fetchPresignedUrl } from './in-memory-bucket.presigned-requests';
import * as uploads from './in-memory-bucket.upload';

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
 * Each method delegates to the file of its concern (`in-memory-bucket.objects.ts`,
 * `...listing.ts`, `...upload.ts`, ...), as `BucketService` delegates to `operations/*` and
 * `transfers/*`.
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
  private readonly options: InMemoryBucketOptions;
  private readonly backend: InMemoryBackend;

  /** @param options - the fake's options; all optional */
  constructor(options: InMemoryBucketOptions = {}) {
    this.options = options;
    this.name = options.name;
    const logger = new Logger(
      options.name ? `InMemoryBucketService:${options.name}` : InMemoryBucketService.name,
    );
    this.backend = new InMemoryBackend(options, this.endpoint, logger);
  }

  /** A recognisable fake URL: `memory://default`, `memory://<name>`, or the `endpoint` option. */
  get endpoint(): string {
    return this.options.endpoint ?? `memory://${this.name ?? 'default'}`;
  }

  /** Connects at boot unless `autoConnect` is `false`. A failure is logged once and not thrown. */
  async onModuleInit(): Promise<void> {
    if (this.options.autoConnect === false) return;
    await this.backend.connection.connectAtBoot();
  }

  /**
   * As the real one: from now on transfers (`putObject`, `uploadFile`, `downloadFile`) are refused
   * with `Aborted`; those in flight may finish for up to `shutdownDrainMs`, then are aborted.
   */
  async beforeApplicationShutdown(): Promise<void> {
    const drainMs = this.options.shutdownDrainMs ?? BUCKET_OPTION_DEFAULTS.shutdownDrainMs;
    await this.backend.transfers.drain(drainMs, this.backend.logger);
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
    return this.backend.connection.connect(false);
  }

  /** Whether the fake is connected: `false` before `connect()` and after `disconnect()`, as the real one. */
  isConnected(): Promise<boolean> {
    return this.backend.connection.isConnected();
  }

  /** Marks the fake disconnected; the next operation connects again. The stored objects stay. */
  disconnect(): void {
    this.backend.connection.state = 'disconnected';
  }

  /**
   * Answers at once, as a reachable server would; with a `bucket` (default: the `bucket` option),
   * checks that it exists, as `HeadBucket` does.
   *
   * @param timeoutMs - accepted for compatibility; schedule a `Timeout` with `failNext` to test one
   * @returns the latency in ms
   * @throws BucketError `NoSuchBucket`, or a scheduled failure
   */
  probe(timeoutMs?: number, bucket = this.options.bucket): Promise<number> {
    return this.backend.connection.probe(bucket);
  }

  /** The name of every bucket, in byte order, as `ListBuckets` gives them. */
  getBucketNames(): Promise<string[]> {
    return buckets.getBucketNames(this.backend);
  }

  /**
   * Creates a bucket.
   * @throws BucketError `InvalidBucketName`, `BucketAlreadyExists`
   */
  createBucket(name: string): Promise<void> {
    return buckets.createBucket(this.backend, name);
  }

  /**
   * Deletes a bucket; with `{ force: true }`, with everything in it.
   * @throws BucketError `NoSuchBucket`, `BucketNotEmpty`
   */
  deleteBucket(name: string, options: DeleteBucketOptions = {}): Promise<void> {
    return buckets.deleteBucket(this.backend, name, options);
  }

  /**
   * Stores a local file, read from disk. The key defaults to the file's base name and the content
   * type is guessed from its extension, as the real service does.
   *
   * @throws BucketError `LocalFileError` (before anything else), `InvalidArgument`, `NoSuchBucket`,
   * `InvalidKey`, `Aborted`
   */
  uploadFile(
    bucket: string,
    filePath: string,
    key: string = typeof filePath === 'string' ? basename(filePath) : '',
    options: UploadFileOptions = {},
  ): Promise<UploadFileResult> {
    return uploads.uploadFile(this.backend, bucket, filePath, key, options);
  }

  /**
   * Stores an object from a Buffer, a string, a Uint8Array or a stream (read whole). The bytes are
   * copied: changing the caller's Buffer later does not change the object.
   *
   * @throws BucketError `InvalidArgument`, `NoSuchBucket`, `InvalidKey`, `Aborted`
   */
  putObject(
    bucket: string,
    key: string,
    body: ObjectBody,
    options: PutObjectOptions = {},
  ): Promise<PutObjectResult> {
    return uploads.putObject(this.backend, bucket, key, body, options);
  }

  /**
   * Reads an object (or a byte range of it) as a stream, with its metadata.
   * @throws BucketError `NoSuchBucket`, `NoSuchKey`, `InvalidRange`, `Aborted`
   */
  getObject(bucket: string, key: string, options: GetObjectOptions = {}): Promise<GetObjectResult> {
    return objects.getObject(this.backend, bucket, key, options);
  }

  /**
   * Whether an object exists.
   * @throws BucketError `NoSuchBucket` when the bucket itself is missing
   */
  fileExists(bucket: string, key: string, options: CustomerKeyOption = {}): Promise<boolean> {
    return objects.fileExists(this.backend, bucket, key, options);
  }

  /**
   * Writes an object to a local file, through a temporary file renamed into place, as the real
   * service does: a failure or an abort leaves no file and does not touch an existing one.
   *
   * @throws BucketError `LocalFileError` (before anything else), `InvalidArgument`, `NoSuchBucket`,
   * `NoSuchKey`, `Aborted`
   */
  downloadFile(
    bucket: string,
    key: string,
    destinationPath: string,
    options: DownloadFileOptions = {},
  ): Promise<DownloadFileResult> {
    return downloadFile(this.backend, bucket, key, destinationPath, options);
  }

  /** Deletes an object. Deleting a key that does not exist succeeds, as in S3. */
  deleteFile(bucket: string, key: string): Promise<void> {
    return objects.deleteFile(this.backend, bucket, key);
  }

  /**
   * Every key in a bucket (optionally under a prefix), in S3's order (by UTF-8 bytes), read page
   * by page as the real service follows pagination.
   * @throws BucketError `NoSuchBucket`
   */
  getBucketFiles(bucket: string, prefix?: string): Promise<string[]> {
    return listing.getBucketFiles(this.backend, bucket, prefix);
  }

  /**
   * The objects of a bucket as an async iterator that reads pages lazily (`pageSize` keys each),
   * as the real one: nothing is checked until the first iteration.
   *
   * @throws BucketError `InvalidBucketName`, `InvalidArgument`, `NoSuchBucket`, on the first iteration
   */
  listFiles(
    bucket: string,
    options: ListFilesOptions = {},
  ): AsyncGenerator<ListedFile, void, undefined> {
    return listing.listFiles(this.backend, bucket, options);
  }

  /**
   * The common prefixes ("folders") directly under `prefix`, grouped by `delimiter` (default `/`).
   * @throws BucketError `NoSuchBucket`
   */
  listFolders(
    bucket: string,
    options: { prefix?: string; delimiter?: string } = {},
  ): Promise<string[]> {
    return listing.listFolders(this.backend, bucket, options);
  }

  /**
   * Deletes many objects. Every key is checked before anything is deleted; repeated keys count
   * once, and keys that do not exist count as deleted, as in S3.
   *
   * @throws BucketError `InvalidKey` (before anything else), `NoSuchBucket`, `Aborted`
   */
  deleteFiles(
    bucket: string,
    keys: readonly string[],
    options: { signal?: AbortSignal } = {},
  ): Promise<DeleteFilesResult> {
    return objects.deleteFiles(this.backend, bucket, keys, options);
  }

  /**
   * Copies an object, with its content type and metadata unless `metadata` or `contentType` is
   * given (then both are replaced; a missing content type becomes `binary/octet-stream`, as in S3).
   * The copy keeps the source's ETag and gets a new date.
   *
   * @throws BucketError `NoSuchBucket`, `NoSuchKey`; `Unknown` for a copy onto itself that changes nothing
   */
  copyFile(
    sourceBucket: string,
    sourceKey: string,
    destinationBucket: string,
    destinationKey: string,
    options: CopyFileOptions = {},
  ): Promise<PutObjectResult> {
    const route = { sourceBucket, sourceKey, destinationBucket, destinationKey };
    return copies.copyFile(this.backend, route, options);
  }

  /**
   * Moves an object: a copy, then the source's deletion, as the real one. Moving an object onto
   * itself changes nothing.
   *
   * @throws BucketError `NoSuchBucket`, `NoSuchKey`
   */
  moveFile(
    sourceBucket: string,
    sourceKey: string,
    destinationBucket: string,
    destinationKey: string,
    options: CopyFileOptions = {},
  ): Promise<PutObjectResult> {
    const route = { sourceBucket, sourceKey, destinationBucket, destinationKey };
    return copies.moveFile(this.backend, route, options);
  }

  /**
   * A presigned URL of the fake: `memory://default/<bucket>/<key>?X-Amz-Expires=...&...`, with
   * the query parameters of a real one. Resolve it with {@link fetchPresignedUrl}, which checks
   * its signature, method and expiry as S3 does. No bucket or key is checked until then.
   *
   * @throws BucketError `InvalidKey`, `InvalidArgument` (`expiresIn` from 1 to 604,800; `method` GET or PUT)
   */
  getPresignedUrl(bucket: string, key: string, options: PresignedUrlOptions = {}): Promise<string> {
    return presign.getPresignedUrl(this.backend, bucket, key, options);
  }

  /**
   * Begins a multipart upload as S3 does; its parts go to {@link signUploadPart} URLs, which
   * {@link fetchPresignedUrl} resolves.
   * @throws BucketError `NoSuchBucket`, `InvalidKey`, `InvalidArgument`
   */
  createMultipartUpload(
    bucket: string,
    key: string,
    options: CreateMultipartUploadOptions = {},
  ): Promise<MultipartUploadStarted> {
    return multipart.createMultipartUpload(this.backend, bucket, key, options);
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
    const address = { bucket, key, uploadId };
    const urls = await multipart.signParts(
      this.backend,
      'signUploadPart',
      address,
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
    const address = { bucket, key, uploadId };
    return multipart.signParts(this.backend, 'signUploadParts', address, partNumbers, options);
  }

  /**
   * The parts held for an unfinished upload, in part order.
   * @throws BucketError `NoSuchUpload`, `NoSuchBucket`
   */
  listUploadParts(bucket: string, key: string, uploadId: string): Promise<UploadedPart[]> {
    return multipart.listUploadParts(this.backend, { bucket, key, uploadId });
  }

  /**
   * Joins the parts as S3 does (`InvalidPart`, `EntityTooSmall` as `InvalidArgument`).
   * @throws BucketError `InvalidArgument`, `NoSuchUpload`
   */
  completeMultipartUpload(
    bucket: string,
    key: string,
    uploadId: string,
    parts: CompletedUploadPart[],
  ): Promise<PutObjectResult> {
    return multipart.completeMultipartUpload(this.backend, { bucket, key, uploadId }, parts);
  }

  /**
   * Drops an upload and its parts; one already gone counts as done.
   * @throws BucketError `InvalidArgument`, `NoSuchBucket`
   */
  abortMultipartUpload(bucket: string, key: string, uploadId: string): Promise<void> {
    return multipart.abortMultipartUpload(this.backend, { bucket, key, uploadId });
  }

  /**
   * A presigned POST of the fake: a form for `memory://.../<bucket>` whose policy
   * {@link fetchPresignedUrl} checks as S3 does (key or prefix, length range, content type,
   * metadata, expiry).
   *
   * @throws BucketError `InvalidBucketName`, `InvalidKey`, `InvalidArgument`, as the real one
   */
  createPresignedPost(bucket: string, options: PresignedPostOptions): Promise<PresignedPost> {
    return presign.createPresignedPost(this.backend, bucket, options);
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
    return objects.describeObject(this.backend, 'getBucketFile', bucket, key, options);
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
    return `InMemoryBucketService { name: ${inspect(this.name)}, endpoint: '${this.endpoint}', state: '${this.backend.connection.state}', buckets: ${this.backend.store.bucketNames().length} }`;
  }

  /** The same JSON view as `BucketService`'s. */
  toJSON(): {
    /** The instance's name; none for the default instance. */
    name?: string;
    /** The fake's URL (`memory://...`). */
    endpoint: string;
    /** The connection state: `never`, `connected`, `lost` or `disconnected`. */
    state: string;
  } {
    return { name: this.name, endpoint: this.endpoint, state: this.backend.connection.state };
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
  fetchPresignedUrl(input: string | URL, init?: RequestInit): Promise<Response> {
    return fetchPresignedUrl(this.backend, input, init);
  }

  /**
   * What is stored: every object of one bucket, or of every bucket, in S3's order (bucket, then
   * key by UTF-8 bytes). Does not connect and is never affected by `failNext`.
   */
  listStored(bucket?: string): StoredObjectInfo[] {
    return inspection.listStored(this.backend, bucket);
  }

  /** A copy of an object's bytes, or `undefined` when the bucket or the key is missing. */
  readStored(bucket: string, key: string): Buffer | undefined {
    return inspection.readStored(this.backend, bucket, key);
  }

  /** Every bucket's name, in byte order. */
  storedBuckets(): string[] {
    return this.backend.store.bucketNames();
  }

  /**
   * Creates buckets at once, without connecting and without `failNext`; an existing bucket is
   * kept as it is.
   * @throws BucketError `InvalidBucketName`
   */
  seedBucket(...names: string[]): this {
    inspection.seedBucket(this.backend, names);
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
    inspection.seedObject(this.backend, bucket, key, body, options);
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
    this.backend.failures.add(code, options);
    return this;
  }

  /** Drops every failure scheduled with `failNext`. */
  clearFailures(): this {
    this.backend.failures.clear();
    return this;
  }

  /** How many failures scheduled with `failNext` are still waiting (an endless one counts once). */
  get pendingFailures(): number {
    return this.backend.failures.size;
  }

  /**
   * Back to the start: no objects, only the `buckets` given at construction, no scheduled
   * failure, and not connected (the next call connects).
   */
  reset(): this {
    this.backend.reset();
    return this;
  }
}
