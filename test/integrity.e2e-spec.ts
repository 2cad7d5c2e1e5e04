import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import type { BucketModuleSyncOptions, BucketService } from 'nest-bucket';
import { PART_SIZE_METADATA } from 'nest-bucket/transfers/object-digest';
import { bucketErrorOf, errorCodeOf } from './support/bucket-errors';
import { sha256, sha256File, writeRandomFile } from './support/files';
import {
  leftoverPartFiles,
  openUploads,
  serviceThrough,
  storedSha256,
  useFaultRig,
} from './support/http-faults';

const MIB = 1024 * 1024;

/** Small parts and quick retries, so that a multipart upload of 12 MiB has three parts. */
const SETTINGS = {
  maxAttempts: 3,
  retryBaseDelayMs: 10,
  requestTimeoutMs: 5000,
  multipartThresholdBytes: 5 * MIB,
  partSizeBytes: 5 * MIB,
} satisfies Partial<BucketModuleSyncOptions>;

// Uploads whose bytes are corrupted on the way, or refused for a while, through an HTTP proxy
// between the service and the real server.
describe('upload integrity and retries', () => {
  const rig = useFaultRig('integrity-up');
  let service: BucketService;
  let close: () => Promise<void>;
  let small: string; // one PutObject
  let large: string; // three parts
  let smallSha: string;
  let largeSha: string;

  beforeAll(async () => {
    ({ service, close } = await serviceThrough(rig.proxy, SETTINGS));
    small = join(rig.folder.path, 'small.bin');
    large = join(rig.folder.path, 'large.bin');
    await writeRandomFile(small, 3 * MIB);
    await writeRandomFile(large, 12 * MIB);
    smallSha = await sha256File(small);
    largeSha = await sha256File(large);
  });

  afterAll(async () => {
    await close();
  });

  const plainPut = (key: string, nth?: number) => ({
    method: 'PUT',
    path: `/${rig.bucket}/${key}`,
    query: { uploadId: false },
    ...(nth === undefined ? {} : { nth }),
  });
  const part = (key: string, partNumber: number, nth?: number) => ({
    method: 'PUT',
    path: `/${rig.bucket}/${key}`,
    query: { partNumber: String(partNumber) },
    ...(nth === undefined ? {} : { nth }),
  });

  it('uploadFile (one PutObject): a byte flipped once is refused by the server and sent again; the stored sha256 is the file`s', async () => {
    const rule = rig.proxy.add(plainPut('flip-once.bin', 1), { kind: 'flipRequestByte' });
    await service.uploadFile(rig.bucket, small, 'flip-once.bin');
    expect({ matched: rule.matched, applied: rule.applied }).toEqual({ matched: 2, applied: 1 });
    expect(await storedSha256(rig.direct, rig.bucket, 'flip-once.bin')).toBe(smallSha);
  });

  it('uploadFile (one PutObject): a byte flipped on every attempt fails with IntegrityError and stores nothing', async () => {
    const rule = rig.proxy.add(plainPut('flip-always.bin'), { kind: 'flipRequestByte' });
    const code = await errorCodeOf(service.uploadFile(rig.bucket, small, 'flip-always.bin'));
    expect(code).toBe('IntegrityError');
    expect(rule.applied).toBe(SETTINGS.maxAttempts);
    expect(await storedSha256(rig.direct, rig.bucket, 'flip-always.bin')).toBeNull();
  });

  it('uploadFile (multipart): a byte flipped in part 2 is refused and that part alone sent again; the stored sha256 is the file`s', async () => {
    const flip = rig.proxy.add(part('mp-flip-once.bin', 2, 1), { kind: 'flipRequestByte' });
    const part1 = rig.proxy.add(part('mp-flip-once.bin', 1), { kind: 'delay', ms: 0 });
    await service.uploadFile(rig.bucket, large, 'mp-flip-once.bin');
    expect({ matched: flip.matched, applied: flip.applied }).toEqual({ matched: 2, applied: 1 });
    expect(part1.matched).toBe(1);
    expect(await storedSha256(rig.direct, rig.bucket, 'mp-flip-once.bin')).toBe(largeSha);
    expect(await openUploads(rig.direct, rig.bucket)).toEqual([]);
  });

  it('uploadFile (multipart): part 2 flipped on every attempt fails with IntegrityError; no object, no multipart upload', async () => {
    const rule = rig.proxy.add(part('mp-flip-always.bin', 2), { kind: 'flipRequestByte' });
    const code = await errorCodeOf(service.uploadFile(rig.bucket, large, 'mp-flip-always.bin'));
    expect(code).toBe('IntegrityError');
    expect(rule.applied).toBe(SETTINGS.maxAttempts);
    expect(await storedSha256(rig.direct, rig.bucket, 'mp-flip-always.bin')).toBeNull();
    expect(await openUploads(rig.direct, rig.bucket)).toEqual([]);
  });

  /** Whether each part request of `key`, in the order sent, carried a Content-MD5. */
  const partsCarryMd5 = (key: string) =>
    rig.proxy.seen
      .filter((r) => r.path === `/${rig.bucket}/${key}` && r.query.includes('partNumber'))
      .map((r) => r.headers.includes('content-md5'));

  it('uploadFile (multipart): parts are hashed as sent and checked by their ETag, without Content-MD5 or a second read', async () => {
    await service.uploadFile(rig.bucket, large, 'etag-checked.bin');
    expect(partsCarryMd5('etag-checked.bin')).toEqual([false, false, false]);
    expect(await storedSha256(rig.direct, rig.bucket, 'etag-checked.bin')).toBe(largeSha);
  });

  it('uploadFile (multipart): a part answered with an ETag that is not the MD5 of the bytes sent is sent again, with Content-MD5; the others are not', async () => {
    const rule = rig.proxy.add(part('foreign-etag.bin', 1, 1), {
      kind: 'responseHeader',
      name: 'ETag',
      value: '"0123456789abcdef0123456789abcdef"',
    });
    const oneAtATime = await serviceThrough(rig.proxy, { ...SETTINGS, uploadConcurrency: 1 });
    try {
      await oneAtATime.service.uploadFile(rig.bucket, large, 'foreign-etag.bin');
    } finally {
      await oneAtATime.close();
    }
    expect({ matched: rule.matched, applied: rule.applied }).toEqual({ matched: 2, applied: 1 });
    expect(partsCarryMd5('foreign-etag.bin')).toEqual([false, true, false, false]);
    expect(await storedSha256(rig.direct, rig.bucket, 'foreign-etag.bin')).toBe(largeSha);
    expect(await openUploads(rig.direct, rig.bucket)).toEqual([]);
  });

  it('putObject (a buffer): a flipped byte is refused and sent again; the stored sha256 is the buffer`s', async () => {
    const content = Buffer.alloc(256 * 1024, 7);
    const rule = rig.proxy.add(plainPut('buffer.bin', 1), { kind: 'flipRequestByte' });
    await service.putObject(rig.bucket, 'buffer.bin', content);
    expect(rule.matched).toBe(2);
    expect(await storedSha256(rig.direct, rig.bucket, 'buffer.bin')).toBe(sha256(content));
  });

  it('uploadFile (one PutObject): a 503 SlowDown is retried from the file; the stored sha256 is the file`s', async () => {
    const rule = rig.proxy.add(plainPut('slow-once.bin', 1), {
      kind: 'status',
      status: 503,
      code: 'SlowDown',
    });
    await service.uploadFile(rig.bucket, small, 'slow-once.bin');
    expect({ matched: rule.matched, applied: rule.applied }).toEqual({ matched: 2, applied: 1 });
    expect(await storedSha256(rig.direct, rig.bucket, 'slow-once.bin')).toBe(smallSha);
  });

  it('uploadFile (one PutObject): 503 SlowDown on every attempt fails with Throttled, not Unknown, and stores nothing', async () => {
    const rule = rig.proxy.add(plainPut('slow-always.bin'), {
      kind: 'status',
      status: 503,
      code: 'SlowDown',
    });
    expect(await errorCodeOf(service.uploadFile(rig.bucket, small, 'slow-always.bin'))).toBe(
      'Throttled',
    );
    expect(rule.applied).toBe(SETTINGS.maxAttempts);
    expect(await storedSha256(rig.direct, rig.bucket, 'slow-always.bin')).toBeNull();
  });

  it('uploadFile (one PutObject): a 429 with Retry-After: 1 waits that second before it sends again', async () => {
    const rule = rig.proxy.add(plainPut('retry-after.bin', 1), {
      kind: 'status',
      status: 429,
      code: 'TooManyRequests',
      retryAfterSeconds: 1,
    });
    const started = Date.now();
    await service.uploadFile(rig.bucket, small, 'retry-after.bin');
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(rule.matched).toBe(2);
    expect(await storedSha256(rig.direct, rig.bucket, 'retry-after.bin')).toBe(smallSha);
  });

  it('uploadFile (multipart): 500 InternalError then 503 SlowDown on part 3 are retried; the stored sha256 is the file`s', async () => {
    const first = rig.proxy.add(part('mp-5xx.bin', 3, 1), {
      kind: 'status',
      status: 500,
      code: 'InternalError',
    });
    const second = rig.proxy.add(part('mp-5xx.bin', 3, 2), {
      kind: 'status',
      status: 503,
      code: 'SlowDown',
    });
    await service.uploadFile(rig.bucket, large, 'mp-5xx.bin');
    expect([first.applied, second.applied, second.matched]).toEqual([1, 1, 3]);
    expect(await storedSha256(rig.direct, rig.bucket, 'mp-5xx.bin')).toBe(largeSha);
    expect(await openUploads(rig.direct, rig.bucket)).toEqual([]);
  });

  it('uploadFile (multipart): 503 SlowDown on every attempt of a part fails with Throttled; no object, no multipart upload', async () => {
    rig.proxy.add(part('mp-slow.bin', 2), { kind: 'status', status: 503, code: 'SlowDown' });
    expect(await errorCodeOf(service.uploadFile(rig.bucket, large, 'mp-slow.bin'))).toBe(
      'Throttled',
    );
    expect(await storedSha256(rig.direct, rig.bucket, 'mp-slow.bin')).toBeNull();
    expect(await openUploads(rig.direct, rig.bucket)).toEqual([]);
  });
});

// Downloads whose bytes are corrupted, shortened or lengthened on the way back.
describe('download integrity', () => {
  const rig = useFaultRig('integrity-down');
  let service: BucketService;
  let close: () => Promise<void>;
  // 3 MiB in one part: one GET. 12 MiB in one part: three ranged GETs, checked by MD5 as well.
  // 12 MiB in three parts (ETag "...-3"): three ranged GETs, checked by length and If-Match.
  const single = randomBytes(3 * MIB);
  const singleRanged = randomBytes(12 * MIB);
  let multiSha: string;

  beforeAll(async () => {
    ({ service, close } = await serviceThrough(rig.proxy, SETTINGS));
    await service.putObject(rig.bucket, 'single.bin', single);
    // Above the multipart threshold of SETTINGS: stored in one PutObject by the raw client.
    await rig.direct.send(
      new PutObjectCommand({ Bucket: rig.bucket, Key: 'single-ranged.bin', Body: singleRanged }),
    );
    const multi = join(rig.folder.path, 'multi.src');
    await writeRandomFile(multi, 12 * MIB);
    multiSha = await sha256File(multi);
    const uploaded = await service.uploadFile(rig.bucket, multi, 'multi.bin');
    expect(uploaded.etag).toMatch(/-3$/);
    expect((await service.getBucketFile(rig.bucket, 'single-ranged.bin')).etag).toMatch(
      /^[0-9a-f]{32}$/,
    );
  });

  afterAll(async () => {
    await close();
  });

  const getOf = (key: string, nth?: number | number[]) => ({
    method: 'GET',
    path: `/${rig.bucket}/${key}`,
    ...(nth === undefined ? {} : { nth }),
  });
  const target = (name: string) => join(rig.folder.path, name);

  it('downloadFile (one GET): a flipped byte is caught by the ETag`s MD5 and fetched again; the file`s sha256 is the object`s', async () => {
    const rule = rig.proxy.add(getOf('single.bin', 1), { kind: 'flipResponseByte' });
    await service.downloadFile(rig.bucket, 'single.bin', target('single.out'));
    expect(rule.matched).toBe(2);
    expect(await sha256File(target('single.out'))).toBe(sha256(single));
    expect(await leftoverPartFiles(rig.folder.path)).toEqual([]);
  });

  it('downloadFile (one GET): a byte flipped on both tries fails with IntegrityError and leaves no file', async () => {
    const rule = rig.proxy.add(getOf('single.bin'), { kind: 'flipResponseByte' });
    const code = await errorCodeOf(
      service.downloadFile(rig.bucket, 'single.bin', target('single-bad.out')),
    );
    expect(code).toBe('IntegrityError');
    expect(rule.applied).toBe(2);
    expect(existsSync(target('single-bad.out'))).toBe(false);
    expect(await leftoverPartFiles(rig.folder.path)).toEqual([]);
  });

  it('downloadFile (ranged, single-part object): a byte flipped in a later range is caught by the whole file`s MD5 and fetched again', async () => {
    const rule = rig.proxy.add(getOf('single-ranged.bin', 2), { kind: 'flipResponseByte' });
    await service.downloadFile(rig.bucket, 'single-ranged.bin', target('ranged.out'));
    expect(rule.matched).toBe(6);
    expect(await sha256File(target('ranged.out'))).toBe(sha256(singleRanged));
  });

  it('downloadFile (ranged, single-part object): a range flipped on both tries fails with IntegrityError and leaves no file', async () => {
    rig.proxy.add(getOf('single-ranged.bin', [3, 6]), { kind: 'flipResponseByte' });
    const code = await errorCodeOf(
      service.downloadFile(rig.bucket, 'single-ranged.bin', target('ranged-bad.out')),
    );
    expect(code).toBe('IntegrityError');
    expect(existsSync(target('ranged-bad.out'))).toBe(false);
    expect(await leftoverPartFiles(rig.folder.path)).toEqual([]);
  });

  it('downloadFile (ranged, multipart object): a range shorter than asked is caught and fetched again; the file`s sha256 is the object`s', async () => {
    const rule = rig.proxy.add(getOf('multi.bin', 2), { kind: 'shortenResponse', bytes: 100 });
    await service.downloadFile(rig.bucket, 'multi.bin', target('multi.out'));
    expect(rule.applied).toBe(1);
    expect(await sha256File(target('multi.out'))).toBe(multiSha);
  });

  it('downloadFile (ranged, multipart object): ranges longer than asked on both tries fail with IntegrityError and leave no file', async () => {
    rig.proxy.add(getOf('multi.bin'), { kind: 'lengthenResponse', bytes: 100 });
    const code = await errorCodeOf(
      service.downloadFile(rig.bucket, 'multi.bin', target('multi-bad.out')),
    );
    expect(code).toBe('IntegrityError');
    expect(existsSync(target('multi-bad.out'))).toBe(false);
    expect(await leftoverPartFiles(rig.folder.path)).toEqual([]);
  });

  it('a multipart upload records its part size for downloads, hidden from the metadata the service returns', async () => {
    const head = await rig.direct.send(
      new HeadObjectCommand({ Bucket: rig.bucket, Key: 'multi.bin' }),
    );
    expect(head.Metadata).toEqual({ [PART_SIZE_METADATA]: String(5 * MIB) });
    expect((await service.getBucketFile(rig.bucket, 'multi.bin')).metadata).toEqual({});
    const { body, metadata } = await service.getObject(rig.bucket, 'multi.bin', {
      range: { start: 0, end: 0 },
    });
    body.destroy();
    expect(metadata).toEqual({});
  });

  it('downloadFile (ranged, multipart object of this library): a flipped byte is caught by the multipart ETag and fetched again', async () => {
    const rule = rig.proxy.add(getOf('multi.bin', 2), { kind: 'flipResponseByte' });
    await service.downloadFile(rig.bucket, 'multi.bin', target('multi-flip.out'));
    expect(rule.applied).toBe(1);
    expect(await sha256File(target('multi-flip.out'))).toBe(multiSha);
  });

  it('downloadFile (ranged, multipart object of this library): flipped on both tries fails with IntegrityError and leaves no file', async () => {
    rig.proxy.add(getOf('multi.bin', [2, 5]), { kind: 'flipResponseByte' });
    const error = await bucketErrorOf(
      service.downloadFile(rig.bucket, 'multi.bin', target('multi-flip-bad.out')),
    );
    expect(error.code).toBe('IntegrityError');
    expect(error.message).toContain('the multipart ETag of the bytes received');
    expect(existsSync(target('multi-flip-bad.out'))).toBe(false);
    expect(await leftoverPartFiles(rig.folder.path)).toEqual([]);
  });

  it('downloadFile (ranges that split the parts, read back in order): a flipped byte is caught and fetched again; flipped on both tries, IntegrityError', async () => {
    const options = { partSizeBytes: 6 * MIB };
    const rule = rig.proxy.add(getOf('multi.bin', 2), { kind: 'flipResponseByte' });
    await service.downloadFile(rig.bucket, 'multi.bin', target('split.out'), options);
    expect(rule.applied).toBe(1);
    expect(await sha256File(target('split.out'))).toBe(multiSha);

    rig.proxy.reset();
    rig.proxy.add(getOf('multi.bin', [2, 4]), { kind: 'flipResponseByte' });
    const error = await bucketErrorOf(
      service.downloadFile(rig.bucket, 'multi.bin', target('split-bad.out'), options),
    );
    expect(error.code).toBe('IntegrityError');
    expect(error.message).toContain('the multipart ETag of the bytes received');
    expect(existsSync(target('split-bad.out'))).toBe(false);
  });

  it('getObject (multipart object of this library): a flipped byte destroys the stream with IntegrityError at its end', async () => {
    rig.proxy.add(getOf('multi.bin'), { kind: 'flipResponseByte' });
    const { body } = await service.getObject(rig.bucket, 'multi.bin');
    expect(await errorCodeOf(buffer(body))).toBe('IntegrityError');
  });

  it('downloadFile (ranged): a 503 SlowDown on a range is retried; the file`s sha256 is the object`s', async () => {
    const rule = rig.proxy.add(getOf('multi.bin', 2), {
      kind: 'status',
      status: 503,
      code: 'SlowDown',
    });
    await service.downloadFile(rig.bucket, 'multi.bin', target('multi-slow.out'));
    expect(rule.matched).toBe(4);
    expect(await sha256File(target('multi-slow.out'))).toBe(multiSha);
  });

  it('getObject: good bodies read through unchanged (single-part, multipart, a range)', async () => {
    const whole = await service.getObject(rig.bucket, 'single.bin');
    expect(sha256(await buffer(whole.body))).toBe(sha256(single));
    const multi = await service.getObject(rig.bucket, 'multi.bin');
    expect(sha256(await buffer(multi.body))).toBe(multiSha);
    const range = await service.getObject(rig.bucket, 'single.bin', {
      range: { start: 10, end: 99 },
    });
    expect((await buffer(range.body)).equals(single.subarray(10, 100))).toBe(true);
  });

  it('getObject: a flipped byte destroys the stream with IntegrityError at its end', async () => {
    rig.proxy.add(getOf('single.bin'), { kind: 'flipResponseByte' });
    const { body } = await service.getObject(rig.bucket, 'single.bin');
    expect(await errorCodeOf(buffer(body))).toBe('IntegrityError');
  });

  it('getObject: a 200 whose Content-Length is shorter than the object destroys the stream with IntegrityError', async () => {
    rig.proxy.add(getOf('single.bin'), { kind: 'shortenResponse', bytes: 1000 });
    const { body } = await service.getObject(rig.bucket, 'single.bin');
    expect(await errorCodeOf(buffer(body))).toBe('IntegrityError');
  });

  it('getObject: a body cut before its Content-Length destroys the stream with ConnectionFailed', async () => {
    rig.proxy.add(getOf('multi.bin'), {
      kind: 'shortenResponse',
      bytes: 1000,
      keepContentLength: true,
    });
    const { body } = await service.getObject(rig.bucket, 'multi.bin');
    expect(await errorCodeOf(buffer(body))).toBe('ConnectionFailed');
  });

  it('getObject (a range): a body longer than its range fails with IntegrityError', async () => {
    rig.proxy.add(getOf('multi.bin'), { kind: 'lengthenResponse', bytes: 10 });
    const code = await errorCodeOf(
      service
        .getObject(rig.bucket, 'multi.bin', { range: { start: 0, end: 99 } })
        .then(({ body }) => buffer(body)),
    );
    expect(code).toBe('IntegrityError');
  });
});
