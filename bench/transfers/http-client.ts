import { Agent, request } from 'node:http';
import type { FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { writeBodyAt } from '../../libs/bucket/src/transfers/download';

/** A plain-HTTP client with no SDK: `fetch` (undici) or Node's `http` module. */
export type HttpTransport = 'fetch' | 'node:http';

/** A request body: bytes, or a stream of known length. */
export type HttpBody = Buffer | string | { stream: Readable; length: number };

/** What to do with the answer's body: keep its text, count its bytes, or write it into a file. */
export type HttpSink = 'text' | 'count' | { file: FileHandle; offset: number };

/** What a request returned: the status, the ETag, and the body's text or only its size. */
export interface HttpAnswer {
  status: number;
  etag: string | undefined;
  /** The body as text, when asked for (small answers). */
  text: string;
  bytes: number;
}

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

function isStream(body: HttpBody | undefined): body is { stream: Readable; length: number } {
  return typeof body === 'object' && !Buffer.isBuffer(body);
}

async function viaFetch(
  method: string,
  url: string,
  headers: Record<string, string>,
  body: HttpBody | undefined,
  sink: HttpSink,
): Promise<HttpAnswer> {
  const init: RequestInit & { duplex?: 'half' } = isStream(body)
    ? {
        method,
        headers: { ...headers, 'content-length': String(body.length) },
        body: Readable.toWeb(body.stream) as ReadableStream,
        duplex: 'half',
      }
    : { method, headers, body };
  const response = await fetch(url, init);
  let text = '';
  let bytes = 0;
  if (sink === 'text' || !response.ok) {
    text = await response.text();
    bytes = Buffer.byteLength(text);
  } else if (sink === 'count') {
    for await (const chunk of (response.body ?? []) as AsyncIterable<Uint8Array>)
      bytes += chunk.byteLength;
  } else if (response.body) {
    const body = response.body as AsyncIterable<Uint8Array>;
    bytes = await writeBodyAt(sink.file, body, sink.offset);
  }
  return { status: response.status, etag: response.headers.get('etag') ?? undefined, text, bytes };
}

function viaNodeHttp(
  method: string,
  url: string,
  headers: Record<string, string>,
  body: HttpBody | undefined,
  sink: HttpSink,
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const length = body === undefined ? 0 : isStream(body) ? body.length : Buffer.byteLength(body);
    const req = request(
      url,
      { method, agent, headers: { ...headers, 'content-length': String(length) } },
      (res) => {
        const answer = { status: res.statusCode ?? 0, etag: res.headers.etag, text: '', bytes: 0 };
        if (typeof sink === 'object' && answer.status < 300) {
          writeBodyAt(sink.file, res, sink.offset).then((bytes) => {
            resolve({ ...answer, bytes });
          }, reject);
          return;
        }
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => {
          answer.bytes += chunk.length;
          if (sink !== 'count' || answer.status >= 300) chunks.push(chunk);
        });
        res.on('end', () => {
          resolve({ ...answer, text: Buffer.concat(chunks).toString() });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (isStream(body)) pipeline(body.stream, req).catch(reject);
    else req.end(body);
  });
}

/**
 * Sends one request with no SDK involved and reads the whole answer; throws on a non-2xx status.
 *
 * @param transport - `fetch` or `node:http`
 * @param method - the HTTP method
 * @param url - a presigned URL
 * @param options - extra headers, the body, and what to do with the answer's body (its text by
 *   default)
 */
export async function httpCall(
  transport: HttpTransport,
  method: string,
  url: string,
  options: { headers?: Record<string, string>; body?: HttpBody; sink?: HttpSink } = {},
): Promise<HttpAnswer> {
  const call = transport === 'fetch' ? viaFetch : viaNodeHttp;
  const answer = await call(
    method,
    url,
    options.headers ?? {},
    options.body,
    options.sink ?? 'text',
  );
  if (answer.status < 200 || answer.status > 299) {
    throw new Error(`${method} -> HTTP ${answer.status}: ${answer.text.slice(0, 300)}`);
  }
  return answer;
}
