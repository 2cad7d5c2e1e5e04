/**
 * The presigned POST of one small file, for Uppy's `uploadPartBytes` option. Uppy's own reads the
 * answer's `ETag` header and never settles without it; Ceph RGW answers a POST without that
 * header (204, or 201 with the ETag in an XML body), so this one resolves on any 2xx.
 */

import AwsS3, { type AwsS3UploadParameters, type UploadPartBytesResult } from '@uppy/aws-s3';

/** What Uppy hands to `uploadPartBytes`. */
export interface PartBytesOptions {
  signature: AwsS3UploadParameters;
  body: FormData | Blob;
  size?: number;
  onProgress: (event: { loaded: number; lengthComputable: boolean }) => void;
  onComplete: (etag: string) => void;
  signal?: AbortSignal;
}

/** `<Code>EntityTooLarge</Code>` → `EntityTooLarge`, from the storage's XML error. */
function storageCode(body: string): string | undefined {
  return /<Code>([^<]+)<\/Code>/.exec(body)?.[1];
}

/** Sends one presigned POST form with its progress events; rejects with the storage's code. */
function postForm(options: PartBytesOptions): Promise<UploadPartBytesResult> {
  const { signature, body, onProgress, onComplete, signal } = options;
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('POST', signature.url);
    const onAbort = (): void => {
      request.abort();
      reject(new DOMException('The upload was cancelled.', 'AbortError'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    request.upload.addEventListener('progress', (event) => {
      onProgress({ loaded: event.loaded, lengthComputable: event.lengthComputable });
    });
    request.addEventListener('load', () => {
      signal?.removeEventListener('abort', onAbort);
      if (request.status < 200 || request.status >= 300) {
        const code = storageCode(request.responseText);
        reject(
          new Error(
            `the storage refused the file (${request.status}${code === undefined ? '' : ` ${code}`}).`,
          ),
        );
        return;
      }
      const etag = request.getResponseHeader('ETag') ?? '';
      onProgress({ loaded: options.size ?? 0, lengthComputable: true });
      onComplete(etag);
      resolve({ ETag: etag, location: request.getResponseHeader('Location') ?? undefined });
    });
    request.addEventListener('error', () => {
      signal?.removeEventListener('abort', onAbort);
      reject(new Error('the storage could not be reached.'));
    });
    request.send(body);
  });
}

/** Uppy's `uploadPartBytes`: its own for the parts of a multipart upload, {@link postForm} for a POST. */
export function uploadPartBytes(options: PartBytesOptions): Promise<UploadPartBytesResult> {
  return options.signature.method === 'POST' ? postForm(options) : AwsS3.uploadPartBytes(options);
}
