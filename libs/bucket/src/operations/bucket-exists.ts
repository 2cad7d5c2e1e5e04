import { HeadBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { bucketErrorCodeOf } from '../bucket.error-mapping';

/** Whether a bucket exists, from a `HeadBucket`; a 403 (someone else's bucket) counts as existing. @internal */
export async function bucketExists(client: S3Client, bucket: string): Promise<boolean> {
  try {
    await client.send(new HeadBucketCommand({ Bucket: bucket }));
    return true;
  } catch (error) {
    const code = bucketErrorCodeOf(error, { bucket });
    if (code === 'NoSuchBucket') return false;
    if (code === 'AccessDenied') return true;
    throw error;
  }
}
