import { Test } from '@nestjs/testing';
import { BucketService } from 'nest-bucket';
import { BucketTestingModule, InMemoryBucketService } from 'nest-bucket/testing';
import { describeBucketServiceContract } from './contract/bucket-service.contract';

// The contract suite against the in-memory fake of nest-bucket/testing, provided the way users
// get it: BucketTestingModule, under the BucketService token. It needs no server; it sits beside
// the real run (bucket-service.e2e-spec.ts) so that the two read side by side.
describeBucketServiceContract('in-memory fake', async () => {
  const module = await Test.createTestingModule({
    imports: [BucketTestingModule.forRoot()],
  }).compile();
  await module.init();
  const fake = module.get(InMemoryBucketService);
  return {
    service: module.get(BucketService),
    // Its presigned URLs point at no server: the fake resolves them itself.
    fetch: (url, init) => fake.fetchPresignedUrl(url, init),
    tagsOf: (bucket, key) =>
      Promise.resolve(fake.listStored(bucket).find((object) => object.key === key)?.tags ?? {}),
    kmsKeyId: 'any-key-id',
    corruptDownloads: (bucket, key) => {
      fake.failNext('IntegrityError', {
        operation: ['downloadFile', 'getObject'],
        bucket,
        key,
        times: Infinity,
      });
      return { restore: () => fake.clearFailures() };
    },
    close: () => module.close(),
  };
});
