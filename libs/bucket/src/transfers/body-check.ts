import type { FileHandle } from 'node:fs/promises';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { toBucketError } from '../bucket.error-mapping';
import { createBucketError, type BucketError, type BucketErrorContext } from '../bucket.errors';
import { operationFailed } from '../bucket.messages';
import { abortErrorOf } from './abort';
import type { ObjectDigest } from './object-digest';

/** The error of bytes that do not match the object. @internal */
export function integrityError(context: BucketErrorContext, detail: string): BucketError {
  return createBucketError(
    'IntegrityError',
    operationFailed('IntegrityError', context, detail),
    context,
  );
}

/**
 * Ends a digest of an object's bytes, throwing `IntegrityError` when they do not match its ETag.
 * @internal
 */
export function assertDigest(digest: ObjectDigest, context: BucketErrorContext): void {
  const problem = digest.mismatch();
  if (problem !== undefined) throw integrityError(context, problem);
}

/** The range `start-end/total` of a Content-Range header, if it has one. @internal */
export function parseContentRange(
  header: string | undefined,
): { start: number; end: number; total: number } | undefined {
  const match = header === undefined ? null : /^bytes (\d+)-(\d+)\/(\d+)$/.exec(header.trim());
  return match
    ? { start: Number(match[1]), end: Number(match[2]), total: Number(match[3]) }
    : undefined;
}

/**
 * Checks that an answer's headers describe the bytes asked for: Content-Range from `start` to
 * `end`, of an object of `total` bytes, and a Content-Length of that range's length.
 * @throws BucketError `IntegrityError` on any difference
 * @internal
 */
export function assertRangeAnswer(
  answer: { ContentRange?: string; ContentLength?: number },
  wanted: { start: number; end: number; total: number },
  context: BucketErrorContext,
): void {
  const range = parseContentRange(answer.ContentRange);
  const length = wanted.end - wanted.start + 1;
  const ok =
    range?.start === wanted.start &&
    range.end === wanted.end &&
    range.total === wanted.total &&
    answer.ContentLength === length;
  if (!ok) {
    throw integrityError(
      context,
      `asked for bytes ${wanted.start}-${wanted.end}/${wanted.total}, got Content-Range ${String(answer.ContentRange)} and Content-Length ${String(answer.ContentLength)}`,
    );
  }
}

/** Bytes per read when hashing back a file. */
const READ_CHUNK_BYTES = 1024 * 1024;

/** Feeds bytes `start` to `end` (excluded) of an open file to a digest, 1 MiB at a time. @internal */
export async function digestFileRange(
  file: FileHandle,
  digest: ObjectDigest,
  start: number,
  end: number,
): Promise<void> {
  const buffer = Buffer.allocUnsafe(READ_CHUNK_BYTES);
  for (let position = start; position < end;) {
    const { bytesRead } = await file.read(
      buffer,
      0,
      Math.min(READ_CHUNK_BYTES, end - position),
      position,
    );
    if (bytesRead === 0) break;
    digest.update(buffer.subarray(0, bytesRead));
    position += bytesRead;
  }
}

/** A body passed through, its chunks given to `feed` on the way. @internal */
export async function* fedBody(
  body: AsyncIterable<Uint8Array>,
  feed: (chunk: Uint8Array) => void,
): AsyncGenerator<Uint8Array> {
  for await (const chunk of body) {
    feed(chunk);
    yield chunk;
  }
}

/** What a streamed body must be. @internal */
export interface BodyExpectation {
  /** Its exact length in bytes. */
  length: number;
  /** The check of its bytes against the object's ETag, when it can be made (see `objectDigestOf`). */
  digest?: ObjectDigest;
}

/**
 * Passes a response body through to the reader, checking it on the way: more bytes than
 * expected, fewer at the end, or bytes that do not match the ETag destroy the stream with `IntegrityError`
 * (so that a reader never takes a wrong body for a good one); a connection cut on the way
 * destroys it with the mapped error (`ConnectionFailed`), saying how many bytes came. Destroying
 * the returned stream destroys the body, releasing its socket. Once `signal` fired, a failing
 * body is reported as `Aborted`.
 * @internal
 */
export function verifiedBody(
  body: Readable,
  expected: BodyExpectation,
  context: BucketErrorContext,
  signal?: AbortSignal,
): Readable {
  const { digest } = expected;
  let seen = 0;
  const verifier = new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      seen += chunk.length;
      if (seen > expected.length) {
        callback(integrityError(context, `more than the ${expected.length} bytes announced`));
        return;
      }
      digest?.update(chunk);
      callback(null, chunk);
    },
    flush(callback: TransformCallback) {
      if (seen !== expected.length) {
        callback(integrityError(context, `received ${seen} of ${expected.length} bytes`));
        return;
      }
      try {
        if (digest) assertDigest(digest, context);
        callback();
      } catch (error) {
        callback(error as Error);
      }
    },
  });
  body.on('error', (error) => {
    if (signal?.aborted) {
      verifier.destroy(toBucketError(abortErrorOf(signal), context));
      return;
    }
    const mapped = toBucketError(error, context);
    verifier.destroy(
      createBucketError(
        mapped.code,
        operationFailed(mapped.code, context, `received ${seen} of ${expected.length} bytes`),
        { ...context, cause: error },
      ),
    );
  });
  verifier.on('close', () => {
    if (!body.destroyed) body.destroy();
  });
  body.pipe(verifier);
  return verifier;
}
