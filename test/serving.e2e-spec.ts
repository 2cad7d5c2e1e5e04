import { Controller, Get, Query, Req, Res, type INestApplication } from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { randomBytes } from 'node:crypto';
import {
  BucketModule,
  BucketService,
  serveObject,
  type ServedRequest,
  type ServedResponse,
} from 'nest-bucket';
import { serverOptions, uniqueBucketName } from './support/s3';
import { sha256 } from './support/files';

const MIB = 1024 * 1024;

/** A user's controller that serves objects with the helper. */
@Controller('files')
class FilesController {
  constructor(private readonly bucket: BucketService) {}

  @Get()
  file(
    @Query('bucket') bucket: string,
    @Query('key') key: string,
    @Query('download') download: string | undefined,
    @Req() request: ServedRequest,
    @Res({ passthrough: true }) response: ServedResponse,
  ) {
    return serveObject(this.bucket, bucket, key, request, response, {
      disposition: download === undefined ? 'inline' : 'attachment',
      filename: download,
      cacheControl: 'private, max-age=60',
    });
  }
}

describe.each([
  ['Express', () => undefined],
  // After an aborted fetch, undici may leave a connection open on which it never sends a request;
  // Node counts it as busy until headersTimeout (60 s), and Fastify's close() waits for it. Apps
  // that must stop at once set forceCloseConnections, as here.
  ['Fastify', () => new FastifyAdapter({ forceCloseConnections: true })],
])('serveObject on %s (real server)', (_name, adapter) => {
  let app: INestApplication;
  let base: string;
  let service: BucketService;
  const bucket = uniqueBucketName('serve');
  const data = randomBytes(20 * MIB + 17);
  const key = 'reports/q3 été.pdf';

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      // Two sockets: a body left open when its client goes away would block the pool.
      imports: [BucketModule.forRoot({ ...serverOptions(), maxSockets: 2 })],
      controllers: [FilesController],
    }).compile();
    const httpAdapter = adapter();
    app = httpAdapter
      ? moduleRef.createNestApplication(httpAdapter)
      : moduleRef.createNestApplication();
    await app.init();
    await app.listen(0, '127.0.0.1');
    base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    service = app.get(BucketService);
    await service.createBucket(bucket);
    await service.putObject(bucket, key, data, { contentType: 'application/pdf' });
  });

  afterAll(async () => {
    await service.deleteBucket(bucket, { force: true });
    await app.close();
  });

  const url = (extra = '') =>
    `${base}/files?bucket=${bucket}&key=${encodeURIComponent(key)}${extra}`;

  it('sends the whole object with its type, length, ETag, Last-Modified and a UTF-8 file name', async () => {
    const info = await service.getBucketFile(bucket, key);
    const response = await fetch(url('&download=' + encodeURIComponent('rapport "été".pdf')));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/pdf');
    expect(response.headers.get('content-length')).toBe(String(data.length));
    expect(response.headers.get('etag')).toBe(`"${info.etag}"`);
    expect(response.headers.get('last-modified')).toBe(info.lastModified.toUTCString());
    expect(response.headers.get('accept-ranges')).toBe('bytes');
    expect(response.headers.get('cache-control')).toBe('private, max-age=60');
    expect(response.headers.get('content-disposition')).toBe(
      `attachment; filename="rapport \\"?t?\\".pdf"; filename*=UTF-8''rapport%20%22%C3%A9t%C3%A9%22.pdf`,
    );
    expect(sha256(new Uint8Array(await response.arrayBuffer()))).toBe(sha256(data));
  });

  it('inline by default, named after the key', async () => {
    const response = await fetch(url());
    await response.body?.cancel();
    expect(response.headers.get('content-disposition')).toBe(
      `inline; filename="q3 ?t?.pdf"; filename*=UTF-8''q3%20%C3%A9t%C3%A9.pdf`,
    );
  });

  it('answers a Range with 206 and exactly those bytes, and a range past the end with 416', async () => {
    const partial = await fetch(url(), { headers: { range: 'bytes=1000-1999' } });
    expect(partial.status).toBe(206);
    expect(partial.headers.get('content-range')).toBe(`bytes 1000-1999/${data.length}`);
    expect(partial.headers.get('content-length')).toBe('1000');
    expect(Buffer.from(await partial.arrayBuffer()).equals(data.subarray(1000, 2000))).toBe(true);

    const suffix = await fetch(url(), { headers: { range: 'bytes=-17' } });
    expect(suffix.status).toBe(206);
    expect(Buffer.from(await suffix.arrayBuffer()).equals(data.subarray(-17))).toBe(true);

    const beyond = await fetch(url(), { headers: { range: `bytes=${data.length}-` } });
    expect(beyond.status).toBe(416);
    expect(beyond.headers.get('content-range')).toBe(`bytes */${data.length}`);
    expect((await beyond.arrayBuffer()).byteLength).toBe(0);
  });

  it('answers 304 with no body to If-None-Match and If-Modified-Since that still hold, 200 otherwise', async () => {
    const info = await service.getBucketFile(bucket, key);
    const byTag = await fetch(url(), { headers: { 'if-none-match': `"${info.etag}"` } });
    expect(byTag.status).toBe(304);
    expect(byTag.headers.get('etag')).toBe(`"${info.etag}"`);
    expect((await byTag.arrayBuffer()).byteLength).toBe(0);
    const byDate = await fetch(url(), {
      headers: { 'if-modified-since': info.lastModified.toUTCString() },
    });
    expect(byDate.status).toBe(304);
    await byDate.body?.cancel();
    const changed = await fetch(url(), { headers: { 'if-none-match': '"another"' } });
    expect(changed.status).toBe(200);
    expect(sha256(new Uint8Array(await changed.arrayBuffer()))).toBe(sha256(data));
  });

  it('releases the storage socket when the client goes away: six abandoned downloads, then a whole one, through a pool of two sockets', async () => {
    for (let i = 0; i < 6; i++) {
      const controller = new AbortController();
      const response = await fetch(url(), { signal: controller.signal });
      const reader = response.body!.getReader();
      await reader.read();
      controller.abort();
      await reader.closed.catch(() => undefined);
    }
    // With a leaked socket per abandoned body, this request would wait for a free one.
    const response = await fetch(url(), { signal: AbortSignal.timeout(15_000) });
    expect(response.status).toBe(200);
    expect(sha256(new Uint8Array(await response.arrayBuffer()))).toBe(sha256(data));
  }, 60_000);
});
