import { BucketService } from './bucket.service';

/**
 * The injection token of the `BucketService` of an instance. The default instance's token is
 * the `BucketService` class itself, so plain constructor injection works.
 *
 * @param name - the instance's name, as given to `forRoot`/`forRootAsync`; none for the default
 */
export function getBucketServiceToken(name?: string): string | typeof BucketService {
  return name ? `BUCKET:SERVICE:${name}` : BucketService;
}

/**
 * The injection token of the `S3Client` of an instance. Override it in a test module to give
 * the service a client of your own.
 */
export function getBucketClientToken(name?: string): string {
  return name ? `BUCKET:CLIENT:${name}` : 'BUCKET:CLIENT';
}

/**
 * The injection token of the resolved options of an instance.
 * @internal
 */
export function getBucketOptionsToken(name?: string): string {
  return name ? `BUCKET:OPTIONS:${name}` : 'BUCKET:OPTIONS';
}
