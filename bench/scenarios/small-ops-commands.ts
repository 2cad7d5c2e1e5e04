import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';

/**
 * The SDK commands of the four small operations on one bucket, as the module sends them (a put
 * carries a Content-Type and the length): sent by the raw-SDK variant, presigned by raw HTTP.
 *
 * @param bucket - the bucket
 * @param body - the object every put sends
 */
export function smallOpCommands(bucket: string, body: Buffer) {
  return {
    put: (key: string) =>
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: body,
        ContentType: 'application/octet-stream',
        ContentLength: body.length,
      }),
    get: (key: string) => new GetObjectCommand({ Bucket: bucket, Key: key }),
    head: (key: string) => new HeadObjectCommand({ Bucket: bucket, Key: key }),
    delete: (key: string) => new DeleteObjectCommand({ Bucket: bucket, Key: key }),
  };
}
