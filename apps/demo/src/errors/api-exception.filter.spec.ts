import {
  HttpStatus,
  Logger,
  PayloadTooLargeException,
  ServiceUnavailableException,
  UnauthorizedException,
  type ArgumentsHost,
} from '@nestjs/common';
import { BucketError, type BucketErrorCode } from 'nest-bucket';
import { ApiExceptionFilter, toErrorResponse } from './api-exception.filter';
import { CLIENT_CLOSED_REQUEST } from './bucket-error.status';

const EXPECTED: [BucketErrorCode, number][] = [
  ['NoSuchBucket', 404],
  ['NoSuchKey', 404],
  ['BucketNotEmpty', 409],
  ['BucketAlreadyExists', 409],
  ['InvalidBucketName', 400],
  ['InvalidKey', 400],
  ['InvalidArgument', 400],
  ['InvalidRange', 416],
  ['AccessDenied', 403],
  ['ConnectionFailed', 503],
  ['Timeout', 504],
  ['Aborted', CLIENT_CLOSED_REQUEST],
  ['LocalFileError', 500],
  ['InvalidConfig', 500],
  ['Unknown', 500],
];

/** A BucketError whose message holds what must never reach a client. */
function leakyError(code: BucketErrorCode): BucketError {
  return new BucketError(code, `getObject failed at http://10.0.0.7:7480 with secret hunter2`, {
    cause: new Error('deep cause'),
  });
}

describe('toErrorResponse', () => {
  it.each(EXPECTED)('maps %s to %i with a { statusCode, code, message } body', (code, status) => {
    const { status: actual, body } = toErrorResponse(new BucketError(code, `the ${code} message`));
    expect(actual).toBe(status);
    expect(body).toEqual({ statusCode: status, code, message: expect.any(String) as string });
  });

  it('passes a client error message through, as the library wrote it', () => {
    const { body } = toErrorResponse(new BucketError('NoSuchKey', 'getObject (key "a"): gone'));
    expect(body).toEqual({
      statusCode: 404,
      code: 'NoSuchKey',
      message: 'getObject (key "a"): gone',
    });
  });

  it.each([
    'ConnectionFailed',
    'Timeout',
    'Aborted',
    'LocalFileError',
    'InvalidConfig',
    'Unknown',
  ] as const)('replaces the message of %s by a fixed sentence (no address, no secret)', (code) => {
    const text = JSON.stringify(toErrorResponse(leakyError(code)).body);
    expect(text).not.toMatch(/10\.0\.0\.7|hunter2|deep cause|stack/);
  });

  it('gives HttpExceptions the same shape, with the status name as code', () => {
    expect(toErrorResponse(new UnauthorizedException('no token')).body).toEqual({
      statusCode: 401,
      code: 'Unauthorized',
      message: 'no token',
    });
    expect(toErrorResponse(new PayloadTooLargeException('too big')).body).toEqual({
      statusCode: 413,
      code: 'PayloadTooLarge',
      message: 'too big',
    });
  });

  it("keeps the body of an HttpException built around its own object (Terminus's health report)", () => {
    const report = {
      status: 'error',
      info: {},
      error: { storage: { status: 'down' } },
      details: {},
    };
    expect(toErrorResponse(new ServiceUnavailableException(report))).toEqual({
      status: 503,
      body: report,
    });
  });

  it('answers any other error with a generic 500, whatever its message', () => {
    expect(toErrorResponse(new TypeError('cannot read x of undefined at /srv/app.js:1'))).toEqual({
      status: HttpStatus.INTERNAL_SERVER_ERROR,
      body: { statusCode: 500, code: 'InternalServerError', message: 'Internal server error.' },
    });
  });
});

describe('ApiExceptionFilter', () => {
  function host(complete: boolean, headersSent = false) {
    const response = {
      headersSent,
      headers: {} as Record<string, string>,
      statusCode: 0,
      body: undefined as unknown,
      destroyed: false,
      setHeader(name: string, value: string) {
        this.headers[name] = value;
      },
      status(code: number) {
        this.statusCode = code;
        return this;
      },
      json(body: unknown) {
        this.body = body;
      },
      destroy() {
        this.destroyed = true;
      },
    };
    const request = { method: 'PUT', originalUrl: '/buckets/b/files/k', complete };
    const argumentsHost = {
      switchToHttp: () => ({ getRequest: () => request, getResponse: () => response }),
    } as unknown as ArgumentsHost;
    return { argumentsHost, response };
  }
  const filter = new ApiExceptionFilter();
  // The filter logs server-side failures; keep test output clean.
  beforeAll(() => {
    vi.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    vi.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });
  afterAll(() => {
    vi.restoreAllMocks();
  });

  it('sends the status and the body', () => {
    const { argumentsHost, response } = host(true);
    filter.catch(new BucketError('NoSuchBucket', 'missing'), argumentsHost);
    expect(response.statusCode).toBe(404);
    expect(response.body).toEqual({ statusCode: 404, code: 'NoSuchBucket', message: 'missing' });
    expect(response.headers.Connection).toBeUndefined();
  });

  it('closes the connection when the request body was not read to its end', () => {
    const { argumentsHost, response } = host(false);
    filter.catch(new PayloadTooLargeException('too big'), argumentsHost);
    expect(response.statusCode).toBe(413);
    expect(response.headers.Connection).toBe('close');
  });

  it('destroys a response whose headers already went out, rather than append JSON to it', () => {
    const { argumentsHost, response } = host(true, true);
    filter.catch(new Error('stream broke'), argumentsHost);
    expect(response.destroyed).toBe(true);
    expect(response.body).toBeUndefined();
  });
});
