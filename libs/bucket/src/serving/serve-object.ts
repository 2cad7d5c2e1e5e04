import { StreamableFile } from '@nestjs/common';
import { create as contentDisposition } from 'content-disposition';
import type { ServerResponse } from 'node:http';
import { basename } from 'node:path';
import type { Readable } from 'node:stream';
import type { BucketService } from '../bucket.service';
import { isNotModified, parseRangeHeader } from './http-range';

/** The request, as Express and Fastify both give it: only its headers are read. */
export interface ServedRequest {
  /** The request's headers, lower-cased as Node gives them; `Range` and `If-*` are read. */
  headers: Record<string, string | string[] | undefined>;
}

/**
 * The response, as Express's `Response` or Fastify's `FastifyReply` (inject it with
 * `@Res({ passthrough: true })`): a status, headers, and the Node response underneath.
 */
export interface ServedResponse {
  /** Sets the status code: 200, 206, 304, 412 or 416. */
  status(code: number): unknown;
  /** Express. */
  setHeader?(name: string, value: string): unknown;
  /** Fastify. */
  header?(name: string, value: string): unknown;
  /** Fastify: the Node response (Express's response is the Node response itself). */
  raw?: ServerResponse;
}

/** Options of {@link serveObject}. */
export interface ServeObjectOptions {
  /** `inline` (shown by the browser) or `attachment` (saved). Default: `inline`. */
  disposition?: 'inline' | 'attachment';
  /** The file name the browser shows or saves as, any Unicode. Default: the key's last segment. */
  filename?: string;
  /** A `Cache-Control` value to send, e.g. `private, max-age=300`. Default: none. */
  cacheControl?: string;
  /** The Content-Type to send. Default: the object's stored one. */
  contentType?: string;
}

/** What {@link serveObject} needs of a service: the real one, a bucket's handle or the fake. */
export type ServingStorage = Pick<BucketService, 'getBucketFile' | 'getObject'>;

/**
 * Serves an object from a controller as HTTP expects, on Express and Fastify alike: returns a
 * `StreamableFile` with `Content-Type`, `Content-Length` and `Content-Disposition` (a safe
 * ASCII `filename` and a UTF-8 `filename*`), and sets `ETag`, `Last-Modified`,
 * `Accept-Ranges` and `Cache-Control`. A single `Range` gets 206 with `Content-Range`, one past
 * the end 416; `If-None-Match` or `If-Modified-Since` that still hold get 304 and no body
 * (`undefined` is returned). The object's stream is destroyed when the client goes away, so no
 * socket to the storage leaks.
 *
 * One `HeadObject`, then one `GetObject` of the bytes sent; the headers describe what the
 * `GetObject` returned.
 *
 * @example
 * ```ts
 * @Get('files/:key')
 * file(@Param('key') key: string, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
 *   return serveObject(this.bucket, 'media', key, req, res, { disposition: 'attachment' });
 * }
 * ```
 *
 * @throws BucketError `NoSuchBucket`, `NoSuchKey`, and the other codes of `getObject`
 */
export async function serveObject(
  storage: ServingStorage,
  bucket: string,
  key: string,
  request: ServedRequest,
  response: ServedResponse,
  options: ServeObjectOptions = {},
): Promise<StreamableFile | undefined> {
  const setHeader = headerSetter(response);
  const info = await storage.getBucketFile(bucket, key);
  if (
    isNotModified(
      {
        ifNoneMatch: headerOf(request, 'if-none-match'),
        ifModifiedSince: headerOf(request, 'if-modified-since'),
      },
      info,
    )
  ) {
    response.status(304);
    setHeader('ETag', `"${info.etag}"`);
    setHeader('Last-Modified', info.lastModified.toUTCString());
    if (options.cacheControl !== undefined) setHeader('Cache-Control', options.cacheControl);
    return undefined;
  }
  const range = parseRangeHeader(headerOf(request, 'range'), info.size);
  setHeader('Accept-Ranges', 'bytes');
  if (range === 'unsatisfiable') {
    response.status(416);
    setHeader('Content-Range', `bytes */${info.size}`);
    return undefined;
  }
  const object = await storage.getObject(bucket, key, range ? { range } : {});
  stopOnClientGone(response, object.body);
  if (range) {
    response.status(206);
    setHeader(
      'Content-Range',
      object.contentRange ?? `bytes ${range.start}-${range.end}/${info.size}`,
    );
  }
  setHeader('ETag', `"${object.etag}"`);
  setHeader('Last-Modified', object.lastModified.toUTCString());
  if (options.cacheControl !== undefined) setHeader('Cache-Control', options.cacheControl);
  return new StreamableFile(object.body, {
    type: options.contentType ?? object.contentType ?? 'application/octet-stream',
    length: object.contentLength,
    disposition: dispositionOf(options.disposition ?? 'inline', options.filename ?? basename(key)),
  });
}

function headerOf(request: ServedRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

function headerSetter(response: ServedResponse): (name: string, value: string) => void {
  if (response.setHeader) return (name, value) => response.setHeader?.(name, value);
  if (response.header) return (name, value) => response.header?.(name, value);
  throw new TypeError('serveObject needs an Express Response or a Fastify reply');
}

/** `inline; filename="..."; filename*=UTF-8''...`, with control characters removed first. */
function dispositionOf(type: 'inline' | 'attachment', filename: string): string {
  // eslint-disable-next-line no-control-regex
  const name = filename.replace(/[\u0000-\u001f\u007f]/g, '');
  return name === '' ? type : contentDisposition(name, { type });
}

/**
 * Destroys the object's stream when the client disconnects before the end: Nest 12's Express
 * adapter does so itself, Nest 11's and Fastify's do not, and an unread S3 body holds a socket
 * of the pool until it times out.
 */
function stopOnClientGone(response: ServedResponse, body: Readable): void {
  const raw = response.raw ?? (response as unknown as ServerResponse);
  if (typeof raw.once !== 'function') return;
  raw.once('close', () => {
    if (!body.readableEnded) body.destroy();
  });
}
