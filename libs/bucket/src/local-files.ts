import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, open, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { createBucketError, type BucketErrorContext } from './bucket.errors';
import { operationFailed } from './bucket.messages';
import { describeValue } from './bucket.validation';

/**
 * Checks on local files, done before any network call, and the atomic write of downloads.
 * @internal
 */

function localFileError(context: BucketErrorContext, path: unknown, rule: string, cause?: unknown) {
  return createBucketError(
    'LocalFileError',
    operationFailed('LocalFileError', context, `${describeValue(path)} ${rule}`),
    { ...context, cause },
  );
}

/** Checks that `path` is a readable regular file and returns its size in bytes. */
export async function checkSourceFile(path: unknown, context: BucketErrorContext): Promise<number> {
  if (typeof path !== 'string' || path === '')
    throw localFileError(context, path, 'is not a file path');
  const stats = await stat(path).catch((error: unknown) => {
    throw localFileError(context, path, 'does not exist or cannot be read', error);
  });
  if (!stats.isFile()) throw localFileError(context, path, 'is not a regular file');
  await access(path, constants.R_OK).catch((error: unknown) => {
    throw localFileError(context, path, 'is not readable', error);
  });
  return stats.size;
}

/** Checks that a file can be created at `path`: its folder exists and is writable, and it is not a folder. */
export async function checkDestinationFile(
  path: unknown,
  context: BucketErrorContext,
): Promise<void> {
  if (typeof path !== 'string' || path === '')
    throw localFileError(context, path, 'is not a file path');
  const existing = await stat(path).catch(() => undefined);
  if (existing?.isDirectory())
    throw localFileError(context, path, 'is a directory, not a file path');
  const folder = dirname(path);
  const folderStats = await stat(folder).catch(() => undefined);
  if (!folderStats?.isDirectory())
    throw localFileError(
      context,
      path,
      `cannot be created: its folder ${JSON.stringify(folder)} does not exist`,
    );
  await access(folder, constants.W_OK).catch((error: unknown) => {
    throw localFileError(
      context,
      path,
      `cannot be created: its folder ${JSON.stringify(folder)} is not writable`,
      error,
    );
  });
}

/**
 * Fills a temporary file beside `path` (in the same folder, so the rename is atomic), then
 * renames it into place. On any failure the temporary file is removed and an existing file at
 * `path` is untouched.
 *
 * @param fill - writes the content; returns the number of bytes written
 * @returns what `fill` returned
 */
export async function withTemporaryFile(
  path: string,
  context: BucketErrorContext,
  fill: (file: FileHandle) => Promise<number>,
): Promise<number> {
  const temporary = join(
    dirname(path),
    `.${basename(path)}.${randomBytes(6).toString('hex')}.part`,
  );
  // Readable too: a download reads its bytes back to check their MD5.
  const file = await open(temporary, 'wx+').catch((error: unknown) => {
    const reason = (error as { code?: unknown }).code;
    throw localFileError(context, path, `cannot be written (${String(reason)})`, error);
  });
  try {
    const size = await fill(file);
    await file.close();
    await rename(temporary, path);
    return size;
  } catch (error) {
    await file.close().catch(() => undefined);
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
}

/** Writes all of `chunk` at `position` in an open file (one write may take only part of it). */
export async function writeFullyAt(
  file: FileHandle,
  chunk: Buffer,
  position: number,
): Promise<void> {
  let written = 0;
  while (written < chunk.length) {
    const { bytesWritten } = await file.write(
      chunk,
      written,
      chunk.length - written,
      position + written,
    );
    written += bytesWritten;
  }
}
