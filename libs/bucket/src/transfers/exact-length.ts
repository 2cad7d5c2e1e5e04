import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { createBucketError, type BucketErrorContext } from '../bucket.errors';
import { operationFailed } from '../bucket.messages';

/**
 * Passes a stream through, failing with `InvalidArgument` as soon as it gives more bytes than
 * declared, or when it ends with fewer. That failure, or the source's own, goes to `onFailure`,
 * which must abort the request. Without it, a longer body desynchronises the keep-alive
 * socket and a shorter one leaves the server waiting until the request times out. `onChunk`
 * sees every chunk that goes through (a listener of its own would start the flow too early).
 * @internal
 */
export function withExactLength(
  body: Readable,
  declared: number,
  context: BucketErrorContext,
  onFailure?: (error: Error) => void,
  onChunk?: (chunk: Buffer) => void,
): Readable {
  let seen = 0;
  const mismatch = (rule: string) => {
    const error = createBucketError(
      'InvalidArgument',
      operationFailed(
        'InvalidArgument',
        context,
        `contentLength = ${declared}, but the body ${rule}`,
      ),
      context,
    );
    onFailure?.(error);
    return error;
  };
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      seen += chunk.length;
      onChunk?.(chunk);
      if (seen > declared) callback(mismatch(`has more bytes than that`));
      else callback(null, chunk);
    },
    flush(callback: TransformCallback) {
      callback(seen === declared ? null : mismatch(`ended after ${seen} bytes`));
    },
  });
  body.on('error', (error) => {
    counter.destroy(error);
    onFailure?.(error);
  });
  // A request body is piped, and pipe() neither forwards errors nor listens for them: the
  // caller aborts the request through onFailure, and this listener keeps the error handled.
  if (onFailure) counter.on('error', () => undefined);
  return body.pipe(counter);
}
