/**
 * nest-bucket: object storage for NestJS on any S3-compatible server. Import `BucketModule`,
 * inject `BucketService` (or a named instance with `@InjectBucket(name)`), and catch
 * `BucketError`s by their stable `code`. The in-memory fake for tests is in `nest-bucket/testing`.
 * @module nest-bucket
 */
export { BucketModule } from './bucket.module';
export type {
  BucketModuleAsyncOptions,
  BucketModuleExtras,
  BucketModuleSyncOptions,
  BucketOptionsFactory,
} from './bucket.module-options';
export { BucketService } from './bucket.service';
export { BucketHandle, type BucketFileOperations } from './bucket.handle';
export { BucketHealthIndicator, type BucketHealthCheckOptions } from './bucket.health';
export {
  BUCKET_OPTION_DEFAULTS,
  type BucketModuleOptions,
  type ChecksumMode,
  type ResolvedBucketOptions,
} from './bucket.options';
export {
  BucketAbortedError,
  BucketAccessDeniedError,
  BucketConfigError,
  BucketConflictError,
  BucketConnectionError,
  BucketError,
  BucketIntegrityError,
  BucketLocalFileError,
  BucketNotFoundError,
  BucketValidationError,
  type BucketErrorCode,
  type BucketErrorContext,
  type BucketErrorOptions,
} from './bucket.errors';
export { InjectBucket, InjectBucketClient } from './bucket.decorators';
export {
  LIBRARY_VERSION,
  METRIC_NAMES,
  SPAN_ATTRIBUTES,
  TELEMETRY_SCOPE,
} from './observability/names';
export { getBucketClientToken, getBucketServiceToken } from './bucket.tokens';
export { MAX_KEY_BYTES, bucketNameProblem, keyProblem, type ByteRange } from './bucket.validation';
export type {
  BucketFileInfo,
  CompletedUploadPart,
  CopyFileOptions,
  CreateMultipartUploadOptions,
  ChecksumOption,
  CustomerKeyOption,
  DeleteBucketOptions,
  DeleteFilesResult,
  ListFilesOptions,
  ListedFile,
  PresignedUrlOptions,
  TransferOptions,
  TransferProgress,
  DownloadFileOptions,
  DownloadFileResult,
  GetObjectOptions,
  GetObjectResult,
  MultipartUploadStarted,
  ObjectBody,
  ObjectHeaders,
  PutObjectOptions,
  PutObjectResult,
  ServerSideEncryption,
  SignUploadPartOptions,
  StoredEncryption,
  UploadAttributes,
  UploadedPart,
  UploadFileOptions,
  UploadFileResult,
} from './bucket.types';
export { presignedPutHeaders } from './operations/presigned-url';
export {
  serveObject,
  type ServeObjectOptions,
  type ServedRequest,
  type ServedResponse,
  type ServingStorage,
} from './serving/serve-object';
export {
  bucketStorage,
  type BucketStorageEngine,
  type BucketStorageOptions,
  type IncomingMulterFile,
  type PerFile,
  type StoredMulterFile,
  type UploadStorage,
} from './uploads/bucket-storage';
export { BrowserUploadsModule } from './browser-uploads/browser-uploads.module';
export type {
  AnnouncedFile,
  BrowserUploadAction,
  BrowserUploadStorage,
  BrowserUploadsAsyncOptions,
  BrowserUploadsFactoryOptions,
  BrowserUploadsOptions,
} from './browser-uploads/browser-uploads.options';
export type { PresignedPost, PresignedPostOptions } from './presigned-post.types';
