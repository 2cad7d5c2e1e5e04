import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** A new empty temporary folder, and a function that removes it. */
export async function temporaryFolder(): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'nest-bucket-test-'));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** Writes `bytes` random bytes to `path`, 1 MiB at a time. */
export async function writeRandomFile(path: string, bytes: number): Promise<void> {
  let left = bytes;
  const chunks = Readable.from(
    (function* () {
      while (left > 0) {
        const size = Math.min(left, 1024 * 1024);
        left -= size;
        yield randomBytes(size);
      }
    })(),
  );
  await pipeline(chunks, createWriteStream(path));
}

/** The sha256 of a file, hex, computed as a stream. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

/** The sha256 of bytes, hex. */
export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The md5 of a buffer, hex: S3's ETag of a single-part upload. */
export function md5(data: Buffer | string): string {
  return createHash('md5').update(data).digest('hex');
}
