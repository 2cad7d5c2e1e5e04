/**
 * The errors that the AWS SDK throws, as the in-memory fake imitates them, so that the real
 * error mapping (`toBucketError`) turns them into the same `BucketError`s.
 * @internal
 */

/**
 * An error as the AWS SDK reports an S3 error answer: its S3 code as `name`, and the HTTP status.
 * An empty message gives the detail "HTTP 404 NoSuchKey", as from a server that sends none.
 * @internal
 */
export function s3Error(name: string, httpStatusCode: number, message = ''): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode } });
}

/** The error the AWS SDK throws for a request whose `AbortSignal` fired (without its reason). @internal */
export function sdkAbortError(): Error {
  return Object.assign(new Error('Request aborted'), { name: 'AbortError' });
}

/** What a response body stream fails with when the request is aborted while it is read. @internal */
export function bodyAbortedError(): Error {
  return Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
}
