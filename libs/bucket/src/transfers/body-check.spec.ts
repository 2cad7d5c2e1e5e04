import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { BucketError } from '../bucket.errors';
import { assertRangeAnswer, parseContentRange, verifiedBody } from './body-check';
import { md5OfEtag, objectDigestOf } from './object-digest';

const context = { operation: 'getObject', bucket: 'media', key: 'a.bin' };
const md5 = (data: Buffer) => createHash('md5').update(data).digest('hex');

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return error instanceof BucketError ? error.code : `not a BucketError: ${String(error)}`;
  }
  return 'no error';
}

describe('checks of downloaded bodies', () => {
  it('takes the ETag for an MD5 only for a single-part object without SSE-KMS or SSE-C', () => {
    const etag = `"${'a'.repeat(32)}"`;
    expect(md5OfEtag({ ETag: etag })).toBe('a'.repeat(32));
    expect(md5OfEtag({ ETag: `"${'a'.repeat(32)}-3"` })).toBeUndefined();
    expect(md5OfEtag({ ETag: etag, ServerSideEncryption: 'aws:kms' })).toBeUndefined();
    expect(md5OfEtag({ ETag: etag, SSECustomerAlgorithm: 'AES256' })).toBeUndefined();
    expect(md5OfEtag({ ETag: etag, ServerSideEncryption: 'AES256' })).toBe('a'.repeat(32));
    expect(md5OfEtag({})).toBeUndefined();
  });

  it('reads a Content-Range, and refuses an answer that is not the range asked for', () => {
    expect(parseContentRange('bytes 0-9/100')).toEqual({ start: 0, end: 9, total: 100 });
    expect(parseContentRange('bytes */100')).toBeUndefined();
    const wanted = { start: 0, end: 9, total: 100 };
    expect(() => {
      assertRangeAnswer({ ContentRange: 'bytes 0-9/100', ContentLength: 10 }, wanted, context);
    }).not.toThrow();
    for (const answer of [
      { ContentRange: 'bytes 0-9/100', ContentLength: 9 },
      { ContentRange: 'bytes 0-8/100', ContentLength: 9 },
      { ContentRange: 'bytes 0-9/101', ContentLength: 10 },
      { ContentLength: 10 },
    ]) {
      expect(() => {
        assertRangeAnswer(answer, wanted, context);
      }).toThrow(expect.objectContaining({ code: 'IntegrityError' }) as Error);
    }
  });

  it('passes a good body through, and fails a flipped, short or long one with IntegrityError', async () => {
    const data = Buffer.from('the quick brown fox');
    const good = verifiedBody(
      Readable.from([data]),
      { length: data.length, digest: objectDigestOf({ ETag: md5(data) }, data.length) },
      context,
    );
    expect((await buffer(good)).equals(data)).toBe(true);

    const flipped = Buffer.from(data);
    flipped[3] ^= 0xff;
    const bad = verifiedBody(
      Readable.from([flipped]),
      { length: data.length, digest: objectDigestOf({ ETag: md5(data) }, data.length) },
      context,
    );
    expect(await codeOf(buffer(bad))).toBe('IntegrityError');

    const short = verifiedBody(
      Readable.from([data.subarray(0, 5)]),
      { length: data.length },
      context,
    );
    expect(await codeOf(buffer(short))).toBe('IntegrityError');

    const long = verifiedBody(Readable.from([data, data]), { length: data.length }, context);
    expect(await codeOf(buffer(long))).toBe('IntegrityError');
  });

  it('reports a source that fails midway with its mapped code, and an abort as Aborted', async () => {
    const cut = new Readable({ read: () => undefined });
    const checked = verifiedBody(cut, { length: 100 }, context);
    const read = codeOf(buffer(checked));
    cut.push(Buffer.alloc(10));
    cut.destroy(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }));
    expect(await read).toBe('ConnectionFailed');

    const controller = new AbortController();
    const source = new Readable({ read: () => undefined });
    const aborted = codeOf(
      buffer(verifiedBody(source, { length: 100 }, context, controller.signal)),
    );
    controller.abort();
    source.destroy(new Error('aborted'));
    expect(await aborted).toBe('Aborted');
  });
});
