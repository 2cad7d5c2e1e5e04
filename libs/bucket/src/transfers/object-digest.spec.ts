import { createHash, randomBytes } from 'node:crypto';
import {
  objectDigestOf,
  PART_SIZE_METADATA,
  withoutPartSize,
  withPartSize,
  type ObjectDigest,
} from './object-digest';

const md5 = (data: Uint8Array) => createHash('md5').update(data).digest();

/** The multipart ETag S3 gives an object uploaded in parts of `partSize` bytes. */
function multipartEtag(data: Buffer, partSize: number): string {
  const digests: Buffer[] = [];
  for (let start = 0; start < data.length; start += partSize) {
    digests.push(md5(data.subarray(start, start + partSize)));
  }
  return `"${md5(Buffer.concat(digests)).toString('hex')}-${digests.length}"`;
}

/** Feeds `data` in chunks of `chunk` bytes, as a body arrives. */
function feed(digest: ObjectDigest, data: Buffer, chunk: number): string | undefined {
  for (let start = 0; start < data.length; start += chunk) {
    digest.update(data.subarray(start, start + chunk));
  }
  return digest.mismatch();
}

describe('object digests (checks of a whole object against its ETag)', () => {
  const data = randomBytes(10_000);

  it('recomputes a multipart ETag from the recorded part size, whatever the chunks', () => {
    const answer = { ETag: multipartEtag(data, 3000), Metadata: withPartSize({ a: 'b' }, 3000) };
    for (const chunk of [1, 999, 3000, 4096, 10_000]) {
      const digest = objectDigestOf(answer, data.length);
      expect(digest).toBeDefined();
      expect(feed(digest!, data, chunk)).toBeUndefined();
    }
    const exact = objectDigestOf(
      { ETag: multipartEtag(data, 2500), Metadata: withPartSize(undefined, 2500) },
      data.length,
    );
    expect(feed(exact!, data, 700)).toBeUndefined();
  });

  it('takes ranges of whole parts in any order, each fed on its own, and refuses ranges that split a part', () => {
    const answer = { ETag: multipartEtag(data, 2000), Metadata: withPartSize({}, 2000) };
    const digest = objectDigestOf(answer, data.length)!;
    expect(digest.rangeFeed!(1000, 2000)).toBeUndefined();
    expect(digest.rangeFeed!(0, 3000)).toBeUndefined();
    // 4000-byte ranges of 2000-byte parts, the last one short; fed last range first, in odd chunks.
    const feeds = [0, 4000, 8000].map((start) => ({
      start,
      feed: digest.rangeFeed!(start, Math.min(4000, data.length - start))!,
    }));
    for (const { start, feed } of feeds.reverse()) {
      const range = data.subarray(start, start + 4000);
      for (let at = 0; at < range.length; at += 777) feed(range.subarray(at, at + 777));
    }
    expect(digest.mismatch()).toBeUndefined();

    const flipped = objectDigestOf(answer, data.length)!;
    const bad = Buffer.from(data);
    bad[9999] ^= 1;
    for (const start of [8000, 0, 4000]) {
      flipped.rangeFeed!(start, Math.min(4000, data.length - start))!(
        bad.subarray(start, start + 4000),
      );
    }
    expect(flipped.mismatch()).toMatch(/^the multipart ETag of the bytes received/);

    const missing = objectDigestOf(answer, data.length)!;
    missing.rangeFeed!(0, 4000)!(data.subarray(0, 4000));
    expect(missing.mismatch()).toBe('part 3 of 5 was never received');
  });

  it('gives no range feeds for a single-part object, whose MD5 takes its bytes in order', () => {
    const digest = objectDigestOf({ ETag: `"${md5(data).toString('hex')}"` }, data.length)!;
    expect('rangeFeed' in digest).toBe(false);
  });

  it('reports a flipped byte in a multipart object, naming both ETags', () => {
    const answer = { ETag: multipartEtag(data, 3000), Metadata: withPartSize({}, 3000) };
    const flipped = Buffer.from(data);
    flipped[6001] ^= 1;
    expect(feed(objectDigestOf(answer, data.length)!, flipped, 4096)).toMatch(
      /^the multipart ETag of the bytes received \(parts of 3000 bytes\) is [0-9a-f]{32}-4, the object's [0-9a-f]{32}-4$/,
    );
  });

  it('checks a single-part object against its MD5, and reports a difference', () => {
    const etag = `"${md5(data).toString('hex')}"`;
    expect(feed(objectDigestOf({ ETag: etag }, data.length)!, data, 4096)).toBeUndefined();
    expect(feed(objectDigestOf({ ETag: etag }, data.length)!, data.subarray(1), 4096)).toMatch(
      /^the MD5 of the bytes received is/,
    );
  });

  it('makes no check where the ETag cannot be recomputed', () => {
    const etag = multipartEtag(data, 3000);
    const cases = [
      { ETag: etag },
      { ETag: etag, Metadata: { [PART_SIZE_METADATA]: 'x' } },
      { ETag: etag, Metadata: { [PART_SIZE_METADATA]: '0' } },
      // 4 parts of 3000 bytes, but a recorded size that would make 2.
      { ETag: etag, Metadata: withPartSize({}, 5000) },
      { ETag: etag, Metadata: withPartSize({}, 3000), SSECustomerAlgorithm: 'AES256' },
      { ETag: etag, Metadata: withPartSize({}, 3000), ServerSideEncryption: 'aws:kms' },
      {},
    ];
    for (const answer of cases) expect(objectDigestOf(answer, data.length)).toBeUndefined();
  });

  it('hides the recorded part size from the metadata it returns, and keeps the rest', () => {
    expect(withoutPartSize(withPartSize({ owner: 'ann' }, 8))).toEqual({ owner: 'ann' });
    expect(withoutPartSize(undefined)).toEqual({});
    const plain = { owner: 'ann' };
    expect(withoutPartSize(plain)).toBe(plain);
  });
});
