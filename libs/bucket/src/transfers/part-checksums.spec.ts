import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PartChecksums } from './part-checksums';

const context = { operation: 'uploadFile', bucket: 'b', key: 'k' };
const md5Hex = (data: Buffer) => createHash('md5').update(data).digest('hex');

describe('PartChecksums (end-to-end checks of the parts of an upload from a file)', () => {
  const data = randomBytes(100_000);
  let folder: string;
  let range: { path: string; start: number; length: number };

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'part-checksums-'));
    range = { path: join(folder, 'part.bin'), start: 0, length: data.length };
    await writeFile(range.path, data);
  });

  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  /** One attempt: prepares, "sends" `sent` through the hash, and checks the server's `etag`. */
  async function attempt(check: ReturnType<PartChecksums['forPart']>, sent: Buffer, etag: string) {
    const prepared = await check.prepare();
    prepared.onChunk?.(sent);
    check.verify(`"${etag}"`);
    return prepared;
  }

  it('hashes the bytes as they are sent and accepts an ETag that is their MD5', async () => {
    const check = new PartChecksums(true, {}).forPart(range, 1, context);
    const prepared = await attempt(check, data, md5Hex(data));
    expect(prepared.contentMd5).toBeUndefined();
    expect(prepared.onChunk).toBeDefined();
  });

  it('fails with IntegrityError on an ETag that differs, then sends the part with its Content-MD5', async () => {
    const check = new PartChecksums(true, {}).forPart(range, 2, context);
    const corrupted = Buffer.from(data);
    corrupted[5] ^= 1;
    await expect(attempt(check, data, md5Hex(corrupted))).rejects.toMatchObject({
      code: 'IntegrityError',
      message: expect.stringContaining("part 2: the server's ETag") as string,
    });
    const retry = await check.prepare();
    expect(retry.contentMd5).toBe(createHash('md5').update(data).digest('base64'));
    expect(retry.onChunk).toBeUndefined();
  });

  it('learns from a part accepted with Content-MD5 but another ETag that this server`s ETags are not MD5s: later parts carry Content-MD5', async () => {
    const upload = new PartChecksums(true, {});
    const first = upload.forPart(range, 1, context);
    await expect(attempt(first, data, 'f'.repeat(32))).rejects.toMatchObject({
      code: 'IntegrityError',
    });
    await attempt(first, data, 'f'.repeat(32));
    expect(upload.trustsEtags).toBe(false);
    const later = await upload.forPart(range, 2, context).prepare();
    expect(later.contentMd5).toBeDefined();
  });

  it('sends Content-MD5 up front for SSE-KMS and SSE-C parts, whose ETags are not MD5s, and nothing when turned off', async () => {
    for (const encryption of [
      { ServerSideEncryption: 'aws:kms' },
      { SSECustomerAlgorithm: 'AES256' },
    ]) {
      const prepared = await new PartChecksums(true, encryption)
        .forPart(range, 1, context)
        .prepare();
      expect(prepared.contentMd5).toBeDefined();
    }
    const off = new PartChecksums(false, {}).forPart(range, 1, context);
    expect(await attempt(off, data, 'anything')).toEqual({});
  });
});
