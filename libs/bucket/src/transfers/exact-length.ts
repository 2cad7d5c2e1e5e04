import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { createBucketError, type BucketErrorContext } from '../bucket.errors';
import { operationFailed } from '../bucket.messages';

/**
 * Passes a stream through, failing with `InvalidArgument` as soon as it gives more bytes than
 * declared, or when it ends with fewer, and tells `onMismatch`, which must abort the request. Without it, a longer body desynchronises the keep-alive
 * socket and a shorter one leaves the server waiting until the request times out.
 * @internal
 */
export function withExactLength(
  body: Readable,
  declared: number,
  context: BucketErrorContext,
  onMismatch?: (error: Error) => void,
): Readable {
  let seen = 0;
  const mismatch = (rule: string) =>
    createBucketError(
      'InvalidArgument',
      operationFailed(
        'InvalidArgument',
        context,
        `contentLength = ${declared}, but the body ${rule}`,
      ),
      context,
    );
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      seen += chunk.length;
      if (seen > declared) callback(mismatch(`has more bytes than that`));
      else callback(null, chunk);
    },
    flush(callback: TransformCallback) {
      callback(seen === declared ? null : mismatch(`ended after ${seen} bytes`));
    },
  });
  body.on('error', (error) => counter.destroy(error));
  // A request body is piped, and pipe() does not forward errors: the caller must abort it.
  if (onMismatch) counter.on('error', onMismatch);
  return body.pipe(counter);
}
