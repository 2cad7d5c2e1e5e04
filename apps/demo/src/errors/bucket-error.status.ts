import { HttpStatus } from '@nestjs/common';
import type { BucketErrorCode } from 'nest-bucket';

/**
 * Not an IANA status: nginx's "499 Client Closed Request". The demo answers it when the client
 * aborted its own request (code `Aborted`); in practice nobody is left to read it, but the access
 * log then tells a client abort from a server failure.
 */
export const CLIENT_CLOSED_REQUEST = 499;

/**
 * The HTTP status of each `BucketError` code. A `Record` over every code, so that a code added to
 * the library fails the build here until it is mapped.
 */
export const HTTP_STATUS_BY_BUCKET_ERROR_CODE: Readonly<Record<BucketErrorCode, number>> = {
  NoSuchBucket: HttpStatus.NOT_FOUND,
  NoSuchKey: HttpStatus.NOT_FOUND,
  NoSuchUpload: HttpStatus.NOT_FOUND,
  BucketNotEmpty: HttpStatus.CONFLICT,
  BucketAlreadyExists: HttpStatus.CONFLICT,
  PreconditionFailed: HttpStatus.CONFLICT,
  InvalidBucketName: HttpStatus.BAD_REQUEST,
  InvalidKey: HttpStatus.BAD_REQUEST,
  InvalidArgument: HttpStatus.BAD_REQUEST,
  InvalidRange: HttpStatus.REQUESTED_RANGE_NOT_SATISFIABLE,
  AccessDenied: HttpStatus.FORBIDDEN,
  ConnectionFailed: HttpStatus.SERVICE_UNAVAILABLE,
  Timeout: HttpStatus.GATEWAY_TIMEOUT,
  Throttled: HttpStatus.SERVICE_UNAVAILABLE,
  IntegrityError: HttpStatus.BAD_GATEWAY,
  Aborted: CLIENT_CLOSED_REQUEST,
  LocalFileError: HttpStatus.INTERNAL_SERVER_ERROR,
  InvalidConfig: HttpStatus.INTERNAL_SERVER_ERROR,
  Unknown: HttpStatus.INTERNAL_SERVER_ERROR,
};

/**
 * The message sent for codes whose own message is about the server rather than the request: it
 * may name internal addresses or configuration, so the client gets a fixed sentence instead.
 */
export const PUBLIC_MESSAGE_BY_BUCKET_ERROR_CODE: Readonly<
  Partial<Record<BucketErrorCode, string>>
> = {
  ConnectionFailed: 'The storage server could not be reached.',
  Timeout: 'The storage server did not answer in time.',
  Throttled: 'The storage server is busy; try again later.',
  IntegrityError: 'The transfer was corrupted on the way; try again.',
  Aborted: 'The request was aborted by the client.',
  LocalFileError: 'Internal server error.',
  InvalidConfig: 'Internal server error.',
  Unknown: 'Internal server error.',
};
