import { inspect } from 'node:util';
import { BucketError } from './bucket.errors';
import { readBucketOptionsFromEnv, resolveBucketOptions } from './bucket.options';

const base = { host: '127.0.0.1', port: 7480, user: 'AKIATEST', password: 's3cr3t-VALUE' };

function problemsOf(raw: Record<string, unknown>, prefix?: string): string {
  try {
    resolveBucketOptions(raw, prefix);
  } catch (error) {
    expect(error).toBeInstanceOf(BucketError);
    expect((error as BucketError).code).toBe('InvalidConfig');
    return (error as BucketError).message;
  }
  throw new Error('expected InvalidConfig');
}

describe('resolveBucketOptions', () => {
  it('applies the defaults', () => {
    const resolved = resolveBucketOptions(base);
    expect(resolved).toMatchObject({
      host: '127.0.0.1',
      port: 7480,
      signatureVersion: 's3v4',
      region: 'us-east-1',
      useSsl: false,
      forcePathStyle: true,
      autoConnect: true,
      debug: false,
      healthTimeoutMs: 1000,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      endpoint: 'http://127.0.0.1:7480',
    });
    expect(resolved.password).toBe('s3cr3t-VALUE');
  });

  it('bounds the throughput of transfers by default, can turn it off, and checks its values', () => {
    expect(resolveBucketOptions(base)).toMatchObject({
      minBytesPerSecond: 1024,
      stallTimeoutMs: 30_000,
    });
    expect(resolveBucketOptions({ ...base, minBytesPerSecond: '0' }).minBytesPerSecond).toBe(0);
    const message = problemsOf({ ...base, minBytesPerSecond: -1, stallTimeoutMs: 0 });
    expect(message).toContain('minBytesPerSecond (BUCKET_MIN_BYTES_PER_SECOND) = -1');
    expect(message).toContain('stallTimeoutMs (BUCKET_STALL_TIMEOUT_MS) = 0');
    const env: Record<string, string> = {
      BUCKET_MIN_BYTES_PER_SECOND: '2048',
      BUCKET_STALL_TIMEOUT_MS: '5000',
    };
    expect(readBucketOptionsFromEnv((key) => env[key])).toEqual({
      minBytesPerSecond: '2048',
      stallTimeoutMs: '5000',
    });
  });

  it('uses TLS and port 443 by default for a remote host, plain HTTP on 80 for localhost', () => {
    expect(
      resolveBucketOptions({ ...base, host: 's3.example.com', port: undefined }).endpoint,
    ).toBe('https://s3.example.com:443');
    expect(resolveBucketOptions({ ...base, host: 'localhost', port: undefined }).endpoint).toBe(
      'http://localhost:80',
    );
  });

  it('accepts a host given as a full URL, whose scheme and port win', () => {
    const resolved = resolveBucketOptions({
      ...base,
      host: 'https://minio.internal:9000',
      port: undefined,
    });
    expect(resolved).toMatchObject({
      host: 'minio.internal',
      port: 9000,
      useSsl: true,
      endpoint: 'https://minio.internal:9000',
    });
  });

  it('brackets an IPv6 host in the endpoint', () => {
    expect(resolveBucketOptions({ ...base, host: '::1' }).endpoint).toBe('http://[::1]:7480');
  });

  it('parses environment strings: numbers and booleans', () => {
    const resolved = resolveBucketOptions({
      ...base,
      port: '9000',
      useSsl: 'true',
      debug: '1',
      autoConnect: 'no',
      healthTimeoutMs: '250',
    });
    expect(resolved).toMatchObject({
      port: 9000,
      useSsl: true,
      debug: true,
      autoConnect: false,
      healthTimeoutMs: 250,
    });
  });

  it('lists every problem at once, naming the option, its env key, the value and the rule', () => {
    const message = problemsOf({
      port: 'abc',
      signatureVersion: 's3',
      connectTimeoutMs: -5,
      useSsl: 'maybe',
    });
    expect(message).toContain('host (BUCKET_HOST) is missing: is required');
    expect(message).toContain('user (BUCKET_USER) is missing: is required');
    expect(message).toContain('password (BUCKET_PASSWORD) is missing: is required');
    expect(message).toContain('port (BUCKET_PORT) = "abc": must be an integer from 1 to 65535');
    expect(message).toMatch(/signatureVersion \(BUCKET_SIGNATURE_VERSION\) = "s3": must be s3v4/);
    expect(message).toContain('connectTimeoutMs (BUCKET_CONNECT_TIMEOUT_MS) = -5');
    expect(message).toContain('useSsl (BUCKET_USE_SSL) = "maybe": must be true or false');
  });

  it('rejects a port out of range', () => {
    expect(problemsOf({ ...base, port: 70000 })).toContain('port (BUCKET_PORT) = 70000');
    expect(problemsOf({ ...base, port: 0 })).toContain('must be an integer from 1 to 65535');
  });

  it('accepts v4 as s3v4 and rejects SigV2 with a reason', () => {
    expect(resolveBucketOptions({ ...base, signatureVersion: 'v4' }).signatureVersion).toBe('s3v4');
    expect(problemsOf({ ...base, signatureVersion: 's3' })).toContain('Signature Version 4');
  });

  it('rejects a host with a path, credentials or a foreign scheme', () => {
    expect(problemsOf({ ...base, host: 'http://h:1/path' })).toContain('must not have a path');
    expect(problemsOf({ ...base, host: 'http://u:p@h:1' })).toContain(
      'must not contain credentials',
    );
    expect(problemsOf({ ...base, host: 'ftp://h' })).toContain('http or https');
    expect(problemsOf({ ...base, host: 'bad host' })).toContain('must be a host name');
  });

  it('rejects useSsl or port that contradicts the host URL', () => {
    expect(problemsOf({ ...base, host: 'https://h', useSsl: false })).toContain(
      'contradicts the scheme',
    );
    expect(problemsOf({ ...base, host: 'https://h:9000', port: 9001 })).toContain(
      'contradicts the port',
    );
    expect(resolveBucketOptions({ ...base, host: 'http://h:7480', port: 7480 }).endpoint).toBe(
      'http://h:7480',
    );
  });

  it('has no publicEndpoint by default, and normalises one to its origin', () => {
    expect(resolveBucketOptions(base).publicEndpoint).toBeUndefined();
    const cases: [string, string][] = [
      ['https://files.example.com', 'https://files.example.com'],
      ['https://files.example.com/', 'https://files.example.com'],
      [' HTTPS://Files.Example.COM:443 ', 'https://files.example.com'],
      ['http://localhost:9000', 'http://localhost:9000'],
      ['http://127.0.0.2:80/', 'http://127.0.0.2'],
      ['http://[::1]:9000', 'http://[::1]:9000'],
    ];
    for (const [given, origin] of cases) {
      const resolved = resolveBucketOptions({ ...base, publicEndpoint: given });
      expect([given, resolved.publicEndpoint]).toEqual([given, origin]);
      expect(resolved.endpoint).toBe('http://127.0.0.1:7480');
    }
  });

  it('reads publicEndpoint from BUCKET_PUBLIC_ENDPOINT, with the prefix', () => {
    const env: Record<string, string> = {
      BUCKET_PUBLIC_ENDPOINT: 'https://files.example.com',
      ARCHIVE_BUCKET_PUBLIC_ENDPOINT: 'http://localhost:9000',
    };
    expect(readBucketOptionsFromEnv((key) => env[key])).toEqual({
      publicEndpoint: 'https://files.example.com',
    });
    expect(readBucketOptionsFromEnv((key) => env[key], 'ARCHIVE_')).toEqual({
      publicEndpoint: 'http://localhost:9000',
    });
  });

  it('rejects a publicEndpoint that is not an absolute http(s) URL of a bare origin, naming the rule', () => {
    const cases: [unknown, string][] = [
      ['files.example.com', 'must be an absolute http(s) URL'],
      ['//files.example.com', 'must be an absolute http(s) URL'],
      ['ftp://files.example.com', 'must be an absolute http(s) URL'],
      [9000, 'must be an absolute http(s) URL'],
      ['http://', 'is not a valid URL'],
      ['https://files.example.com/s3', 'must not have a path, a query or a fragment'],
      ['https://files.example.com/?x=1', 'must not have a path, a query or a fragment'],
      ['https://files.example.com/#top', 'must not have a path, a query or a fragment'],
      ['https://ann:pw@files.example.com', 'must not contain credentials'],
    ];
    for (const [publicEndpoint, rule] of cases) {
      const message = problemsOf({ ...base, publicEndpoint });
      expect(message).toContain('publicEndpoint (BUCKET_PUBLIC_ENDPOINT) = ');
      expect([publicEndpoint, message.includes(rule)]).toEqual([publicEndpoint, true]);
    }
    expect(problemsOf({ ...base, publicEndpoint: 'x' }, 'ARCHIVE_')).toContain(
      'publicEndpoint (ARCHIVE_BUCKET_PUBLIC_ENDPOINT) = "x"',
    );
  });

  it('hides the credentials of a URL in messages', () => {
    const message = problemsOf({
      ...base,
      host: 'http://ann:pw-SECRET@h:1',
      publicEndpoint: 'https://ann:pw-SECRET@files.example.com',
    });
    expect(message).toContain('publicEndpoint (BUCKET_PUBLIC_ENDPOINT) = "https://***@files');
    expect(message).toContain('host (BUCKET_HOST) = "http://***@h:1"');
    expect(message).not.toContain('pw-SECRET');
  });

  it('never shows a secret: not in errors, not in JSON, not in inspect', () => {
    const message = problemsOf({ ...base, password: 's3cr3t-VALUE', port: -1 });
    expect(message).not.toContain('s3cr3t-VALUE');
    const resolved = resolveBucketOptions(base);
    expect(JSON.stringify(resolved)).not.toContain('s3cr3t-VALUE');
    expect(inspect(resolved, { depth: 5 })).not.toContain('s3cr3t-VALUE');
  });

  it('names prefixed env keys for a named instance', () => {
    expect(problemsOf({}, 'ARCHIVE_')).toContain('host (ARCHIVE_BUCKET_HOST) is missing');
  });
});

describe('readBucketOptionsFromEnv', () => {
  it('reads every key, with the prefix, and leaves out unset ones', () => {
    const env: Record<string, string> = {
      ARCHIVE_BUCKET_HOST: 'h',
      ARCHIVE_BUCKET_PORT: '9000',
      ARCHIVE_BUCKET_USER: 'u',
      ARCHIVE_BUCKET_PASSWORD: 'p',
      ARCHIVE_BUCKET_SIGNATURE_VERSION: 's3v4',
      BUCKET_HOST: 'not-this-one',
    };
    expect(readBucketOptionsFromEnv((key) => env[key], 'ARCHIVE_')).toEqual({
      host: 'h',
      port: '9000',
      user: 'u',
      password: 'p',
      signatureVersion: 's3v4',
    });
  });
});
