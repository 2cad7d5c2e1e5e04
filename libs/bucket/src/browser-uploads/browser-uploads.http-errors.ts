import { HttpException, HttpStatus } from '@nestjs/common';
import { BucketError, type BucketErrorCode } from '../bucket.errors';

const STATUS_BY_CODE: Partial<Record<BucketErrorCode, HttpStatus>> = {
  InvalidArgument: HttpStatus.BAD_REQUEST,
  InvalidKey: HttpStatus.BAD_REQUEST,
  InvalidBucketName: HttpStatus.BAD_REQUEST,
  NoSuchUpload: HttpStatus.NOT_FOUND,
  NoSuchKey: HttpStatus.NOT_FOUND,
  NoSuchBucket: HttpStatus.NOT_FOUND,
  AccessDenied: HttpStatus.FORBIDDEN,
  Throttled: HttpStatus.SERVICE_UNAVAILABLE,
  ConnectionFailed: HttpStatus.SERVICE_UNAVAILABLE,
  Timeout: HttpStatus.GATEWAY_TIMEOUT,
};

/**
 * The HTTP answer for a failure: a `BucketError` by its code (400 for bad input, 404 for a gone
 * upload, 503/504 for storage trouble), with its code and a message that names no bucket, key or
 * server address; anything else is rethrown for Nest's own handling.
 * @internal
 */
export function toHttpError(error: unknown): unknown {
  if (!(error instanceof BucketError)) return error;
  const status = STATUS_BY_CODE[error.code] ?? HttpStatus.INTERNAL_SERVER_ERROR;
  // The rule that was broken helps the browser; the bucket and the server do not concern it.
  const message =
    status === HttpStatus.BAD_REQUEST
      ? error.message.replace(/^[^(]*\([^)]*\): /, '')
      : `storage answered ${error.code}`;
  return new HttpException({ statusCode: status, code: error.code, message }, status, {
    cause: error,
  });
}
