import { describeBucketServiceContract } from './contract/bucket-service.contract';
import { serviceThrough, startHttpFaultProxy } from './support/http-faults';

// The contract suite against the real S3 server (the local Ceph RGW, or BUCKET_HOST), through
// the HTTP fault proxy, which passes every request unchanged unless `corruptDownloads` asks.
describeBucketServiceContract('real S3 server', async () => {
  const proxy = await startHttpFaultProxy();
  const { service, close } = await serviceThrough(proxy);
  return {
    service,
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
