import { PayloadTooLargeException } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { Transform, type TransformCallback } from 'node:stream';

/** The response to an upload over the limit: 413 with the limit in the message. */
export function uploadTooLarge(limit: number): PayloadTooLargeException {
  return new PayloadTooLargeException(
    `The upload limit is ${limit} bytes (DEMO_MAX_UPLOAD_BYTES).`,
  );
}

/** The request's declared body length, from `Content-Length`; `undefined` for a chunked body. */
export function declaredLength(request: IncomingMessage): number | undefined {
  const header = request.headers['content-length'];
  if (header === undefined || !/^\d+$/.test(header)) return undefined;
  const length = Number(header);
  return Number.isSafeInteger(length) ? length : undefined;
}

/**
 * Rejects an upload up front when its `Content-Length` is already over the limit (plus an
 * allowance for the framing of a multipart form), before a byte of the body is read.
 */
export function assertDeclaredLengthWithin(
  request: IncomingMessage,
  limit: number,
  allowance = 0,
): void {
  const length = declaredLength(request);
  if (length !== undefined && length > limit + allowance) throw uploadTooLarge(limit);
}

/**
 * A pass-through stream that counts the bytes of an upload and fails as soon as they go over the
 * limit, after calling `onExceeded` (which aborts the storage request). This is what enforces the
 * limit for chunked bodies, whose length is not declared.
 */
export class UploadLimitStream extends Transform {
  /** The bytes that went through so far. */
  bytes = 0;
  /** Whether the limit was crossed. */
  exceeded = false;

  constructor(
    private readonly limit: number,
    private readonly onExceeded: () => void,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.limit) {
      this.exceeded = true;
      this.onExceeded();
      callback(uploadTooLarge(this.limit));
      return;
    }
    callback(null, chunk);
  }
}
