import { createBucketError } from './bucket.errors';
import { invalidConfig } from './bucket.messages';
import { describeValue } from './bucket.validation';

/** How the SDK computes request checksums and validates response checksums. */
export type ChecksumMode = 'WHEN_SUPPORTED' | 'WHEN_REQUIRED';

/**
 * The options of one `BucketModule` instance. Every field can also come from the
 * environment through `ConfigService`, under the key named in its documentation
 * (prefixed with `envPrefix` for a named instance).
 */
export interface BucketModuleOptions {
  /**
   * The server's host name or IP address, or a full URL such as `https://s3.example.com:9000`
   * (whose scheme then sets `useSsl` and whose port sets `port`). Required. Env: `BUCKET_HOST`.
   */
  host: string;
  /** The server's TCP port. Default: 443 with TLS, 80 without. Env: `BUCKET_PORT`. */
  port?: number;
  /** The access key ID. Required. Env: `BUCKET_USER`. */
  user: string;
  /** The secret access key. Required. Never logged nor rendered. Env: `BUCKET_PASSWORD`. */
  password: string;
  /**
   * The signature version, as in the original design. The AWS SDK v3 signs only with
   * Signature Version 4, so only `s3v4` (or `v4`) is accepted. Default: `s3v4`.
   * Env: `BUCKET_SIGNATURE_VERSION`.
   */
  signatureVersion?: string;
  /** The region used for signing. Default: `us-east-1`. Env: `BUCKET_REGION`. */
  region?: string;
  /**
   * Whether to use HTTPS. Default: `false` for `localhost` and loopback addresses, `true`
   * otherwise, or the scheme of a `host` given as a URL. Env: `BUCKET_USE_SSL`.
   */
  useSsl?: boolean;
  /**
   * Whether to address buckets as `host/bucket` rather than `bucket.host`. Most S3-compatible
   * servers need it. Default: `true`. Env: `BUCKET_FORCE_PATH_STYLE`.
   */
  forcePathStyle?: boolean;
  /**
   * The URL that browsers and other clients outside the service's network use to reach the
   * server, such as `https://files.example.com` or `http://localhost:9000`, when it differs from
   * `host` (for example `http://minio:9000` inside Docker Compose). Every presigned URL
   * (`getPresignedUrl`, GET and PUT) and presigned POST is then signed for this host and points
   * at it, while the service keeps sending its own requests to `host`. A SigV4 signature covers
   * the `Host` header, so the public address must reach the server with that host unchanged
   * (a TCP forwarder, a port mapping, or a reverse proxy that keeps `Host` and the path as they
   * are). An absolute http(s) URL with no credentials, path, query or fragment: buckets are
   * addressed as for `host` (`forcePathStyle`). Default: none (URLs are signed for `host`).
   * Env: `BUCKET_PUBLIC_ENDPOINT`.
   */
  publicEndpoint?: string;
  /** Whether to connect when the module initialises. Default: `true`. Env: `BUCKET_AUTO_CONNECT`. */
  autoConnect?: boolean;
  /** Whether to log one debug line per operation. Default: `false`. Env: `BUCKET_DEBUG`. */
  debug?: boolean;
  /**
   * The application's main bucket, if any. When set, `connect()` and the health indicator probe
   * it with a cheap `HeadBucket` (which also works with credentials scoped to one bucket) instead
   * of `ListBuckets`. Env: `BUCKET_NAME`.
   */
  bucket?: string;
  /** The health probe's time limit, in ms. Default: 1000. Env: `BUCKET_HEALTH_TIMEOUT_MS`. */
  healthTimeoutMs?: number;
  /** The time limit to open a TCP connection, in ms. Default: 5000. Env: `BUCKET_CONNECT_TIMEOUT_MS`. */
  connectTimeoutMs?: number;
  /**
   * The time a request may wait for the server without receiving any byte, in ms. Default: 30000.
   * Env: `BUCKET_REQUEST_TIMEOUT_MS`.
   */
  requestTimeoutMs?: number;
  /**
   * How many times a request is tried in all (1 = no retry): by the SDK, and by `uploadFile` for
   * each part, which it reads again from the file (the SDK does not retry a streamed body).
   * Default: 3. Env: `BUCKET_MAX_ATTEMPTS`.
   */
  maxAttempts?: number;
  /**
   * The base of the exponential backoff between the SDK's attempts, in ms: attempt n waits about
   * `base * 2^n` (with jitter, at most 20 s). Default: 100. Env: `BUCKET_RETRY_BASE_DELAY_MS`.
   */
  retryBaseDelayMs?: number;
  /**
   * The slowest a transfer may go (`downloadFile`, and the parts and the PutObject of
   * `uploadFile`), in bytes per second, measured over `stallTimeoutMs`: a transfer that moves
   * fewer bytes than that over the window fails with `Timeout`, leaving no file and no multipart
   * upload, as curl's `--speed-limit`. Without it, a body that trickles a byte at a time never
   * trips `requestTimeoutMs`, which only measures silence. 0 turns the check off.
   * Default: 1024. Env: `BUCKET_MIN_BYTES_PER_SECOND`.
   */
  minBytesPerSecond?: number;
  /**
   * The window over which `minBytesPerSecond` is measured, in ms (curl's `--speed-time`).
   * Default: 30000. Env: `BUCKET_STALL_TIMEOUT_MS`.
   */
  stallTimeoutMs?: number;
  /**
   * On application shutdown, how long to wait for transfers in flight before aborting them
   * (multipart uploads are then aborted on the server), in ms. Default: 10000.
   * Env: `BUCKET_SHUTDOWN_DRAIN_MS`.
   */
  shutdownDrainMs?: number;
  /** The size of the HTTP socket pool. Default: 50. Env: `BUCKET_MAX_SOCKETS`. */
  maxSockets?: number;
  /**
   * Uploads larger than this, and streams of unknown length, go in parts (multipart upload).
   * Default: 16 MiB. Env: `BUCKET_MULTIPART_THRESHOLD_BYTES`.
   */
  multipartThresholdBytes?: number;
  /**
   * `copyFile` and `moveFile` of a larger object copy it in parts (`UploadPartCopy`, parts of
   * `partSizeBytes` or larger, `uploadConcurrency` at once); up to it, one `CopyObject`. S3 refuses
   * a `CopyObject` above 5 GiB, the default and largest value: measured on Ceph RGW, one
   * `CopyObject` of 256 MiB took 30-50 ms and a copy in parts 0.8-1.5 s, as RGW shares the data
   * of a whole-object copy instead of copying it. Lower it for progress events and aborts of
   * large copies, or where a server copies faster in parallel parts. From 5 MiB to 5 GiB.
   * Env: `BUCKET_MULTIPART_COPY_THRESHOLD_BYTES`.
   */
  multipartCopyThresholdBytes?: number;
  /**
   * The size of each part of a multipart upload and of each ranged GET of a parallel download.
   * At least 5 MiB (S3's minimum part). Default: 8 MiB. Env: `BUCKET_PART_SIZE_BYTES`.
   */
  partSizeBytes?: number;
  /** Parts uploaded at once by one upload. Default: 4. Env: `BUCKET_UPLOAD_CONCURRENCY`. */
  uploadConcurrency?: number;
  /**
   * Ranged GETs in flight at once for one download above `partSizeBytes`. Default: 8.
   * Env: `BUCKET_DOWNLOAD_CONCURRENCY`.
   */
  downloadConcurrency?: number;
  /**
   * Checks bytes end to end with MD5 (see the Guarantees page of the docs): every PutObject and
   * UploadPart whose bytes are known (files, buffers) carries its `Content-MD5`, which the server
   * checks (`BadDigest`, then resent), and a download is hashed against the object's ETag where it
   * can be recomputed (`IntegrityError` on a difference). Costs about 1.5 CPU s per GiB each way;
   * `false` trades these checks for that CPU. Lengths, Content-Range and `If-Match` are checked
   * either way. A call's `verifyChecksums` overrides it. Default: true.
   * Env: `BUCKET_VERIFY_CHECKSUMS`.
   */
  verifyChecksums?: boolean;
  /**
   * When the SDK adds checksums to requests. Default: `WHEN_REQUIRED`, because Ceph RGW and
   * other S3-compatible servers reject the SDK's aws-chunked trailing checksums with HTTP 411.
   * Env: `BUCKET_REQUEST_CHECKSUM_CALCULATION`.
   */
  requestChecksumCalculation?: ChecksumMode;
  /**
   * When the SDK validates response checksums. Default: `WHEN_REQUIRED`.
   * Env: `BUCKET_RESPONSE_CHECKSUM_VALIDATION`.
   */
  responseChecksumValidation?: ChecksumMode;
}

/**
 * The options after defaults and validation, as the service uses them.
 * `password` is not enumerable, so `JSON.stringify` and `util.inspect` never show it.
 */
export interface ResolvedBucketOptions extends Required<
  Omit<BucketModuleOptions, 'bucket' | 'publicEndpoint'>
> {
  /** The main bucket, if configured. */
  bucket?: string;
  /** The origin presigned URLs are signed for (`http(s)://host[:port]`), if configured. */
  publicEndpoint?: string;
  /** `http(s)://host:port`, without credentials. */
  endpoint: string;
}

const MIB = 1024 * 1024;

/** The default of every optional field. `port` and `useSsl` are derived from `host`. */
export const BUCKET_OPTION_DEFAULTS = {
  /** {@inheritDoc BucketModuleOptions.signatureVersion} */
  signatureVersion: 's3v4',
  /** {@inheritDoc BucketModuleOptions.region} */
  region: 'us-east-1',
  /** {@inheritDoc BucketModuleOptions.forcePathStyle} */
  forcePathStyle: true,
  /** {@inheritDoc BucketModuleOptions.autoConnect} */
  autoConnect: true,
  /** {@inheritDoc BucketModuleOptions.debug} */
  debug: false,
  /** {@inheritDoc BucketModuleOptions.healthTimeoutMs} */
  healthTimeoutMs: 1000,
  /** {@inheritDoc BucketModuleOptions.connectTimeoutMs} */
  connectTimeoutMs: 5000,
  /** {@inheritDoc BucketModuleOptions.requestTimeoutMs} */
  requestTimeoutMs: 30_000,
  /** {@inheritDoc BucketModuleOptions.maxAttempts} */
  maxAttempts: 3,
  /** {@inheritDoc BucketModuleOptions.maxSockets} */
  maxSockets: 50,
  /** {@inheritDoc BucketModuleOptions.retryBaseDelayMs} */
  retryBaseDelayMs: 100,
  /** {@inheritDoc BucketModuleOptions.minBytesPerSecond} */
  minBytesPerSecond: 1024,
  /** {@inheritDoc BucketModuleOptions.stallTimeoutMs} */
  stallTimeoutMs: 30_000,
  /** {@inheritDoc BucketModuleOptions.shutdownDrainMs} */
  shutdownDrainMs: 10_000,
  /** {@inheritDoc BucketModuleOptions.multipartThresholdBytes} */
  multipartThresholdBytes: 16 * MIB,
  /** {@inheritDoc BucketModuleOptions.multipartCopyThresholdBytes} */
  multipartCopyThresholdBytes: 5 * 1024 * MIB,
  /** {@inheritDoc BucketModuleOptions.partSizeBytes} */
  partSizeBytes: 8 * MIB,
  /** {@inheritDoc BucketModuleOptions.uploadConcurrency} */
  uploadConcurrency: 4,
  /** {@inheritDoc BucketModuleOptions.downloadConcurrency} */
  downloadConcurrency: 8,
  /** {@inheritDoc BucketModuleOptions.verifyChecksums} */
  verifyChecksums: true,
  /** {@inheritDoc BucketModuleOptions.requestChecksumCalculation} */
  requestChecksumCalculation: 'WHEN_REQUIRED',
  /** {@inheritDoc BucketModuleOptions.responseChecksumValidation} */
  responseChecksumValidation: 'WHEN_REQUIRED',
} as const satisfies Partial<BucketModuleOptions>;

type Parsed<T> = { value: T } | { problem: string };
type Parser = (value: unknown) => Parsed<unknown>;

const parseString: Parser = (v) =>
  typeof v === 'string' && v.trim() !== ''
    ? { value: v.trim() }
    : { problem: 'must be a non-empty string' };

const parseInteger =
  (min: number, max: number, rule: string): Parser =>
  (v) => {
    const n = typeof v === 'string' && /^\s*-?\d+\s*$/.test(v) ? Number(v) : v;
    return typeof n === 'number' && Number.isInteger(n) && n >= min && n <= max
      ? { value: n }
      : { problem: rule };
  };

const parseBoolean: Parser = (v) => {
  if (typeof v === 'boolean') return { value: v };
  const text = typeof v === 'string' ? v.trim().toLowerCase() : undefined;
  if (text === 'true' || text === '1' || text === 'yes') return { value: true };
  if (text === 'false' || text === '0' || text === 'no') return { value: false };
  return { problem: 'must be true or false' };
};

const parseChecksumMode: Parser = (v) =>
  v === 'WHEN_SUPPORTED' || v === 'WHEN_REQUIRED'
    ? { value: v }
    : { problem: 'must be WHEN_REQUIRED or WHEN_SUPPORTED' };

const parseSignatureVersion: Parser = (v) =>
  v === 's3v4' || v === 'v4'
    ? { value: 's3v4' }
    : {
        problem:
          'must be s3v4: the AWS SDK v3 signs requests only with Signature Version 4 (SigV2 "s3" is not supported)',
      };

/** What `publicEndpoint` must be, in every problem about it. */
const PUBLIC_ENDPOINT_RULE = 'must be an absolute http(s) URL such as https://files.example.com';

/**
 * Parses `publicEndpoint` into its origin (`https://files.example.com`, `http://localhost:9000`):
 * an http(s) URL without credentials, path, query or fragment. A path is refused because the
 * signature covers the request's path: a proxy that strips a prefix would break every URL.
 */
const parsePublicEndpoint: Parser = (v) => {
  const text = typeof v === 'string' ? v.trim() : '';
  if (!/^https?:\/\//i.test(text)) return { problem: PUBLIC_ENDPOINT_RULE };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { problem: `is not a valid URL: ${PUBLIC_ENDPOINT_RULE}` };
  }
  if (url.username || url.password) return { problem: 'must not contain credentials' };
  if (url.pathname !== '/' || url.search || url.hash) {
    return {
      problem:
        'must not have a path, a query or a fragment (the signature covers the path, so the public URL must reach the server with the same path)',
    };
  }
  return { value: url.origin };
};

const parseTimeout = parseInteger(
  1,
  86_400_000,
  'must be a whole number of milliseconds from 1 to 86400000',
);

interface OptionSpec {
  /** The environment key, without the instance prefix. */
  readonly env: string;
  readonly parse: Parser;
  readonly required?: boolean;
  readonly secret?: boolean;
}

/** Every option, its environment key and its rule. The single source for parsing and docs. */
export const BUCKET_OPTION_SPECS: Record<keyof BucketModuleOptions, OptionSpec> = {
  host: { env: 'BUCKET_HOST', parse: parseString, required: true },
  port: { env: 'BUCKET_PORT', parse: parseInteger(1, 65535, 'must be an integer from 1 to 65535') },
  user: { env: 'BUCKET_USER', parse: parseString, required: true },
  password: { env: 'BUCKET_PASSWORD', parse: parseString, required: true, secret: true },
  signatureVersion: { env: 'BUCKET_SIGNATURE_VERSION', parse: parseSignatureVersion },
  region: { env: 'BUCKET_REGION', parse: parseString },
  useSsl: { env: 'BUCKET_USE_SSL', parse: parseBoolean },
  forcePathStyle: { env: 'BUCKET_FORCE_PATH_STYLE', parse: parseBoolean },
  publicEndpoint: { env: 'BUCKET_PUBLIC_ENDPOINT', parse: parsePublicEndpoint },
  autoConnect: { env: 'BUCKET_AUTO_CONNECT', parse: parseBoolean },
  debug: { env: 'BUCKET_DEBUG', parse: parseBoolean },
  bucket: { env: 'BUCKET_NAME', parse: parseString },
  healthTimeoutMs: { env: 'BUCKET_HEALTH_TIMEOUT_MS', parse: parseTimeout },
  connectTimeoutMs: { env: 'BUCKET_CONNECT_TIMEOUT_MS', parse: parseTimeout },
  requestTimeoutMs: { env: 'BUCKET_REQUEST_TIMEOUT_MS', parse: parseTimeout },
  maxAttempts: {
    env: 'BUCKET_MAX_ATTEMPTS',
    parse: parseInteger(1, 20, 'must be an integer from 1 to 20'),
  },
  maxSockets: {
    env: 'BUCKET_MAX_SOCKETS',
    parse: parseInteger(1, 10_000, 'must be an integer from 1 to 10000'),
  },
  retryBaseDelayMs: {
    env: 'BUCKET_RETRY_BASE_DELAY_MS',
    parse: parseInteger(0, 60_000, 'must be a whole number of milliseconds from 0 to 60000'),
  },
  minBytesPerSecond: {
    env: 'BUCKET_MIN_BYTES_PER_SECOND',
    parse: parseInteger(
      0,
      1024 * 1024 * 1024,
      'must be a whole number of bytes per second from 0 (off) to 1073741824',
    ),
  },
  stallTimeoutMs: { env: 'BUCKET_STALL_TIMEOUT_MS', parse: parseTimeout },
  shutdownDrainMs: {
    env: 'BUCKET_SHUTDOWN_DRAIN_MS',
    parse: parseInteger(0, 600_000, 'must be a whole number of milliseconds from 0 to 600000'),
  },
  multipartThresholdBytes: {
    env: 'BUCKET_MULTIPART_THRESHOLD_BYTES',
    parse: parseInteger(
      5 * MIB,
      5 * 1024 * MIB,
      'must be a whole number of bytes from 5 MiB to 5 GiB',
    ),
  },
  multipartCopyThresholdBytes: {
    env: 'BUCKET_MULTIPART_COPY_THRESHOLD_BYTES',
    parse: parseInteger(
      5 * MIB,
      5 * 1024 * MIB,
      'must be a whole number of bytes from 5 MiB to 5 GiB',
    ),
  },
  partSizeBytes: {
    env: 'BUCKET_PART_SIZE_BYTES',
    parse: parseInteger(
      5 * MIB,
      5 * 1024 * MIB,
      'must be a whole number of bytes from 5 MiB to 5 GiB',
    ),
  },
  uploadConcurrency: {
    env: 'BUCKET_UPLOAD_CONCURRENCY',
    parse: parseInteger(1, 64, 'must be an integer from 1 to 64'),
  },
  downloadConcurrency: {
    env: 'BUCKET_DOWNLOAD_CONCURRENCY',
    parse: parseInteger(1, 64, 'must be an integer from 1 to 64'),
  },
  verifyChecksums: { env: 'BUCKET_VERIFY_CHECKSUMS', parse: parseBoolean },
  requestChecksumCalculation: {
    env: 'BUCKET_REQUEST_CHECKSUM_CALCULATION',
    parse: parseChecksumMode,
  },
  responseChecksumValidation: {
    env: 'BUCKET_RESPONSE_CHECKSUM_VALIDATION',
    parse: parseChecksumMode,
  },
};

const LOOPBACK_HOSTS = /^(localhost|127(\.\d{1,3}){3}|\[?::1\]?)$/i;

interface HostParts {
  hostname: string;
  port?: number;
  useSsl?: boolean;
}

/** Splits a host given as a URL into its parts; a bare host name is returned as is. */
function parseHost(host: string): Parsed<HostParts> {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(host)) {
    return /[/\s@?#]/.test(host)
      ? { problem: 'must be a host name, an IP address or an http(s) URL' }
      : { value: { hostname: host } };
  }
  let url: URL;
  try {
    url = new URL(host);
  } catch {
    return { problem: 'is not a valid URL' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return { problem: 'must use the http or https scheme' };
  if (url.username || url.password) return { problem: 'must not contain credentials' };
  if (url.pathname !== '/' || url.search || url.hash)
    return { problem: 'must not have a path, a query or a fragment' };
  return {
    value: {
      hostname: url.hostname,
      useSsl: url.protocol === 'https:',
      ...(url.port ? { port: Number(url.port) } : {}),
    },
  };
}

/** Describes a problem with one option: its name, its environment key, its value (masked when secret) and the rule. */
function describeProblem(
  name: string,
  envKey: string,
  spec: OptionSpec,
  value: unknown,
  rule: string,
): string {
  const shown =
    value === undefined
      ? 'is missing'
      : `= ${spec.secret ? '(hidden)' : describeValue(withoutUserInfo(value))}`;
  return `${name} (${envKey}) ${shown}: ${rule}`;
}

/** A URL's `user:password@` replaced with `***@`, so that no message shows a credential. */
function withoutUserInfo(value: unknown): unknown {
  return typeof value === 'string'
    ? value.replace(/^(\s*[a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, '$1***@')
    : value;
}

/**
 * Applies defaults to raw options and checks every field. Values may be strings, as read from
 * the environment. Throws one `InvalidConfig` error that lists every problem, each naming the
 * option, its environment key, the value (never a secret's) and the rule.
 *
 * @param raw - the options, from `forRoot`, a factory or the environment
 * @param envPrefix - the prefix of the environment keys named in messages (named instances)
 */
export function resolveBucketOptions(
  raw: Partial<Record<keyof BucketModuleOptions, unknown>>,
  envPrefix = '',
): ResolvedBucketOptions {
  const problems: string[] = [];
  const values: Partial<Record<keyof BucketModuleOptions, unknown>> = {};
  for (const [name, spec] of Object.entries(BUCKET_OPTION_SPECS) as [
    keyof BucketModuleOptions,
    OptionSpec,
  ][]) {
    const value = raw[name];
    const envKey = `${envPrefix}${spec.env}`;
    if (value === undefined || value === null || value === '') {
      if (spec.required)
        problems.push(describeProblem(name, envKey, spec, undefined, 'is required'));
      continue;
    }
    const parsed = spec.parse(value);
    if ('problem' in parsed)
      problems.push(describeProblem(name, envKey, spec, value, parsed.problem));
    else values[name] = parsed.value;
  }

  let hostParts: HostParts | undefined;
  if (typeof values.host === 'string') {
    const parsed = parseHost(values.host);
    if ('problem' in parsed) {
      problems.push(
        describeProblem(
          'host',
          `${envPrefix}BUCKET_HOST`,
          BUCKET_OPTION_SPECS.host,
          values.host,
          parsed.problem,
        ),
      );
    } else hostParts = parsed.value;
  }
  if (
    hostParts?.useSsl !== undefined &&
    values.useSsl !== undefined &&
    hostParts.useSsl !== values.useSsl
  ) {
    problems.push(
      `useSsl (${envPrefix}BUCKET_USE_SSL) = ${describeValue(values.useSsl)}: contradicts the scheme of host ${describeValue(values.host)}`,
    );
  }
  if (
    hostParts?.port !== undefined &&
    values.port !== undefined &&
    hostParts.port !== values.port
  ) {
    problems.push(
      `port (${envPrefix}BUCKET_PORT) = ${describeValue(values.port)}: contradicts the port of host ${describeValue(values.host)}`,
    );
  }
  if (problems.length > 0 || !hostParts) {
    throw createBucketError('InvalidConfig', invalidConfig(problems));
  }

  const useSsl =
    (values.useSsl as boolean | undefined) ??
    hostParts.useSsl ??
    !LOOPBACK_HOSTS.test(hostParts.hostname);
  const port = (values.port as number | undefined) ?? hostParts.port ?? (useSsl ? 443 : 80);
  const urlHost =
    hostParts.hostname.includes(':') && !hostParts.hostname.startsWith('[')
      ? `[${hostParts.hostname}]`
      : hostParts.hostname;
  const resolved = {
    ...BUCKET_OPTION_DEFAULTS,
    ...values,
    host: hostParts.hostname,
    port,
    useSsl,
    endpoint: `${useSsl ? 'https' : 'http'}://${urlHost}:${port}`,
  } as ResolvedBucketOptions;
  Object.defineProperty(resolved, 'password', {
    value: values.password,
    enumerable: false,
    writable: false,
  });
  return resolved;
}

/**
 * Reads raw options from the environment keys, through a getter such as `ConfigService.get`.
 * Validation happens in {@link resolveBucketOptions}.
 */
export function readBucketOptionsFromEnv(
  get: (key: string) => unknown,
  envPrefix = '',
): Partial<Record<keyof BucketModuleOptions, unknown>> {
  const raw: Partial<Record<keyof BucketModuleOptions, unknown>> = {};
  for (const [name, spec] of Object.entries(BUCKET_OPTION_SPECS) as [
    keyof BucketModuleOptions,
    OptionSpec,
  ][]) {
    const value = get(`${envPrefix}${spec.env}`);
    if (value !== undefined) raw[name] = value;
  }
  return raw;
}
