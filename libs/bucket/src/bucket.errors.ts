/**
 * Every stable error code that nest-bucket throws. Codes never change between
 * minor versions, so code can switch on them (for example to map them to HTTP).
 */
export type BucketErrorCode =
  | 'NoSuchBucket'
  | 'NoSuchKey'
  | 'NoSuchUpload'
  | 'BucketNotEmpty'
  | 'BucketAlreadyExists'
  | 'PreconditionFailed'
  | 'InvalidBucketName'
  | 'InvalidKey'
  | 'InvalidRange'
  | 'InvalidArgument'
  | 'AccessDenied'
  | 'ConnectionFailed'
  | 'Timeout'
  | 'Throttled'
  | 'IntegrityError'
  | 'Aborted'
  | 'LocalFileError'
  | 'InvalidConfig'
  | 'Unknown';

/** Where an error happened: the operation and, when known, its bucket and key. */
export interface BucketErrorContext {
  /** The `BucketService` method, for example `uploadFile`. */
  readonly operation?: string;
  /** The bucket the operation was about. */
  readonly bucket?: string;
  /** The object key the operation was about. */
  readonly key?: string;
}

/** Options of the {@link BucketError} constructor. */
export interface BucketErrorOptions extends BucketErrorContext {
  /** The underlying error, usually the AWS SDK's, kept for debugging. */
  readonly cause?: unknown;
}

/**
 * The base class of every error that nest-bucket throws.
 *
 * Switch on {@link BucketError.code} rather than on the message, or catch one of
 * the subclasses, which group the codes by what a caller would do about them.
 *
 * @example
 * ```ts
 * try { await bucket.downloadFile('media', 'a.png', '/tmp/a.png'); }
 * catch (e) { if (e instanceof BucketError && e.code === 'NoSuchKey') { ... } }
 * ```
 */
export class BucketError extends Error {
  /** A stable, machine-readable code. */
  readonly code: BucketErrorCode;
  /** The operation that failed, when known. */
  readonly operation?: string;
  /** The bucket involved, when known. */
  readonly bucket?: string;
  /** The object key involved, when known. */
  readonly key?: string;

  constructor(code: BucketErrorCode, message: string, options: BucketErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    if (options.operation !== undefined) this.operation = options.operation;
    if (options.bucket !== undefined) this.bucket = options.bucket;
    if (options.key !== undefined) this.key = options.key;
  }

  /** A plain object for logs and API responses, without the stack or the cause. */
  toJSON(): {
    /** The class's name, e.g. `BucketNotFoundError`. */
    name: string;
    /** The stable {@link BucketError.code}. */
    code: BucketErrorCode;
    /** The message, without the cause. */
    message: string;
  } {
    return { name: this.name, code: this.code, message: this.message };
  }
}

/**
 * The bucket, the object or the multipart upload does not exist (`NoSuchBucket`, `NoSuchKey`,
 * `NoSuchUpload`).
 */
export class BucketNotFoundError extends BucketError {}

/**
 * The request conflicts with the state of the bucket or object (`BucketNotEmpty`,
 * `BucketAlreadyExists`, `PreconditionFailed`: the object changed during the operation, for
 * example the source of a copy in parts was rewritten meanwhile).
 */
export class BucketConflictError extends BucketError {}

/**
 * A bucket name, key, range or other argument breaks a rule (`InvalidBucketName`, `InvalidKey`,
 * `InvalidRange`, `InvalidArgument`).
 * Thrown before any network call, except for a range beyond the object's end.
 */
export class BucketValidationError extends BucketError {}

/** The credentials are wrong or lack the permission (`AccessDenied`). */
export class BucketAccessDeniedError extends BucketError {}

/**
 * The server could not be reached in time, or kept asking to slow down after every retry
 * (`ConnectionFailed`, `Timeout`, `Throttled`): worth trying again later.
 */
export class BucketConnectionError extends BucketError {}

/**
 * The bytes that arrived are not the bytes that were sent (`IntegrityError`): a download whose
 * MD5 or length does not match the object's, also once fetched again, or an upload that the
 * server refused because its Content-MD5 did not match, also once sent again. Nothing is kept.
 */
export class BucketIntegrityError extends BucketError {}

/** The caller's `AbortSignal` fired (`Aborted`). */
export class BucketAbortedError extends BucketError {}

/** A local source is missing or unreadable, or a destination is unwritable (`LocalFileError`). */
export class BucketLocalFileError extends BucketError {}

/** The module's configuration is missing or malformed (`InvalidConfig`). Thrown at boot. */
export class BucketConfigError extends BucketError {}

const ERROR_CLASS_BY_CODE: Record<BucketErrorCode, typeof BucketError> = {
  NoSuchBucket: BucketNotFoundError,
  NoSuchKey: BucketNotFoundError,
  NoSuchUpload: BucketNotFoundError,
  BucketNotEmpty: BucketConflictError,
  BucketAlreadyExists: BucketConflictError,
  PreconditionFailed: BucketConflictError,
  InvalidBucketName: BucketValidationError,
  InvalidKey: BucketValidationError,
  InvalidRange: BucketValidationError,
  InvalidArgument: BucketValidationError,
  AccessDenied: BucketAccessDeniedError,
  ConnectionFailed: BucketConnectionError,
  Timeout: BucketConnectionError,
  Throttled: BucketConnectionError,
  IntegrityError: BucketIntegrityError,
  Aborted: BucketAbortedError,
  LocalFileError: BucketLocalFileError,
  InvalidConfig: BucketConfigError,
  Unknown: BucketError,
};

/**
 * Builds the error of the right subclass for a code.
 * @internal
 */
export function createBucketError(
  code: BucketErrorCode,
  message: string,
  options: BucketErrorOptions = {},
): BucketError {
  const ErrorClass = ERROR_CLASS_BY_CODE[code];
  return new ErrorClass(code, message, options);
}
