import { ListMultipartUploadsCommand, type S3Client } from '@aws-sdk/client-s3';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { randomBytes } from 'node:crypto';
import { buffer } from 'node:stream/consumers';
import { BrowserUploadsModule, BucketModule, BucketService } from 'nest-bucket';
import { rawClient, removeBucket, serverOptions, uniqueBucketName } from './support/s3';
import { sha256 } from './support/files';

const MIB = 1024 * 1024;
const LIMIT = 12 * MIB;
const TOKEN = 'Bearer s3cret-upload-token';
const bucket = uniqueBucketName('browser');

/** The request as the module hands it to `authorize`: Express's, with its headers. */
interface RequestWithHeaders {
  headers: Record<string, string | undefined>;
}

/**
 * BrowserUploadsModule against the real server, driven exactly as Uppy's `@uppy/aws-s3` plugin
 * (with `endpoint` set to the app) calls it: JSON to the app, bytes straight to storage.
 */
describe('BrowserUploadsModule: the protocol of Uppy`s S3 plugin (real server)', () => {
  let app: INestApplication;
  let base: string;
  let raw: S3Client;
  let service: BucketService;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        BucketModule.forRoot({ ...serverOptions(), isGlobal: true }),
        BrowserUploadsModule.forRoot({
          bucket,
          authorize: (request, action) =>
            (request as RequestWithHeaders).headers.authorization === TOKEN &&
            action.key.startsWith('uploads/'),
          maxFileSize: LIMIT,
        }),
      ],
    }).compile();
    app = moduleRef.createNestApplication();
    await app.listen(0, '127.0.0.1');
    base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    service = app.get(BucketService);
    raw = rawClient();
    await service.createBucket(bucket);
  });

  afterAll(async () => {
    await removeBucket(raw, bucket);
    raw.destroy();
    await app.close();
  });

  /** A call to the app, as Uppy's RequestClient makes it. */
  async function api(method: string, path: string, body?: unknown, token = TOKEN) {
    const response = await fetch(`${base}/s3/${path}`, {
      method,
      headers: { authorization: token, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  }

  /** PUTs a part straight to storage, as the plugin's XHR does, and returns the ETag header. */
  async function putPart(url: string, data: Uint8Array): Promise<string> {
    const response = await fetch(url, { method: 'PUT', body: data });
    expect(response.status).toBe(200);
    return response.headers.get('etag') ?? '';
  }

  async function openUploads(): Promise<number> {
    const page = await raw.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    return page.Uploads?.length ?? 0;
  }

  it('uploads 11 MiB in three parts: create, sign one part and a batch, PUT to storage, list, complete; the object`s sha256 and type are the file`s', async () => {
    const data = randomBytes(11 * MIB);
    const chunks = [
      data.subarray(0, 5 * MIB),
      data.subarray(5 * MIB, 10 * MIB),
      data.subarray(10 * MIB),
    ];
    const created = await api('POST', 'multipart', {
      filename: 'holiday film.mp4',
      type: 'video/mp4',
      metadata: { name: 'holiday film.mp4' },
    });
    expect(created.status).toBe(201);
    const { key, uploadId } = created.json as { key: string; uploadId: string };
    expect(key).toMatch(/^uploads\/[0-9a-f-]{36}\.mp4$/);
    const q = `?key=${encodeURIComponent(key)}`;
    const id = encodeURIComponent(uploadId);
    const one = await api('GET', `multipart/${id}/1${q}`);
    expect(one.json).toMatchObject({ url: expect.stringContaining('partNumber=1') as string });
    const batch = await api('GET', `multipart/${id}/batch${q}&partNumbers=2,3`);
    const urls = batch.json.presignedUrls as Record<string, string>;
    const etags = [
      await putPart(one.json.url as string, chunks[0]),
      await putPart(urls['2'], chunks[1]),
      await putPart(urls['3'], chunks[2]),
    ];
    const listed = await api('GET', `multipart/${id}${q}`);
    expect(listed.json).toEqual(
      chunks.map((chunk, i) => ({
        PartNumber: i + 1,
        Size: chunk.length,
        ETag: etags[i].replace(/"/g, ''),
      })),
    );
    const parts = etags.map((ETag, i) => ({ PartNumber: i + 1, ETag }));
    const done = await api('POST', `multipart/${id}/complete${q}`, { parts });
    expect(done).toEqual({ status: 200, json: { key, location: `/${bucket}/${key}` } });
    const got = await service.getObject(bucket, key);
    expect(sha256(await buffer(got.body))).toBe(sha256(data));
    expect(got.contentType).toBe('video/mp4');
    expect(await openUploads()).toBe(0);
  });

  it('DELETE aborts an upload: no multipart upload is left on the server, and its parts are gone', async () => {
    const { json } = await api('POST', 'multipart', { filename: 'a.bin', type: '' });
    const { key, uploadId } = json as { key: string; uploadId: string };
    const q = `?key=${encodeURIComponent(key)}`;
    const id = encodeURIComponent(uploadId);
    const signed = await api('GET', `multipart/${id}/1${q}`);
    await putPart(signed.json.url as string, randomBytes(1024));
    expect(await openUploads()).toBe(1);
    expect((await api('DELETE', `multipart/${id}${q}`)).status).toBe(200);
    expect(await openUploads()).toBe(0);
    expect(await api('GET', `multipart/${id}${q}`)).toMatchObject({
      status: 404,
      json: { code: 'NoSuchUpload' },
    });
  });

  it('a multipart upload whose parts add up to more than maxFileSize is aborted at completion with 413; nothing is stored', async () => {
    const { json } = await api('POST', 'multipart', { filename: 'big.bin', type: '' });
    const { key, uploadId } = json as { key: string; uploadId: string };
    const q = `?key=${encodeURIComponent(key)}`;
    const id = encodeURIComponent(uploadId);
    const batch = await api('GET', `multipart/${id}/batch${q}&partNumbers=1,2,3`);
    const urls = batch.json.presignedUrls as Record<string, string>;
    const sizes = [5 * MIB, 5 * MIB, 3 * MIB];
    const etags = [];
    for (const [i, size] of sizes.entries())
      etags.push(await putPart(urls[String(i + 1)], randomBytes(size)));
    const parts = etags.map((ETag, i) => ({ PartNumber: i + 1, ETag }));
    const refused = await api('POST', `multipart/${id}/complete${q}`, { parts });
    expect(refused.status).toBe(413);
    expect(await service.fileExists(bucket, key)).toBe(false);
    expect(await openUploads()).toBe(0);
  });

  it('GET /s3/params gives a presigned POST that storage enforces: within maxFileSize stored, above it refused', async () => {
    const params = await api('GET', 'params?filename=note.txt&type=text%2Fplain');
    expect(params.json).toMatchObject({ method: 'POST', headers: {} });
    const { url, fields } = params.json as { url: string; fields: Record<string, string> };
    const post = (size: number) => {
      const form = new FormData();
      for (const [name, value] of Object.entries(fields)) form.append(name, value);
      form.append('file', new Blob([randomBytes(size)], { type: 'text/plain' }));
      return fetch(url, { method: 'POST', body: form });
    };
    const tooBig = await post(LIMIT + 1);
    expect(tooBig.status).toBe(400);
    expect(await tooBig.text()).toContain('EntityTooLarge');
    expect(await service.fileExists(bucket, fields.key)).toBe(false);
    expect((await post(1024)).status).toBe(204);
    expect(await service.getBucketFile(bucket, fields.key)).toMatchObject({
      size: 1024,
      contentType: 'text/plain',
    });
  });

  it('refuses a caller that authorize refuses (403) before anything reaches storage, and a key of another upload (404)', async () => {
    const uploadsBefore = await openUploads();
    const refused = await api('POST', 'multipart', { filename: 'x.bin', type: '' }, 'Bearer wrong');
    expect(refused.status).toBe(403);
    expect(await openUploads()).toBe(uploadsBefore);
    const { json } = await api('POST', 'multipart', { filename: 'y.bin', type: '' });
    const { uploadId } = json as { key: string; uploadId: string };
    const id = encodeURIComponent(uploadId);
    expect((await api('GET', `multipart/${id}/1?key=elsewhere%2Fk`)).status).toBe(403);
    const wrongKey = await api('GET', `multipart/${id}?key=uploads%2Fnot-this-one`);
    expect(wrongKey).toMatchObject({ status: 404, json: { code: 'NoSuchUpload' } });
    expect((await api('POST', 'multipart', { type: 'a/b' })).status).toBe(400);
    expect((await api('GET', `multipart/${id}/0?key=uploads%2Fk`)).status).toBe(400);
  });
});
