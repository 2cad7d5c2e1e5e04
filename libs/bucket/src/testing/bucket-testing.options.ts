import type { BucketModuleOptions } from '../bucket.options';

/** Options of an {@link InMemoryBucketService}, given to its constructor or to `BucketTestingModule.forRoot`. */
export interface InMemoryBucketOptions {
  /**
   * The instance's name, as with `BucketModule`: the fake is then provided under
   * `getBucketServiceToken(name)` and injected with `@InjectBucket(name)`. Default: none, the
   * default instance, injected as `BucketService`.
   */
  name?: string;
  /**
   * Buckets that exist from the start, and again after `reset()`. Each name must follow S3's
   * rules. Default: none.
   */
  buckets?: readonly string[];
  /**
   * The application's main bucket, as `BucketModuleOptions.bucket`: `probe()` (and so the health
   * indicator) checks that it exists. Default: none.
   */
  bucket?: string;
  /** Whether to connect when the module initialises, as `BucketModuleOptions.autoConnect`. Default: `true`. */
  autoConnect?: boolean;
  /** Whether to log one debug line per operation, as `BucketModuleOptions.debug`. Default: `false`. */
  debug?: boolean;
  /**
   * As `BucketModuleOptions.multipartThresholdBytes`: bodies of known size up to this get an MD5
   * ETag; larger ones, and streams of unknown length, a multipart one. Default: the module's
   * default (16 MiB).
   */
  multipartThresholdBytes?: number;
  /**
   * As `BucketModuleOptions.multipartCopyThresholdBytes`: copies of larger objects get a
   * multipart ETag, as a copy in parts does on a server. Default: the module's default (5 GiB).
   */
  multipartCopyThresholdBytes?: number;
  /**
   * As `BucketModuleOptions.partSizeBytes`: the part size that multipart ETags are computed with.
   * Default: the module's default (8 MiB).
   */
  partSizeBytes?: number;
  /**
   * As `BucketModuleOptions.shutdownDrainMs`: how long application shutdown waits for transfers
   * in flight before aborting them. Default: the module's default (10 s).
   */
  shutdownDrainMs?: number;
  /**
   * What `endpoint` reports, and where presigned URLs point. Default: `memory://default`, or
   * `memory://<name>`.
   */
  endpoint?: string;
  /**
   * The clock that dates objects (`lastModified`) and checks presigned URLs' expiry. Default: the
   * system clock. Give your own to test code that depends on an object's age or a URL's expiry.
   */
  now?: () => Date;
}

/**
 * The argument of `BucketTestingModule.forRoot`: the fake's options, the module's extras, and
 * `real` to swap the fake for a real server with one line.
 */
export interface BucketTestingModuleOptions extends InMemoryBucketOptions {
  /** Whether to make the module global, so that other modules need not import it. Default: `false`. */
  isGlobal?: boolean;
  /**
   * Use a real server instead of the fake: `true` reads the connection from the environment
   * (`BUCKET_HOST`, `BUCKET_USER`, `BUCKET_PASSWORD`, ... prefixed by `envPrefix`) exactly as
   * `BucketModule.forRootAsync()` does; an options object is passed to `BucketModule.forRoot`.
   * The `buckets` are then created if missing, and nothing is deleted afterwards.
   * Typical: `real: !!process.env.BUCKET_HOST`. Default: `false`, the in-memory fake.
   */
  real?: boolean | BucketModuleOptions;
  /** With `real: true`, the prefix of the environment keys, as in `BucketModule`. Default: none. */
  envPrefix?: string;
}
