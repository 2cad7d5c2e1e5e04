import { HEADER_NAMES, HEADER_OF_OPTION } from '../operations/object-attributes';
import type { InMemoryBackend } from './in-memory-bucket.backend';
import { isRefusal } from './in-memory-bucket.multipart';
import {
  S3_DEFAULT_CONTENT_TYPE,
  attributesFromHeaders,
  attributesFromPostFields,
  storedAttributesOf,
} from './in-memory-bucket.object-attributes';
import { s3ErrorXml } from './in-memory-bucket.presigned';
import { writeObject } from './in-memory-bucket.upload';
import type { UploadShape } from './s3-etag';
import { resolveRange } from './s3-range';

/**
 * How the in-memory fake answers a plain HTTP client (a browser) that uses its presigned URLs
 * and forms, as S3 would: `InMemoryBucketService.fetchPresignedUrl`. It neither connects nor
 * applies `failNext`: in production the client talks to the server directly.
 * @internal
 */

/** An upload sent in one request: its ETag is the MD5 of its bytes. */
function oneRequest(bytes: number): UploadShape {
  return { announcedBytes: bytes, multipartThresholdBytes: Infinity, partSizeBytes: Infinity };
}

/** An S3 error answer (no body for `HEAD`). */
function errorAnswer(method: string, status: number, code: string, message = ''): Response {
  return new Response(method === 'HEAD' ? null : s3ErrorXml(code, message), {
    status,
    headers: { 'content-type': 'application/xml' },
  });
}

/** A form upload (`POST` of a presigned POST): checked against its policy, then stored. */
async function answerPost(backend: InMemoryBackend, request: Request, url: URL): Promise<Response> {
  const bucket = decodeURIComponent(url.pathname.replace(/^\//, ''));
  // eslint-disable-next-line @typescript-eslint/no-deprecated -- a test fake parses its own small forms
  const post = await backend.postSigner.check(await request.formData(), bucket, backend.now());
  if (!post.ok) return errorAnswer(request.method, post.status, post.code, post.message);
  if (!backend.store.hasBucket(bucket)) return errorAnswer(request.method, 404, 'NoSuchBucket');
  writeObject(
    backend,
    bucket,
    post.key,
    post.data,
    oneRequest(post.data.length),
    post.contentType ?? S3_DEFAULT_CONTENT_TYPE,
    post.metadata,
    storedAttributesOf(attributesFromPostFields(post.fields)),
  );
  return new Response(null, { status: 204 });
}

/** A `GET` or `HEAD` of an object: 206 for a `Range` header. */
function answerGet(
  backend: InMemoryBackend,
  request: Request,
  bucket: string,
  key: string,
): Response {
  const object = backend.store.getObject(bucket, key);
  if (!object) return errorAnswer(request.method, 404, 'NoSuchKey');
  // A presigned GET carries no SSE-C key.
  if (object.customerKeyMd5 !== undefined)
    return errorAnswer(request.method, 400, 'InvalidRequest');
  const size = object.data.length;
  const headers: Record<string, string> = {
    'accept-ranges': 'bytes',
    'content-type': object.contentType,
    etag: `"${object.etag}"`,
    'last-modified': object.lastModified.toUTCString(),
  };
  for (const [name, value] of Object.entries(object.metadata))
    headers[`x-amz-meta-${name}`] = value;
  for (const name of HEADER_NAMES) {
    const value = object.headers?.[name];
    if (value !== undefined) headers[HEADER_OF_OPTION[name]] = value;
  }
  let data = object.data;
  let status = 200;
  const rangeHeader = request.headers.get('range');
  if (rangeHeader !== null) {
    const selected = resolveRange(rangeHeader, size);
    if (selected === undefined) return errorAnswer(request.method, 416, 'InvalidRange');
    if (selected) {
      data = data.subarray(selected.start, selected.end + 1);
      headers['content-range'] = `bytes ${selected.start}-${selected.end}/${size}`;
      status = 206;
    }
  }
  headers['content-length'] = String(data.length);
  return new Response(request.method === 'HEAD' ? null : Buffer.from(data), { status, headers });
}

/**
 * Resolves a request to one of the fake's presigned URLs or forms as S3 would answer it.
 * @throws TypeError for a URL of another endpoint, as `fetch` throws for an unreachable host
 * @internal
 */
export async function fetchPresignedUrl(
  backend: InMemoryBackend,
  input: string | URL,
  init?: RequestInit,
): Promise<Response> {
  const request = new Request(input, init);
  const url = new URL(request.url);
  if (!request.url.startsWith(`${backend.endpoint}/`)) {
    throw new TypeError(
      `fetchPresignedUrl: ${request.url} is not a URL of this InMemoryBucketService (${backend.endpoint})`,
    );
  }
  if (request.method === 'POST') return answerPost(backend, request, url);
  // An upload's length is its body's, whatever a header claims.
  const body = request.method === 'PUT' ? Buffer.from(await request.arrayBuffer()) : undefined;
  const headerOf = (name: string) =>
    name === 'content-length' && body
      ? String(body.length)
      : (request.headers.get(name) ?? undefined);
  const check = backend.presigner.check(
    backend.endpoint,
    url,
    request.method,
    backend.now(),
    headerOf,
  );
  if (!check.ok) return errorAnswer(request.method, check.status, check.code, check.message);
  const { bucket, key } = check.grant;
  if (!backend.store.hasBucket(bucket)) return errorAnswer(request.method, 404, 'NoSuchBucket');
  if (check.grant.part) {
    const { uploadId, partNumber } = check.grant.part;
    const upload = backend.multipart.find(bucket, key, uploadId);
    if (isRefusal(upload))
      return errorAnswer(request.method, upload.status, upload.name, upload.message);
    const etag = backend.multipart.putPart(upload, partNumber, body ?? Buffer.alloc(0));
    return new Response(null, { status: 200, headers: { etag: `"${etag}"` } });
  }
  if (check.grant.method === 'PUT') {
    const data = body ?? Buffer.alloc(0);
    const metadata: Record<string, string> = {};
    request.headers.forEach((value, name) => {
      if (name.startsWith('x-amz-meta-')) metadata[name.slice('x-amz-meta-'.length)] = value;
    });
    const etag = writeObject(
      backend,
      bucket,
      key,
      data,
      oneRequest(data.length),
      request.headers.get('content-type') ?? S3_DEFAULT_CONTENT_TYPE,
      metadata,
      storedAttributesOf(attributesFromHeaders(request.headers)),
    );
    return new Response(null, { status: 200, headers: { etag: `"${etag}"` } });
  }
  return answerGet(backend, request, bucket, key);
}
