import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { inspect } from 'node:util';
import {
  BucketConnectionError,
  BucketError,
  BucketNotFoundError,
  type BucketErrorCode,
} from '../bucket.errors';
import { operationFailed } from '../bucket.messages';
import { SimulatedBucketFailure } from './in-memory-bucket.faults';
import { InMemoryBucketService } from './in-memory-bucket.service';

/** The error a promise rejects with (fails the test if it resolves). */
async function rejection(promise: Promise<unknown>): Promise<BucketError> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  if (!(outcome instanceof BucketError))
    throw new Error(`expected a BucketError, got ${String(outcome)}`);
  return outcome;
}

async function codeOf(promise: Promise<unknown>): Promise<BucketErrorCode> {
  return (await rejection(promise)).code;
}

describe('InMemoryBucketService', () => {
  let fake: InMemoryBucketService;

  beforeEach(() => {
    fake = new InMemoryBucketService({ buckets: ['media'] });
  });

  describe('failNext', () => {
    it('fails the next call with the code, the class and the message BucketService would give', async () => {
      fake.failNext('ConnectionFailed');
      const error = await rejection(fake.putObject('media', 'a.png', 'x'));
      expect(error).toBeInstanceOf(BucketConnectionError);
      expect(error).toMatchObject({
        code: 'ConnectionFailed',
        operation: 'putObject',
        bucket: 'media',
        key: 'a.png',
      });
      expect(error.message).toBe(
        operationFailed(
          'ConnectionFailed',
          { operation: 'putObject', bucket: 'media', key: 'a.png' },
          'simulated by InMemoryBucketService.failNext()',
        ),
      );
      expect(error.cause).toBeInstanceOf(SimulatedBucketFailure);
      expect(fake.readStored('media', 'a.png')).toBeUndefined();
      // Only once.
      await expect(fake.putObject('media', 'a.png', 'x')).resolves.toMatchObject({ key: 'a.png' });
    });

    it('targets operations, buckets and keys, and fails as many times as asked', async () => {
      fake.seedObject('media', 'a', 'a').seedObject('media', 'b', 'b');
      fake.failNext('NoSuchKey', { operation: ['getObject', 'getBucketFile'], key: 'b', times: 2 });
      expect(await fake.fileExists('media', 'b')).toBe(true);
      await expect(fake.getObject('media', 'a')).resolves.toBeDefined();
      expect(await codeOf(fake.getObject('media', 'b'))).toBe('NoSuchKey');
      expect(await codeOf(fake.getBucketFile('media', 'b'))).toBe('NoSuchKey');
      expect(fake.pendingFailures).toBe(0);
      await expect(fake.getBucketFile('media', 'b')).resolves.toMatchObject({ size: 1 });
    });

    it('keeps failing with times: Infinity until clearFailures()', async () => {
      fake.failNext('Timeout', { times: Infinity, detail: 'the network is down' });
      for (let i = 0; i < 3; i++) {
        const error = await rejection(fake.getBucketNames());
        expect(error.message).toContain('the network is down');
      }
      expect(fake.pendingFailures).toBe(1);
      fake.clearFailures();
      await expect(fake.getBucketNames()).resolves.toEqual(['media']);
    });

    it('applies after the call’s own validation and local file checks, as the real service', async () => {
      fake.failNext('ConnectionFailed');
      expect(await codeOf(fake.getObject('media', ''))).toBe('InvalidKey');
      expect(await codeOf(fake.createBucket('Not_Valid'))).toBe('InvalidBucketName');
      expect(await codeOf(fake.uploadFile('media', '/no/such/file', 'k'))).toBe('LocalFileError');
      expect(fake.pendingFailures).toBe(1);
      expect(await codeOf(fake.getObject('media', 'k'))).toBe('ConnectionFailed');
    });

    it('marks the connection lost on ConnectionFailed or Timeout; the next call reconnects', async () => {
      await fake.connect();
      fake.failNext('ConnectionFailed', { operation: 'deleteFile' });
      await rejection(fake.deleteFile('media', 'k'));
      expect(fake.toJSON().state).toBe('lost');
      expect(await fake.isConnected()).toBe(false);
      await fake.getBucketNames();
      expect(await fake.isConnected()).toBe(true);
    });

    it('fails connect(), and an operation’s own connection only when asked for', async () => {
      fake.failNext('AccessDenied', { operation: 'connect' });
      expect(await codeOf(fake.connect())).toBe('AccessDenied');
      fake.failNext('ConnectionFailed', { operation: 'connect' });
      const error = await rejection(fake.getBucketFiles('media'));
      // The connection failure is reported for the operation that needed it.
      expect(error).toMatchObject({ code: 'ConnectionFailed', operation: 'getBucketFiles' });
      // An untargeted failure is the next call's, not its implicit connection's.
      fake.failNext('Unknown');
      expect(await codeOf(fake.getBucketFiles('media'))).toBe('Unknown');
      await expect(fake.getBucketFiles('media')).resolves.toEqual([]);
    });

    it('makes isConnected() answer false rather than reject, and the probe fail (health down)', async () => {
      await fake.connect();
      fake.failNext('Timeout', { operation: 'isConnected' });
      expect(await fake.isConnected()).toBe(false);
      fake.failNext('Timeout', { operation: 'probe' });
      expect(await codeOf(fake.probe())).toBe('Timeout');
      expect(await fake.probe()).toBeGreaterThanOrEqual(0);
    });

    it('fails listFiles on the page it was reading', async () => {
      for (const key of ['a', 'b', 'c']) fake.seedObject('media', key, key);
      const seen: string[] = [];
      const listing = (async () => {
        for await (const file of fake.listFiles('media', { pageSize: 1 })) {
          seen.push(file.key);
          if (seen.length === 2) fake.failNext('ConnectionFailed', { operation: 'listFiles' });
        }
      })();
      expect(await codeOf(listing)).toBe('ConnectionFailed');
      expect(seen).toEqual(['a', 'b']);
    });

    it('rejects a times below 1', () => {
      expect(() => fake.failNext('Unknown', { times: 0 })).toThrow(RangeError);
    });
  });

  describe('inspection and arrangement', () => {
    it('lists what is stored, by bucket then key in byte order, and reads copies of the bytes', async () => {
      fake.seedBucket('archive');
      await fake.putObject('media', '\uff21', 'fullwidth');
      await fake.putObject('media', '\u{1f600}', 'emoji', { metadata: { Owner: 'me' } });
      await fake.putObject('archive', 'old.txt', 'old', { contentType: 'text/plain' });
      expect(fake.storedBuckets()).toEqual(['archive', 'media']);
      expect(fake.listStored().map((o) => `${o.bucket}/${o.key}`)).toEqual([
        'archive/old.txt',
        'media/\uff21',
        'media/\u{1f600}',
      ]);
      expect(fake.listStored('media')[1]).toMatchObject({
        key: '\u{1f600}',
        size: 5,
        contentType: 'application/octet-stream',
        metadata: { owner: 'me' },
      });
      expect(fake.listStored('none')).toEqual([]);
      const bytes = fake.readStored('archive', 'old.txt');
      expect(bytes?.toString()).toBe('old');
      bytes?.fill(0);
      expect(fake.readStored('archive', 'old.txt')?.toString()).toBe('old');
      expect(fake.readStored('archive', 'none')).toBeUndefined();
    });

    it('seeds objects without connecting, creating the bucket, with a date of choice', async () => {
      const date = new Date('2020-01-02T03:04:05.678Z');
      fake.seedObject('fresh', 'k', new Uint8Array([1, 2]), {
        lastModified: date,
        contentType: 'x/y',
      });
      expect(fake.toJSON().state).toBe('never');
      expect(await fake.getBucketFile('fresh', 'k')).toMatchObject({
        size: 2,
        contentType: 'x/y',
        lastModified: new Date('2020-01-02T03:04:05.000Z'),
      });
      expect(() => fake.seedObject('fresh', '', 'x')).toThrow(BucketError);
      expect(() => fake.seedBucket('Bad_Name')).toThrow(BucketError);
    });

    it('dates objects with its clock, to the second (to the millisecond in listings, as Ceph RGW)', async () => {
      let now = new Date('2024-05-06T07:08:09.500Z');
      const clocked = new InMemoryBucketService({ buckets: ['bkt'], now: () => now });
      await clocked.putObject('bkt', 'k', 'v');
      expect((await clocked.getBucketFile('bkt', 'k')).lastModified).toEqual(
        new Date('2024-05-06T07:08:09.000Z'),
      );
      now = new Date('2024-05-06T08:00:00.000Z');
      for await (const file of clocked.listFiles('bkt'))
        expect(file.lastModified).toEqual(new Date('2024-05-06T07:08:09.500Z'));
    });

    it('resets to the initial buckets, no failure, not connected', async () => {
      await fake.putObject('media', 'k', 'v');
      await fake.createBucket('extra');
      fake.failNext('Unknown');
      fake.reset();
      expect(fake.listStored()).toEqual([]);
      expect(fake.storedBuckets()).toEqual(['media']);
      expect(fake.pendingFailures).toBe(0);
      expect(fake.toJSON()).toEqual({
        name: undefined,
        endpoint: 'memory://default',
        state: 'never',
      });
    });

    it('is a BucketService for the type checker, and renders without surprises', () => {
      expect(fake.asBucketService()).toBe(fake);
      expect(inspect(fake)).toBe(
        "InMemoryBucketService { name: undefined, endpoint: 'memory://default', state: 'never', buckets: 1 }",
      );
      const named = new InMemoryBucketService({ name: 'archive' });
      expect(named.endpoint).toBe('memory://archive');
    });
  });

  describe('S3 details beyond the contract', () => {
    it('rejects a stream whose length is not its contentLength', async () => {
      const error = await rejection(
        fake.putObject('media', 'k', Readable.from([Buffer.from('abcdef')]), { contentLength: 3 }),
      );
      expect(error.code).toBe('InvalidArgument'); // as the real service
      expect(fake.readStored('media', 'k')).toBeUndefined();
    });

    it('refuses to copy an object onto itself unchanged; new metadata alone resets the content type', async () => {
      await fake.putObject('media', 'k', 'v', { contentType: 'text/plain', metadata: { a: '1' } });
      expect(await codeOf(fake.copyFile('media', 'k', 'media', 'k'))).toBe('Unknown');
      await fake.copyFile('media', 'k', 'media', 'k', { metadata: { b: '2' } });
      expect(await fake.getBucketFile('media', 'k')).toMatchObject({
        contentType: 'binary/octet-stream',
        metadata: { b: '2' },
      });
    });

    it('answers a zero-length suffix range with InvalidRange, as AWS (Ceph RGW gives the whole object)', async () => {
      await fake.putObject('media', 'k', '0123456789');
      expect(await codeOf(fake.getObject('media', 'k', { range: 'bytes=-0' }))).toBe(
        'InvalidRange',
      );
    });

    it('copies keep the ETag of a multipart source, as Ceph RGW', async () => {
      const data = Buffer.alloc(17 * 1024 * 1024, 1);
      const { etag } = await fake.putObject('media', 'big', data);
      expect(etag).toMatch(/-3$/);
      expect((await fake.copyFile('media', 'big', 'media', 'copy')).etag).toBe(etag);
    });

    it('reports a missing bucket as NoSuchBucket on every read, with the key', async () => {
      const error = await rejection(fake.fileExists('gone-bucket', 'k'));
      expect(error).toBeInstanceOf(BucketNotFoundError);
      expect(error).toMatchObject({ operation: 'fileExists', bucket: 'gone-bucket', key: 'k' });
    });
  });

  describe('presigned URLs', () => {
    it('are recognisable, resolve GET, HEAD and PUT as S3, and expire by the fake’s clock', async () => {
      let now = new Date('2024-01-01T00:00:00Z');
      const clocked = new InMemoryBucketService({ buckets: ['bkt'], now: () => now });
      await clocked.putObject('bkt', 'a b.txt', 'hello', { metadata: { owner: 'me' } });
      const url = await clocked.getPresignedUrl('bkt', 'a b.txt', { expiresIn: 60 });
      expect(url).toMatch(
        /^memory:\/\/default\/bkt\/a%20b\.txt\?X-Amz-Algorithm=NEST-BUCKET-IN-MEMORY&/,
      );
      const head = await clocked.fetchPresignedUrl(url, { method: 'HEAD' });
      expect(head.status).toBe(200);
      expect(head.headers.get('content-length')).toBe('5');
      expect(head.headers.get('x-amz-meta-owner')).toBe('me');
      expect(await (await clocked.fetchPresignedUrl(url)).text()).toBe('hello');
      now = new Date('2024-01-01T00:01:01Z');
      const expired = await clocked.fetchPresignedUrl(url);
      expect(expired.status).toBe(403);
      expect(await expired.text()).toContain('<Code>AccessDenied</Code>');

      const put = await clocked.getPresignedUrl('bkt', 'up.bin', { method: 'PUT' });
      const stored = await clocked.fetchPresignedUrl(put, {
        method: 'PUT',
        body: new Uint8Array([1, 2, 3]),
        headers: { 'x-amz-meta-Source': 'browser' },
      });
      expect(stored.status).toBe(200);
      expect(await clocked.getBucketFile('bkt', 'up.bin')).toMatchObject({
        size: 3,
        contentType: 'binary/octet-stream',
        metadata: { source: 'browser' },
      });
    });

    it('refuses URLs of another endpoint, altered URLs and other methods', async () => {
      const url = await fake.getPresignedUrl('media', 'k');
      await expect(fake.fetchPresignedUrl('http://example.com/media/k')).rejects.toThrow(TypeError);
      const other = new InMemoryBucketService({ buckets: ['media'] });
      expect((await other.fetchPresignedUrl(url)).status).toBe(403);
      const altered = url.replace('X-Amz-Expires=900', 'X-Amz-Expires=901');
      expect((await fake.fetchPresignedUrl(altered)).status).toBe(403);
      expect((await fake.fetchPresignedUrl(url, { method: 'DELETE' })).status).toBe(403);
    });
  });

  describe('shutdown', () => {
    it('refuses transfers once shutdown began, as the real one, but not other operations', async () => {
      await fake.beforeApplicationShutdown();
      const error = await rejection(fake.putObject('media', 'k', 'v'));
      expect(error).toMatchObject({ code: 'Aborted', operation: 'putObject' });
      expect(error.message).toContain('the application is shutting down');
      await expect(fake.getBucketNames()).resolves.toEqual(['media']);
      await fake.onApplicationShutdown();
      expect(fake.toJSON().state).toBe('disconnected');
    });

    it('aborts a transfer still in flight after shutdownDrainMs', async () => {
      const slow = new InMemoryBucketService({ buckets: ['media'], shutdownDrainMs: 20 });
      const endless = new Readable({
        read() {
          // Never ends: the upload waits for more.
        },
      });
      const upload = slow.putObject('media', 'k', endless);
      await new Promise((resolve) => setImmediate(resolve));
      await slow.beforeApplicationShutdown();
      expect(await codeOf(upload)).toBe('Aborted');
      expect(slow.readStored('media', 'k')).toBeUndefined();
    });
  });

  describe('local files', () => {
    let folder: string;
    beforeAll(async () => {
      folder = await mkdtemp(join(tmpdir(), 'nest-bucket-fake-'));
    });
    afterAll(async () => {
      await rm(folder, { recursive: true, force: true });
    });

    it('uploads and downloads real files, through a temporary file renamed into place', async () => {
      const source = join(folder, 'photo.PNG');
      await writeFile(source, 'png bytes');
      const uploaded = await fake.uploadFile('media', source);
      expect(uploaded).toMatchObject({ key: 'photo.PNG', size: 9 });
      expect(fake.listStored('media')[0].contentType).toBe('image/png');
      const destination = join(folder, 'copy.png');
      await fake.downloadFile('media', 'photo.PNG', destination);
      const got = await fake.getObject('media', 'photo.PNG');
      expect((await buffer(got.body)).toString()).toBe('png bytes');
    });
  });
});
