import { createHash } from 'node:crypto';

/**
 * The ETags that an S3 server computes, and when `BucketService` makes it compute which one.
 * @internal
 */

/** The ETag of a single-part object: the MD5 of its bytes, in hex. */
export function singlePartEtag(data: Uint8Array): string {
  return createHash('md5').update(data).digest('hex');
}

/**
 * The ETag of a multipart object: the MD5 of the concatenated binary MD5s of its parts, then `-`
 * and the number of parts.
 */
export function multipartEtag(data: Uint8Array, partSize: number): string {
  const digests: Buffer[] = [];
  for (let offset = 0; offset < data.byteLength; offset += partSize) {
    digests.push(
      createHash('md5')
        .update(data.subarray(offset, offset + partSize))
        .digest(),
    );
  }
  return `${createHash('md5').update(Buffer.concat(digests)).digest('hex')}-${digests.length}`;
}

/** How `BucketService` sends a body: its announced size, and the thresholds in force. */
export interface UploadShape {
  /** The size known before reading the body, if any. */
  announcedBytes: number | undefined;
  /** Up to this known size, one `PutObject`. */
  multipartThresholdBytes: number;
  /** The part size of a multipart upload. */
  partSizeBytes: number;
}

/** Whether `BucketService` stores a body of this shape as a multipart upload. */
export function isMultipart(actualBytes: number, shape: UploadShape): boolean {
  const { announcedBytes, multipartThresholdBytes, partSizeBytes } = shape;
  if (announcedBytes !== undefined && announcedBytes <= multipartThresholdBytes) return false;
  // lib-storage's Upload still sends one PutObject when the whole body fits in its first part.
  return actualBytes > partSizeBytes;
}

/** The ETag the server gives an object that `BucketService` stored with this shape. */
export function etagOfUpload(data: Uint8Array, shape: UploadShape): string {
  return isMultipart(data.byteLength, shape)
    ? multipartEtag(data, shape.partSizeBytes)
    : singlePartEtag(data);
}
