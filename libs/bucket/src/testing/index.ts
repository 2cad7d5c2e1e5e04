/**
 * nest-bucket/testing: an in-memory `BucketService` for fast tests, proven to behave as a real
 * S3 server by the library's contract suite, and `BucketTestingModule` to provide it.
 */
export { BucketTestingModule, getInMemoryBucketToken } from './bucket-testing.module';
export type { BucketTestingModuleOptions, InMemoryBucketOptions } from './bucket-testing.options';
export type { BucketOperation, BucketServiceContract } from './bucket-service-contract';
export { InMemoryBucketService } from './in-memory-bucket.service';
export type { SeedObjectOptions, StoredObjectInfo } from './in-memory-bucket.inspection';
export { SimulatedBucketFailure, type FailNextOptions } from './in-memory-bucket.faults';
export { compareKeys } from './in-memory-bucket.store';
