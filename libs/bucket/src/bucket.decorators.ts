import { Inject } from '@nestjs/common';
import { getBucketClientToken, getBucketServiceToken } from './bucket.tokens';

/**
 * Injects the `BucketService` of an instance: `@InjectBucket('archive')`. Without a name it
 * injects the default instance, which plain `constructor(private bucket: BucketService)` does too.
 */
export function InjectBucket(name?: string): ParameterDecorator & PropertyDecorator {
  return Inject(getBucketServiceToken(name));
}

/** Injects the `S3Client` of an instance, for the rare call that the service does not cover. */
export function InjectBucketClient(name?: string): ParameterDecorator & PropertyDecorator {
  return Inject(getBucketClientToken(name));
}
