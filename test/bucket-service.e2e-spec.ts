import { GetObjectTaggingCommand } from '@aws-sdk/client-s3';
import { describeBucketServiceContract } from './contract/bucket-service.contract';
import { serviceThrough, startHttpFaultProxy } from './support/http-faults';
import { rawClient } from './support/s3';

// The contract suite against the real S3 server (the local Ceph RGW, or BUCKET_HOST), through
// the HTTP fault proxy, which passes every request unchanged unless `corruptDownloads` asks.
describeBucketServiceContract('real S3 server', async () => {
  const proxy = await startHttpFaultProxy();
  const { service, close } = await serviceThrough(proxy);
  return {
    service,
    tagsOf: async (bucket, key) => {
      const client = rawClient();
      try {
        const output = await client.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: key }));
        return Object.fromEntries(
          (output.TagSet ?? []).map((tag): [string, string] => [tag.Key ?? '', tag.Value ?? '']),
        );
      } finally {
        client.destroy();
      }
    },
    // Empty or unset: the server has no KMS key to test with.
    kmsKeyId:
      process.env.BUCKET_TEST_KMS_KEY_ID === '' ? undefined : process.env.BUCKET_TEST_KMS_KEY_ID,
    corruptDownloads: (bucket, key) => {
      const rule = proxy.add(
        { method: 'GET', path: `/${bucket}/${key}` },
        { kind: 'flipResponseByte' },
      );
      return {
        restore: () => {
          rule.remove();
        },
      };
    },
    close: async () => {
      await close();
      await proxy.stop();
    },
  };
});
