import { describeBucketServiceContract } from './contract/bucket-service.contract';
import { bootBucketModule } from './support/s3';

// The contract suite against the real S3 server (the local Ceph RGW, or BUCKET_HOST).
describeBucketServiceContract('real S3 server', async () => {
  const { module, service } = await bootBucketModule();
  return { service, close: () => module.close() };
});
