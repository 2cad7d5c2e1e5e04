import {
  BucketError,
  createBucketError,
  type BucketErrorCode,
  type BucketErrorContext,
} from './bucket.errors';
import { operationFailed } from './bucket.messages';

/** S3 error names (and Node network codes) and the stable code each maps to. */
const CODE_BY_NAME: Readonly<Partial<Record<string, BucketErrorCode>>> = {
  NoSuchBucket: 'NoSuchBucket',
  NoSuchKey: 'NoSuchKey',
  NoSuchUpload: 'NoSuchUpload',
  InvalidPart: 'InvalidArgument',
  InvalidPartOrder: 'InvalidArgument',
  EntityTooSmall: 'InvalidArgument',
  BucketNotEmpty: 'BucketNotEmpty',
  BucketAlreadyExists: 'BucketAlreadyExists',
  BucketAlreadyOwnedByYou: 'BucketAlreadyExists',
  InvalidBucketName: 'InvalidBucketName',
  KeyTooLongError: 'InvalidKey',
  InvalidRange: 'InvalidRange',
  PreconditionFailed: 'PreconditionFailed',
  AccessDenied: 'AccessDenied',
  Forbidden: 'AccessDenied',
  InvalidAccessKeyId: 'AccessDenied',
  SignatureDoesNotMatch: 'AccessDenied',
  AllAccessDisabled: 'AccessDenied',
  SlowDown: 'Throttled',
  Throttling: 'Throttled',
  ThrottlingException: 'Throttled',
  TooManyRequests: 'Throttled',
  TooManyRequestsException: 'Throttled',
  RequestLimitExceeded: 'Throttled',
  ServiceUnavailable: 'Throttled',
  BadDigest: 'IntegrityError',
  InvalidDigest: 'IntegrityError',
  XAmzContentSHA256Mismatch: 'IntegrityError',
  TimeoutError: 'Timeout',
  RequestTimeout: 'Timeout',
  ETIMEDOUT: 'Timeout',
  ECONNREFUSED: 'ConnectionFailed',
  ECONNRESET: 'ConnectionFailed',
  ECONNABORTED: 'ConnectionFailed',
  EPIPE: 'ConnectionFailed',
  ENOTFOUND: 'ConnectionFailed',
  EAI_AGAIN: 'ConnectionFailed',
  EHOSTUNREACH: 'ConnectionFailed',
  ENETUNREACH: 'ConnectionFailed',
  ERR_STREAM_PREMATURE_CLOSE: 'ConnectionFailed',
  EACCES: 'LocalFileError',
  EPERM: 'LocalFileError',
  ENOSPC: 'LocalFileError',
  EROFS: 'LocalFileError',
  EISDIR: 'LocalFileError',
  ENOTDIR: 'LocalFileError',
  ENOENT: 'LocalFileError',
  EEXIST: 'LocalFileError',
};

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  Code?: unknown;
  message?: unknown;
  errors?: unknown;
  $metadata?: { httpStatusCode?: number };
}

/**
 * The names under which an error may be known: its S3 code, its Node code and its name. The
 * Node code comes before the name because the SDK renames a reset socket (`ECONNRESET`, "socket
 * hang up") `TimeoutError`: the connection failed, nothing timed out.
 */
function namesOf(error: ErrorLike): string[] {
  const names = [error.Code, error.code, error.name].filter(
    (n): n is string => typeof n === 'string',
  );
  // Node's AggregateError (happy-eyeballs connect) hides the network code in its members.
  if (Array.isArray(error.errors)) {
    for (const inner of error.errors as ErrorLike[]) names.push(...namesOf(inner));
  }
  return names;
}

function codeFromStatus(
  status: number | undefined,
  context: BucketErrorContext,
): BucketErrorCode | undefined {
  switch (status) {
    case 403:
      return 'AccessDenied';
    case 404:
      return context.key === undefined ? 'NoSuchBucket' : 'NoSuchKey';
    case 408:
      return 'Timeout';
    case 412:
      return 'PreconditionFailed';
    case 416:
      return 'InvalidRange';
    // S3 answers 503 SlowDown (or ServiceUnavailable) to ask for a lower request rate.
    case 429:
    case 503:
      return 'Throttled';
    default:
      return undefined;
  }
}

/**
 * The Node error code quoted in a message. The SDK's retry layer re-wraps a network error that
 * comes from another realm (as under Jest) as "AWS SDK error wrapper for Error: connect
 * ECONNREFUSED ...", keeping only the text.
 */
function codeFromMessage(message: unknown): BucketErrorCode | undefined {
  if (typeof message !== 'string') return undefined;
  for (const [name] of message.matchAll(/\bE[A-Z_]{3,}\b/g)) {
    const code = CODE_BY_NAME[name];
    if (code) return code;
  }
  // lib-storage, at part 10,001 of a stream of unknown length: too long for its part size.
  if (/^Exceeded \d+ parts in multipart upload/.test(message)) return 'InvalidArgument';
  // Node's text for a reset socket, which the SDK renames TimeoutError (see namesOf).
  if (message.includes('socket hang up')) return 'ConnectionFailed';
  if (/\bTimeoutError\b/.test(message)) return 'Timeout';
  return undefined;
}

/** The stable code of any error thrown by the SDK or by Node's network stack. */
export function bucketErrorCodeOf(
  error: unknown,
  context: BucketErrorContext = {},
): BucketErrorCode {
  if (error instanceof BucketError) return error.code;
  if (typeof error !== 'object' || error === null) return 'Unknown';
  const errorLike = error as ErrorLike;
  // The SDK and lib-storage report an abort as AbortError, with the signal's reason as cause:
  // an AbortSignal.timeout() reason is a TimeoutError.
  if (errorLike.name === 'AbortError') {
    const reason = (error as { cause?: { name?: unknown } }).cause;
    // From another realm (as under Jest) the SDK keeps only the reason's text.
    const timedOut =
      reason?.name === 'TimeoutError' ||
      (typeof errorLike.message === 'string' && errorLike.message.startsWith('TimeoutError'));
    return timedOut ? 'Timeout' : 'Aborted';
  }
  for (const name of namesOf(errorLike)) {
    const code = CODE_BY_NAME[name];
    if (code) return code;
  }
  return (
    codeFromStatus(errorLike.$metadata?.httpStatusCode, context) ??
    codeFromMessage(errorLike.message) ??
    'Unknown'
  );
}

/** The server's or the network stack's own words, for the message. Never contains credentials. */
function detailOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return String(error);
  const { message, name, $metadata } = error as ErrorLike;
  const text =
    typeof message === 'string' && message !== '' && message !== 'UnknownError'
      ? message
      : undefined;
  const status = $metadata?.httpStatusCode;
  return (
    text ?? (status ? `HTTP ${status}${typeof name === 'string' ? ` ${name}` : ''}` : undefined)
  );
}

/**
 * Turns any error into a `BucketError` of the right code and subclass, keeping the original as
 * `cause` and naming the operation, the bucket and the key in the message.
 * A `BucketError` is returned as it is.
 */
export function toBucketError(error: unknown, context: BucketErrorContext): BucketError {
  if (error instanceof BucketError) return error;
  return newBucketError(error, context);
}

/**
 * Like {@link toBucketError}, but a `BucketError` raised by an inner step (a connection made on
 * behalf of an operation) is re-issued for this context, keeping its code and cause.
 */
export function rethrownFor(error: unknown, context: BucketErrorContext): BucketError {
  if (error instanceof BucketError) {
    return createBucketError(
      error.code,
      operationFailed(error.code, context, detailOf(error.cause ?? error)),
      {
        ...context,
        cause: error.cause ?? error,
      },
    );
  }
  return newBucketError(error, context);
}

function newBucketError(error: unknown, context: BucketErrorContext): BucketError {
  const code = bucketErrorCodeOf(error, context);
  return createBucketError(code, operationFailed(code, context, detailOf(error)), {
    ...context,
    cause: error,
  });
}
