import {
  CreateBucketCommand,
  paginateListBuckets,
  type BucketLocationConstraint,
  type S3Client,
} from '@aws-sdk/client-s3';
import { createBucketError } from '../bucket.errors';
import { operationFailed } from '../bucket.messages';
import { deleteInBatches } from './batch-delete';
import { bucketExists } from './bucket-exists';
import { listingPages } from './listing';
import { abortAllMultipartUploads } from './multipart-cleanup';

/** Every bucket name the credentials can see, following pagination. @internal */
export async function listBucketNames(client: S3Client): Promise<string[]> {
  const names: string[] = [];
  for await (const page of paginateListBuckets({ client }, {})) {
    for (const bucket of page.Buckets ?? []) if (bucket.Name) names.push(bucket.Name);
  }
  return names;
}

/**
 * Creates a bucket, failing with `BucketAlreadyExists` when it exists. AWS (us-east-1) and
 * Ceph RGW answer 200 when the caller already owns it, MinIO 409: looking first makes every
 * server give the same answer.
 * @internal
 */
export async function createBucket(client: S3Client, name: string, region: string): Promise<void> {
  if (await bucketExists(client, name)) {
    throw Object.assign(new Error('the bucket exists and is owned by these credentials'), {
      name: 'BucketAlreadyOwnedByYou',
    });
  }
  const location =
    region === 'us-east-1'
      ? {}
      : { CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint } };
  await client.send(new CreateBucketCommand({ Bucket: name, ...location }));
}

/** Deletes every object and aborts every unfinished multipart upload of a bucket. @internal */
export async function emptyBucket(client: S3Client, bucket: string): Promise<void> {
  for await (const page of listingPages(client, { bucket })) {
    const result = await deleteInBatches(
      client,
      bucket,
      page.files.map((f) => f.key),
    );
    const failure = result.failed.at(0);
    if (failure) {
      const context = { operation: 'deleteBucket', bucket, key: failure.key };
      throw createBucketError(
        failure.code,
        operationFailed(failure.code, context, failure.message),
        context,
      );
    }
  }
  await abortAllMultipartUploads(client, bucket);
}
