import type { Response } from 'express';
import type { BucketFileInfo, GetObjectResult } from 'nest-bucket';

/** What the response headers of an object are made from, for GET and HEAD alike. */
type ObjectHeaderSource = Pick<GetObjectResult, 'etag' | 'lastModified' | 'contentType'> & {
  contentLength: number;
  contentRange?: string;
};

/**
 * Sets an object's headers: Content-Type, Content-Length, ETag, Last-Modified, Accept-Ranges and,
 * for a range, Content-Range. Stored objects are served as inert downloads (`nosniff` and a
 * sandboxing CSP), since anyone with the token may upload HTML.
 */
export function setObjectHeaders(response: Response, object: ObjectHeaderSource): void {
  response.setHeader('Content-Type', object.contentType ?? 'application/octet-stream');
  response.setHeader('Content-Length', String(object.contentLength));
  if (object.etag) response.setHeader('ETag', `"${object.etag}"`);
  response.setHeader('Last-Modified', object.lastModified.toUTCString());
  response.setHeader('Accept-Ranges', 'bytes');
  if (object.contentRange) response.setHeader('Content-Range', object.contentRange);
  response.setHeader('X-Content-Type-Options', 'nosniff');
  response.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
}

/** The headers of a HEAD answer, from a `HeadObject`. */
export function setInfoHeaders(response: Response, info: BucketFileInfo): void {
  setObjectHeaders(response, {
    contentType: info.contentType,
    contentLength: info.size,
    etag: info.etag,
    lastModified: info.lastModified,
  });
}

/** The JSON view of an object's metadata (`GET /buckets/:bucket/metadata/<key>`). */
export function toMetadataView(bucket: string, info: BucketFileInfo) {
  return {
    bucket,
    key: info.key,
    size: info.size,
    lastModified: info.lastModified.toISOString(),
    etag: info.etag,
    contentType: info.contentType ?? 'application/octet-stream',
    metadata: info.metadata,
  };
}
