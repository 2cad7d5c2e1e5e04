import {
  AbortMultipartUploadCommand,
  ListMultipartUploadsCommand,
  type S3Client,
} from '@aws-sdk/client-s3';

/**
 * Aborts every unfinished multipart upload of a bucket (the SDK has no paginator for
 * ListMultipartUploads, hence the marker loop).
 *
 * @returns how many uploads were aborted
 * @internal
 */
export async function abortAllMultipartUploads(client: S3Client, bucket: string): Promise<number> {
  let aborted = 0;
  let keyMarker: string | undefined;
  let uploadIdMarker: string | undefined;
  for (;;) {
    const page = await client.send(
      new ListMultipartUploadsCommand({
        Bucket: bucket,
        KeyMarker: keyMarker,
        UploadIdMarker: uploadIdMarker,
      }),
    );
    for (const upload of page.Uploads ?? []) {
      await client.send(
        new AbortMultipartUploadCommand({
          Bucket: bucket,
          Key: upload.Key,
          UploadId: upload.UploadId,
        }),
      );
      aborted += 1;
    }
    if (!page.IsTruncated) return aborted;
    keyMarker = page.NextKeyMarker;
    uploadIdMarker = page.NextUploadIdMarker;
  }
}

/** Identifies one multipart upload. @internal */
export interface MultipartUploadRef {
  Bucket: string;
  Key: string;
  UploadId: string;
}

/**
 * Aborts one multipart upload. One that is already gone (aborted by lib-storage, or completed)
 * counts as done.
 * @internal
 */
export async function abortMultipartUpload(
  client: S3Client,
  upload: MultipartUploadRef,
): Promise<void> {
  try {
    await client.send(new AbortMultipartUploadCommand(upload));
  } catch (error) {
    if ((error as { name?: unknown }).name !== 'NoSuchUpload') throw error;
  }
}
