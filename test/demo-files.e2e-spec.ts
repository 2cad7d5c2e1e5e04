import { randomBytes } from 'node:crypto';
import type { Response } from 'superagent';
import { request as httpRequest } from 'node:http';
import { removeBucket, rawClient, uniqueBucketName } from './support/s3';
import {
  filePath,
  randomChunks,
  sendStreamed,
  sha256,
  startDemoApp,
  type DemoApp,
} from './support/demo-app';
import { md5 } from './support/files';

/** A supertest parser that keeps any body as a Buffer, whatever its Content-Type. */
function binary(response: Response, callback: (error: Error | null, body: Buffer) => void) {
  const stream = response as unknown as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
  });
  stream.on('end', () => {
    callback(null, Buffer.concat(chunks));
  });
}

describe('demo app: files (real server)', () => {
  let demo: DemoApp;
  const s3 = rawClient();
  const bucket = uniqueBucketName('demo-files');

  beforeAll(async () => {
    demo = await startDemoApp();
    await demo.http.post(`/buckets/${bucket}`).set(demo.auth).expect(201, { bucket });
  });
  afterAll(async () => {
    await demo.close();
    await removeBucket(s3, bucket);
    s3.destroy();
  });

  const get = (key: string) => demo.http.get(filePath(bucket, key)).buffer(true).parse(binary);

  it('round-trips a raw PUT body with an equal sha256, its Content-Type and the object headers', async () => {
    const data = randomBytes(1024 * 1024 + 17);
    const put = await demo.http
      .put(filePath(bucket, 'raw.bin'))
      .set(demo.auth)
      .set('Content-Type', 'application/x-demo')
      .send(data)
      .expect(201);
    expect(put.body).toEqual({
      bucket,
      key: 'raw.bin',
      size: data.length,
      etag: md5(data),
      contentType: 'application/x-demo',
    });
    expect(put.headers.location).toBe(filePath(bucket, 'raw.bin'));

    const got = await get('raw.bin').expect(200);
    expect(sha256(got.body as Buffer)).toBe(sha256(data));
    expect(got.headers).toMatchObject({
      'content-type': 'application/x-demo',
      'content-length': String(data.length),
      etag: `"${md5(data)}"`,
      'accept-ranges': 'bytes',
    });
    expect(Date.parse(got.headers['last-modified'])).toBeGreaterThan(Date.now() - 60_000);
  });

  it('keeps a key with slashes, spaces and non-ASCII characters, and lists it verbatim', async () => {
    const key = 'dossier/sous dossier/été 2024 – ü 日本 #1?.txt';
    const data = Buffer.from('bonjour, 世界\n');
    await demo.http
      .put(filePath(bucket, key))
      .set(demo.auth)
      .set('Content-Type', 'text/plain; charset=utf-8')
      .send(data)
      .expect(201);
    const got = await get(key).expect(200);
    expect(sha256(got.body as Buffer)).toBe(sha256(data));
    expect(got.headers['content-type']).toBe('text/plain; charset=utf-8');
    const listed = await demo.http
      .get(`/buckets/${bucket}/files`)
      .query({ prefix: 'dossier/' })
      .expect(200);
    expect((listed.body as { files: { key: string }[] }).files.map((f) => f.key)).toEqual([key]);
  });

  it('streams a 20 MiB chunked body (no Content-Length) in parts and reads it back whole', async () => {
    const { chunks, sha256: expected } = randomChunks(20, 1024 * 1024);
    const response = await sendStreamed(
      demo.url,
      { method: 'PUT', path: filePath(bucket, 'big/chunked.bin'), headers: demo.auth },
      chunks,
    );
    expect(response.status).toBe(201);
    expect(JSON.parse(response.body.toString())).toMatchObject({ size: 20 * 1024 * 1024 });
    const got = await get('big/chunked.bin').expect(200);
    expect(got.headers['content-length']).toBe(String(20 * 1024 * 1024));
    expect(sha256(got.body as Buffer)).toBe(expected);
  });

  it('round-trips a 0-byte body', async () => {
    await demo.http.put(filePath(bucket, 'empty')).set(demo.auth).send(Buffer.alloc(0)).expect(201);
    const got = await get('empty').expect(200);
    expect((got.body as Buffer).length).toBe(0);
    expect(got.headers['content-length']).toBe('0');
  });

  it('accepts a multipart form: key from the URL, from a "key" field, or from the file name', async () => {
    const data = randomBytes(300_000);
    const upload = (path: string, fields: Record<string, string> = {}) => {
      let test = demo.http.post(path).set(demo.auth);
      for (const [name, value] of Object.entries(fields)) test = test.field(name, value);
      return test.attach('file', data, { filename: 'photo é.png', contentType: 'image/png' });
    };
    const fromUrl = await upload(filePath(bucket, 'forms/url key.png')).expect(201);
    const fromField = await upload(`/buckets/${bucket}/files`, { key: 'forms/field.png' }).expect(
      201,
    );
    const fromName = await upload(`/buckets/${bucket}/files`).expect(201);
    expect(
      [fromUrl.body, fromField.body, fromName.body].map((b) => (b as { key: string }).key),
    ).toEqual(['forms/url key.png', 'forms/field.png', 'photo é.png']);
    for (const key of ['forms/url key.png', 'forms/field.png', 'photo é.png']) {
      const got = await get(key).expect(200);
      expect(sha256(got.body as Buffer)).toBe(sha256(data));
      expect(got.headers['content-type']).toBe('image/png');
    }
  });

  it('lists keys under a prefix with their size and last-modified date', async () => {
    for (const key of ['list/a.txt', 'list/b/c.txt', 'listing.txt', 'other/list/d.txt']) {
      await demo.http.put(filePath(bucket, key)).set(demo.auth).send(key).expect(201);
    }
    const response = await demo.http.get(`/buckets/${bucket}/files?prefix=list/`).expect(200);
    const body = response.body as {
      prefix: string;
      files: { key: string; size: number; lastModified: string }[];
    };
    expect(body.prefix).toBe('list/');
    expect(body.files.map((f) => [f.key, f.size])).toEqual([
      ['list/a.txt', 'list/a.txt'.length],
      ['list/b/c.txt', 'list/b/c.txt'.length],
    ]);
    for (const file of body.files) expect(Date.parse(file.lastModified)).toBeGreaterThan(0);
  });

  it('gives metadata through HEAD and GET .../metadata/<key>', async () => {
    const key = 'meta/data.json';
    const text = '{"a":1}';
    const data = Buffer.from(text);
    await demo.http
      .put(filePath(bucket, key))
      .set(demo.auth)
      .type('application/json')
      .send(text)
      .expect(201);
    const head = await demo.http.head(filePath(bucket, key)).expect(200);
    expect(head.headers).toMatchObject({
      'content-type': 'application/json',
      'content-length': String(data.length),
      etag: `"${md5(data)}"`,
      'accept-ranges': 'bytes',
    });
    const meta = await demo.http.get(filePath(bucket, key, 'metadata')).expect(200);
    expect(meta.body).toMatchObject({
      bucket,
      key,
      size: data.length,
      etag: md5(data),
      contentType: 'application/json',
    });
  });

  it('serves byte ranges with 206 and Content-Range', async () => {
    const data = randomBytes(10_000);
    await demo.http.put(filePath(bucket, 'range.bin')).set(demo.auth).send(data).expect(201);
    const first = await get('range.bin').set('Range', 'bytes=100-199').expect(206);
    expect(first.headers['content-range']).toBe('bytes 100-199/10000');
    expect(first.headers['content-length']).toBe('100');
    expect(sha256(first.body as Buffer)).toBe(sha256(data.subarray(100, 200)));
    const suffix = await get('range.bin').set('Range', 'bytes=-10').expect(206);
    expect((suffix.body as Buffer).equals(data.subarray(-10))).toBe(true);
  });

  it('deletes an object: 204, then 404 NoSuchKey on GET and HEAD', async () => {
    await demo.http.put(filePath(bucket, 'doomed.txt')).set(demo.auth).send('x').expect(201);
    await demo.http.delete(filePath(bucket, 'doomed.txt')).set(demo.auth).expect(204);
    const missing = await demo.http.get(filePath(bucket, 'doomed.txt')).expect(404);
    expect(missing.body).toMatchObject({ statusCode: 404, code: 'NoSuchKey' });
    await demo.http.head(filePath(bucket, 'doomed.txt')).expect(404);
  });

  it('destroys the storage stream when a client goes away mid-download (no socket leak)', async () => {
    const data = randomBytes(8 * 1024 * 1024);
    await demo.http.put(filePath(bucket, 'abandoned.bin')).set(demo.auth).send(data).expect(201);
    // 60 abandoned downloads: more than the client's 50 pooled sockets, which would hang if leaked.
    for (let i = 0; i < 60; i += 1) {
      await new Promise<void>((resolve, reject) => {
        const request = httpRequest(
          `${demo.url}${filePath(bucket, 'abandoned.bin')}`,
          (response) => {
            response.once('data', () => {
              request.destroy();
              resolve();
            });
          },
        );
        request.on('error', (error) => {
          if (request.destroyed) resolve();
          else reject(error);
        });
        request.end();
      });
    }
    const got = await get('abandoned.bin').expect(200);
    expect(sha256(got.body as Buffer)).toBe(sha256(data));
  });
});
