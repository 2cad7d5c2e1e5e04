import { HeadObjectCommand, ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import {
  filePath,
  randomChunks,
  sendStreamed,
  startDemoApp,
  type DemoApp,
} from './support/demo-app';
import { rawClient, removeBucket, uniqueBucketName } from './support/s3';

/** Above lib-storage's 5 MiB part size, so that an over-limit stream has started a multipart upload. */
const LIMIT = 12 * 1024 * 1024;
const MiB = 1024 * 1024;

/** A multipart form around `file`, as raw bytes, to send without a declared length. */
function multipartForm(boundary: string, file: Buffer[]): Buffer[] {
  return [
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\n` +
        'Content-Type: application/octet-stream\r\n\r\n',
    ),
    ...file,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ];
}

describe('demo app: upload size limit (real server)', () => {
  let demo: DemoApp;
  const s3 = rawClient();
  const bucket = uniqueBucketName('demo-limit');

  beforeAll(async () => {
    demo = await startDemoApp({ DEMO_MAX_UPLOAD_BYTES: String(LIMIT) });
    await demo.http.post(`/buckets/${bucket}`).set(demo.auth).expect(201);
  });
  afterAll(async () => {
    await demo.close();
    await removeBucket(s3, bucket);
    s3.destroy();
  });

  /** Neither the object nor any unfinished multipart upload is left in the bucket. */
  async function expectNothingLeft(key: string) {
    await expect(
      s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key })),
    ).rejects.toMatchObject({ name: 'NotFound' });
    const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    expect(uploads.Uploads ?? []).toEqual([]);
  }

  function expect413(response: { status: number; body: Buffer }) {
    expect(response.status).toBe(413);
    expect(JSON.parse(response.body.toString())).toEqual({
      statusCode: 413,
      code: 'PayloadTooLarge',
      message: `The upload limit is ${LIMIT} bytes (DEMO_MAX_UPLOAD_BYTES).`,
    });
  }

  it('accepts an upload of exactly the limit', async () => {
    const response = await demo.http
      .put(filePath(bucket, 'exact.bin'))
      .set(demo.auth)
      .send(randomBytes(LIMIT))
      .expect(201);
    expect(response.body).toMatchObject({ size: LIMIT });
  });

  it('refuses a declared Content-Length over the limit with 413 before reading the body', async () => {
    const { chunks } = randomChunks(13, MiB);
    const response = await sendStreamed(
      demo.url,
      {
        method: 'PUT',
        path: filePath(bucket, 'declared.bin'),
        headers: { ...demo.auth, 'Content-Length': String(13 * MiB) },
      },
      chunks,
    );
    expect413(response);
    expect(response.headers.connection).toBe('close');
    await expectNothingLeft('declared.bin');
  });

  it('stops a chunked body at the limit with 413, and aborts the multipart upload it started', async () => {
    const { chunks } = randomChunks(20, MiB);
    const response = await sendStreamed(
      demo.url,
      { method: 'PUT', path: filePath(bucket, 'chunked.bin'), headers: demo.auth },
      chunks,
    );
    expect413(response);
    await expectNothingLeft('chunked.bin');
  });

  it('refuses a multipart form over the limit, declared or streamed, with 413', async () => {
    const declared = await demo.http
      .post(filePath(bucket, 'form-declared.bin'))
      .set(demo.auth)
      .attach('file', randomBytes(LIMIT + 128 * 1024), 'big.bin')
      .catch((error: unknown) => (error as { response?: { status: number } }).response);
    expect(declared?.status).toBe(413);
    await expectNothingLeft('form-declared.bin');

    const boundary = `b${randomBytes(8).toString('hex')}`;
    const streamed = await sendStreamed(
      demo.url,
      {
        method: 'POST',
        path: filePath(bucket, 'form-streamed.bin'),
        headers: { ...demo.auth, 'Content-Type': `multipart/form-data; boundary=${boundary}` },
      },
      multipartForm(boundary, randomChunks(20, MiB).chunks),
    );
    expect413(streamed);
    await expectNothingLeft('form-streamed.bin');
  });

  it('aborts the upload when the client goes away mid-body, leaving nothing behind', async () => {
    const response = await sendStreamed(
      demo.url,
      {
        method: 'PUT',
        path: filePath(bucket, 'gone.bin'),
        headers: demo.auth,
        abortAfterBytes: 8 * MiB,
      },
      randomChunks(11, MiB).chunks,
    );
    expect(response.status).toBe(0);
    // The server notices the closed connection and aborts the multipart upload shortly after.
    const deadline = Date.now() + 5000;
    for (;;) {
      const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
      if ((uploads.Uploads ?? []).length === 0 || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await expectNothingLeft('gone.bin');
  });
});
