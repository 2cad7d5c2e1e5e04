import { BucketNotFoundError } from 'nest-bucket';
import { bucketErrorOf } from '../support/bucket-errors';
import { uniqueBucketName } from '../support/s3';
import { expectBucketError, type ContractContext } from './shared';

/**
 * Connecting, disconnecting, reconnecting and probing.
 * Written once for the real server and the fake; `context()` is read inside each test, once the
 * run's `beforeAll` is done.
 */
export function describeConnectionContract(context: () => ContractContext): void {
  describe('connection', () => {
    it('is connected after connect(), not after disconnect(), and the next operation connects again', async () => {
      const { service, bucket } = context();
      await service.connect();
      expect(await service.isConnected()).toBe(true);
      expect(service.toJSON()).toMatchObject({ state: 'connected', endpoint: service.endpoint });
      service.disconnect();
      expect(await service.isConnected()).toBe(false);
      expect(await service.getBucketFiles(bucket, 'report')).toEqual(['report.csv']);
      expect(await service.isConnected()).toBe(true);
    });

    it('probes: a latency when the server (and the bucket) answer, NoSuchBucket for a missing bucket', async () => {
      const { service, bucket } = context();
      expect(await service.probe()).toBeGreaterThanOrEqual(0);
      expect(await service.probe(1000, bucket)).toBeGreaterThanOrEqual(0);
      const missing = uniqueBucketName('probe');
      expectBucketError(
        await bucketErrorOf(service.probe(1000, missing)),
        'NoSuchBucket',
        BucketNotFoundError,
        { operation: 'probe', bucket: missing },
      );
    });
  });
}
