import { BucketConnectionError, BucketError, BucketNotFoundError } from './bucket.errors';
import { bucketErrorCodeOf, toBucketError } from './bucket.error-mapping';

function sdkError(name: string, status?: number, message = `${name} message`) {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });
}

describe('bucketErrorCodeOf', () => {
  it.each([
    ['NoSuchBucket', 404, 'NoSuchBucket'],
    ['NoSuchKey', 404, 'NoSuchKey'],
    ['BucketNotEmpty', 409, 'BucketNotEmpty'],
    ['BucketAlreadyExists', 409, 'BucketAlreadyExists'],
    ['BucketAlreadyOwnedByYou', 409, 'BucketAlreadyExists'],
    ['InvalidBucketName', 400, 'InvalidBucketName'],
    ['KeyTooLongError', 400, 'InvalidKey'],
    ['AccessDenied', 403, 'AccessDenied'],
    ['InvalidAccessKeyId', 403, 'AccessDenied'],
    ['SignatureDoesNotMatch', 403, 'AccessDenied'],
    ['TimeoutError', undefined, 'Timeout'],
    ['PreconditionFailed', 412, 'PreconditionFailed'],
    ['UnknownError', 412, 'PreconditionFailed'],
    ['SomethingNew', 500, 'Unknown'],
    ['SlowDown', 503, 'Throttled'],
    ['ServiceUnavailable', 503, 'Throttled'],
    ['UnknownError', 503, 'Throttled'],
    ['TooManyRequests', 429, 'Throttled'],
    ['UnknownError', 429, 'Throttled'],
    ['BadDigest', 400, 'IntegrityError'],
    ['XAmzContentSHA256Mismatch', 400, 'IntegrityError'],
  ])('maps the S3 error %s (HTTP %s) to %s', (name, status, code) => {
    expect(bucketErrorCodeOf(sdkError(name, status))).toBe(code);
  });

  it("maps lib-storage's failure at part 10,001 of a stream of unknown length to InvalidArgument", () => {
    const error = new Error('Exceeded 10000 parts in multipart upload to Bucket: media Key: big.');
    expect(bucketErrorCodeOf(error)).toBe('InvalidArgument');
    const mapped = toBucketError(error, { operation: 'putObject', bucket: 'media', key: 'big' });
    expect(mapped.message).toContain('Exceeded 10000 parts');
  });

  it('maps a bodiless 404 to NoSuchKey when a key is involved, else NoSuchBucket', () => {
    expect(bucketErrorCodeOf(sdkError('NotFound', 404), { key: 'k' })).toBe('NoSuchKey');
    expect(bucketErrorCodeOf(sdkError('NotFound', 404), { bucket: 'b' })).toBe('NoSuchBucket');
    expect(bucketErrorCodeOf(sdkError('UnknownError', 403))).toBe('AccessDenied');
  });

  it.each(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH'])(
    'maps the network error %s to ConnectionFailed',
    (code) => {
      expect(bucketErrorCodeOf(Object.assign(new Error('x'), { code }))).toBe('ConnectionFailed');
    },
  );

  it("finds the network code inside Node's AggregateError", () => {
    const inner = Object.assign(new Error('refused'), { code: 'ECONNREFUSED' });
    expect(bucketErrorCodeOf(new AggregateError([inner], ''))).toBe('ConnectionFailed');
  });

  it('maps an abort to Aborted, and an abort by a timeout signal to Timeout', () => {
    const aborted = Object.assign(new Error('Request aborted'), { name: 'AbortError' });
    expect(bucketErrorCodeOf(aborted)).toBe('Aborted');
    const timedOut = Object.assign(new Error('Request aborted'), {
      name: 'AbortError',
      cause: new DOMException('timed out', 'TimeoutError'),
    });
    expect(bucketErrorCodeOf(timedOut)).toBe('Timeout');
  });

  it('finds the network code in the text of an error that the SDK re-wrapped', () => {
    const wrapped = new Error('AWS SDK error wrapper for Error: connect ECONNREFUSED 127.0.0.1:9');
    expect(bucketErrorCodeOf(wrapped)).toBe('ConnectionFailed');
    expect(bucketErrorCodeOf(new Error('AWS SDK error wrapper for Error: EFOOBAR'))).toBe(
      'Unknown',
    );
  });

  it('maps a reset socket that the SDK renamed TimeoutError to ConnectionFailed, also as text', () => {
    const reset = Object.assign(new Error('socket hang up'), {
      name: 'TimeoutError',
      code: 'ECONNRESET',
    });
    expect(bucketErrorCodeOf(reset)).toBe('ConnectionFailed');
    const wrapped = new Error('AWS SDK error wrapper for TimeoutError: socket hang up');
    expect(bucketErrorCodeOf(wrapped)).toBe('ConnectionFailed');
    const timedOut = new Error('AWS SDK error wrapper for TimeoutError: request timed out');
    expect(bucketErrorCodeOf(timedOut)).toBe('Timeout');
  });

  it('maps an abort whose timeout reason was reduced to text (another realm) to Timeout', () => {
    const flattened = Object.assign(
      new Error('TimeoutError: The operation was aborted due to timeout'),
      {
        name: 'AbortError',
      },
    );
    expect(bucketErrorCodeOf(flattened)).toBe('Timeout');
  });

  it('maps local file system errors to LocalFileError', () => {
    expect(bucketErrorCodeOf(Object.assign(new Error('x'), { code: 'ENOSPC' }))).toBe(
      'LocalFileError',
    );
  });

  it('maps anything else to Unknown', () => {
    expect(bucketErrorCodeOf('a string')).toBe('Unknown');
    expect(bucketErrorCodeOf(null)).toBe('Unknown');
  });
});

describe('toBucketError', () => {
  it('builds the subclass of the code, keeps the cause and names the target', () => {
    const cause = sdkError('NoSuchKey', 404, 'The specified key does not exist.');
    const error = toBucketError(cause, {
      operation: 'downloadFile',
      bucket: 'media',
      key: 'a.png',
    });
    expect(error).toBeInstanceOf(BucketNotFoundError);
    expect(error).toMatchObject({
      code: 'NoSuchKey',
      bucket: 'media',
      key: 'a.png',
      operation: 'downloadFile',
    });
    expect(error.cause).toBe(cause);
    expect(error.message).toBe(
      'downloadFile (bucket "media", key "a.png"): the object does not exist: The specified key does not exist. (NoSuchKey)',
    );
  });

  it('uses the HTTP status when the SDK has no message', () => {
    const error = toBucketError(sdkError('UnknownError', 503, 'UnknownError'), {
      operation: 'getBucketFile',
    });
    expect(error.message).toContain('HTTP 503');
  });

  it('returns a BucketError as it is', () => {
    const original = new BucketConnectionError('Timeout', 'slow');
    expect(toBucketError(original, { operation: 'x' })).toBe(original);
  });

  it('serialises to JSON without stack or cause', () => {
    const error = toBucketError(sdkError('AccessDenied', 403), {
      operation: 'createBucket',
      bucket: 'b',
    });
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      name: 'BucketAccessDeniedError',
      code: 'AccessDenied',
      message: error.message,
    });
    expect(error).toBeInstanceOf(BucketError);
  });
});
