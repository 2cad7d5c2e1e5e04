import { temporaryFolder } from '../support/files';
import { uniqueBucketName } from '../support/s3';
import { describeBrowserMultipartContract } from './browser-multipart.contract';
import { describeBucketHandlesContract } from './bucket-handles.contract';
import { describeBucketsContract } from './buckets.contract';
import { describeConnectionContract } from './connection.contract';
import { describeDeleteCopyMoveContract } from './delete-copy-move.contract';
import { describeErrorsContract } from './errors.contract';
import { describeFilesContract } from './files.contract';
import { describeIntegrityContract } from './integrity.contract';
import { describeListingContract } from './listing.contract';
import { describeObjectAttributesContract } from './object-attributes.contract';
import { describeObjectsContract } from './objects.contract';
import { describePresignedPostContract } from './presigned-post.contract';
import { describePresignedUrlsContract } from './presigned-urls.contract';
import { dropBucket, type ContractContext, type ContractSubject } from './shared';
import { describeTransfersContract } from './transfers.contract';

/*
 * The behaviour of BucketService, written once, and run twice by `npm test`:
 * - test/bucket-service.e2e-spec.ts runs it against the real S3 server (the local Ceph RGW, or
 *   the server at BUCKET_HOST);
 * - test/bucket-service.fake.spec.ts runs it against InMemoryBucketService
 *   (nest-bucket/testing).
 * A difference in behaviour fails one of the two runs. Each area (buckets, files, objects,
 * errors, listing, ...) is a `describe...Contract` function in its own `*.contract.ts` file here,
 * composed below in a fixed order; `shared.ts` holds what they share. Every operation that a
 * later issue adds to BucketService joins this suite (the fake stops compiling until it
 * implements it).
 *
 * Every expectation here holds on any S3-compatible server. What does not is kept out, on
 * purpose, and tested elsewhere:
 * - fault injection (`failNext`) and the inspection helpers exist only on the fake
 *   (libs/bucket/src/testing/*.spec.ts);
 * - the health indicator, connection loss, timeouts, wrong credentials and log lines need a
 *   server that can be stopped or misconfigured (test/connection.e2e-spec.ts, bucket.module.spec.ts);
 * - `..`, `.` and `//` in keys: Ceph RGW and AWS keep them, MinIO rejects them.
 */

export type { ContractSubject } from './shared';

/**
 * The behaviour of `BucketService`, written once. It runs against the real local S3 server and
 * against any other implementation of the contract: a difference fails one of the runs. Each
 * area lives in its own file here; they run in this order, on one bucket and one folder.
 */
export function describeBucketServiceContract(
  label: string,
  createSubject: () => Promise<ContractSubject>,
): void {
  describe(`BucketService contract (${label})`, () => {
    let run: ContractContext;
    const context = () => run;

    beforeAll(async () => {
      const subject = await createSubject();
      const { service } = subject;
      const bucket = uniqueBucketName('contract');
      await service.createBucket(bucket);
      const folder = await temporaryFolder();
      run = { subject, service, bucket, folder, fetchUrl: subject.fetch ?? fetch };
    });

    afterAll(async () => {
      await dropBucket(run.service, run.bucket);
      await run.folder.remove();
      await run.subject.close();
    });

    describeBucketsContract(context);
    describeFilesContract(context);
    describeObjectsContract(context);
    describeErrorsContract(context);
    describeListingContract(context);
    describeDeleteCopyMoveContract(context);
    describeTransfersContract(context);
    describePresignedPostContract(context);
    describePresignedUrlsContract(context);
    describeBucketHandlesContract(context);
    describeBrowserMultipartContract(context);
    describeObjectAttributesContract(() => ({
      ...run,
      tagsOf: (bucket, key) => run.subject.tagsOf(bucket, key),
      kmsKeyId: run.subject.kmsKeyId,
    }));
    describeIntegrityContract(context);
    describeConnectionContract(context);
  });
}
