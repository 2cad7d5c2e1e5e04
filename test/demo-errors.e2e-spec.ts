import { startBlackhole, type Blackhole } from './support/blackhole';
import { filePath, startDemoApp, type DemoApp } from './support/demo-app';
import { closedPort } from './support/ports';
import { rawClient, removeBucket, uniqueBucketName } from './support/s3';

/** An error answer: exactly `{ statusCode, code, message }`, with no stack and no secret. */
function expectErrorBody(
  response: { status: number; body: unknown; text: string },
  status: number,
  code: string,
) {
  expect(response.status).toBe(status);
  expect(response.body).toEqual({
    statusCode: status,
    code,
    message: expect.any(String) as string,
  });
  expect(response.text).not.toMatch(/\n\s+at |stack/i);
  expect(response.text).not.toContain(process.env.BUCKET_PASSWORD);
}

describe('demo app: errors (real server)', () => {
  let demo: DemoApp;
  const s3 = rawClient();
  const bucket = uniqueBucketName('demo-errors');

  beforeAll(async () => {
    demo = await startDemoApp();
    await demo.http.post(`/buckets/${bucket}`).set(demo.auth).expect(201);
    await demo.http.put(filePath(bucket, 'kept.txt')).set(demo.auth).send('kept').expect(201);
  });
  afterAll(async () => {
    await demo.close();
    await removeBucket(s3, bucket);
    s3.destroy();
  });

  describe('the bearer token', () => {
    it.each([
      ['POST', `/buckets/nbt-never-created`],
      ['DELETE', `/buckets/nbt-never-created`],
      ['PUT', '/buckets/nbt-never-created/files/a.txt'],
      ['POST', '/buckets/nbt-never-created/files'],
      ['DELETE', '/buckets/nbt-never-created/files/a.txt'],
    ])('is required by %s %s: 401 without it, 401 with a wrong one', async (method, path) => {
      const call = () => demo.http[method.toLowerCase() as 'post'](path);
      const missing = await call();
      expectErrorBody(missing, 401, 'Unauthorized');
      expect(missing.headers['www-authenticate']).toMatch(/^Bearer /);
      expectErrorBody(await call().set('Authorization', 'Bearer wrong-token'), 401, 'Unauthorized');
      expectErrorBody(
        await call().set('Authorization', `Basic ${demo.config.apiToken}`),
        401,
        'Unauthorized',
      );
    });

    it('is not needed to read: GET and HEAD answer without it', async () => {
      await demo.http.get('/buckets').expect(200);
      await demo.http.get(filePath(bucket, 'kept.txt')).expect(200, 'kept');
      await demo.http.head(filePath(bucket, 'kept.txt')).expect(200);
    });

    it('is generated at boot when DEMO_API_TOKEN is unset, and then required', async () => {
      const other = await startDemoApp({ DEMO_API_TOKEN: '' });
      try {
        expect(other.config.apiTokenGenerated).toBe(true);
        expect(other.config.apiToken).toMatch(/^[\w-]{32}$/);
        expect(other.config.apiToken).not.toBe(demo.config.apiToken);
        await other.http.post(`/buckets/${bucket}`).set(demo.auth).expect(401);
        await other.http.post(`/buckets/${bucket}`).set(other.auth).expect(409);
      } finally {
        await other.close();
      }
    });
  });

  describe('BucketError codes become statuses', () => {
    it('404 NoSuchBucket, 404 NoSuchKey', async () => {
      expectErrorBody(
        await demo.http.get('/buckets/nbt-missing-bucket/files'),
        404,
        'NoSuchBucket',
      );
      expectErrorBody(
        await demo.http.get(filePath('nbt-missing-bucket', 'a.txt')),
        404,
        'NoSuchBucket',
      );
      expectErrorBody(await demo.http.get(filePath(bucket, 'missing.txt')), 404, 'NoSuchKey');
      expectErrorBody(
        await demo.http.get(filePath(bucket, 'missing.txt', 'metadata')),
        404,
        'NoSuchKey',
      );
    });

    it('409 BucketAlreadyExists, 409 BucketNotEmpty', async () => {
      expectErrorBody(
        await demo.http.post(`/buckets/${bucket}`).set(demo.auth),
        409,
        'BucketAlreadyExists',
      );
      expectErrorBody(
        await demo.http.delete(`/buckets/${bucket}`).set(demo.auth),
        409,
        'BucketNotEmpty',
      );
    });

    it('400 InvalidBucketName, 400 InvalidKey', async () => {
      expectErrorBody(
        await demo.http.post('/buckets/Not_A_Bucket').set(demo.auth),
        400,
        'InvalidBucketName',
      );
      expectErrorBody(
        await demo.http.put(`/buckets/${bucket}/files/bad%01key`).set(demo.auth).send('x'),
        400,
        'InvalidKey',
      );
      expectErrorBody(
        await demo.http
          .put(filePath(bucket, 'k'.repeat(1025)))
          .set(demo.auth)
          .send('x'),
        400,
        'InvalidKey',
      );
    });

    it('416 InvalidRange for a malformed, a multiple or an unsatisfiable range', async () => {
      for (const range of ['bytes=abc', 'bytes=5-1', 'bytes=0-1,3-4', 'items=0-1']) {
        const response = await demo.http.get(filePath(bucket, 'kept.txt')).set('Range', range);
        expectErrorBody(response, 416, 'InvalidRange');
      }
      const beyond = await demo.http.get(filePath(bucket, 'kept.txt')).set('Range', 'bytes=100-');
      expectErrorBody(beyond, 416, 'InvalidRange');
      expect(beyond.headers['content-range']).toBe('bytes */4');
    });

    it('403 AccessDenied with a wrong secret, which never appears in the answer', async () => {
      const wrongSecret = 'wrong-secret-0123456789';
      const denied = await startDemoApp({ BUCKET_PASSWORD: wrongSecret });
      try {
        const response = await denied.http.get('/buckets');
        expectErrorBody(response, 403, 'AccessDenied');
        expect(response.text).not.toContain(wrongSecret);
      } finally {
        await denied.close();
      }
    });

    it('503 ConnectionFailed when nothing listens, with a message that names no address', async () => {
      const port = await closedPort();
      const down = await startDemoApp({ BUCKET_PORT: String(port), BUCKET_AUTO_CONNECT: 'false' });
      try {
        const response = await down.http.get('/buckets');
        expectErrorBody(response, 503, 'ConnectionFailed');
        expect(response.text).not.toContain(String(port));
      } finally {
        await down.close();
      }
    });

    describe('against a server that never answers', () => {
      let blackhole: Blackhole;
      beforeAll(async () => {
        blackhole = await startBlackhole();
      });
      afterAll(async () => {
        await blackhole.close();
      });

      it('504 Timeout', async () => {
        const slow = await startDemoApp({
          BUCKET_PORT: String(blackhole.port),
          BUCKET_AUTO_CONNECT: 'false',
          BUCKET_CONNECT_TIMEOUT_MS: '300',
          BUCKET_REQUEST_TIMEOUT_MS: '300',
        });
        try {
          expectErrorBody(await slow.http.get('/buckets'), 504, 'Timeout');
        } finally {
          await slow.close();
        }
      });
    });
  });

  describe('other errors keep the same shape', () => {
    it('404 NotFound for an unknown route', async () => {
      expectErrorBody(await demo.http.get('/nothing-here'), 404, 'NotFound');
    });

    it('400 BadRequest for a malformed percent-encoding in a key', async () => {
      expectErrorBody(await demo.http.get(`/buckets/${bucket}/files/%E0%A4%A`), 400, 'BadRequest');
    });

    it('415 UnsupportedMediaType for a POST upload that is not a multipart form', async () => {
      const response = await demo.http
        .post(`/buckets/${bucket}/files/x.txt`)
        .set(demo.auth)
        .type('text/plain')
        .send('not a form');
      expectErrorBody(response, 415, 'UnsupportedMediaType');
    });

    it('400 BadRequest for a form without a "file" field, or a malformed one', async () => {
      const noFile = await demo.http
        .post(`/buckets/${bucket}/files/x.txt`)
        .set(demo.auth)
        .field('other', 'value');
      expectErrorBody(noFile, 400, 'BadRequest');
      const malformed = await demo.http
        .post(`/buckets/${bucket}/files/x.txt`)
        .set(demo.auth)
        .set('Content-Type', 'multipart/form-data; boundary=xyz')
        .send('--xyz\r\nContent-Disposition: form-data; name="file"; filename="a"\r\n\r\ntrunc');
      expectErrorBody(malformed, 400, 'BadRequest');
      expect(await demo.http.get(filePath(bucket, 'x.txt')).then((r) => r.status)).toBe(404);
    });
  });
});
