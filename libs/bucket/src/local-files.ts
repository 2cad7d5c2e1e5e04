import { randomBytes } from 'node:crypto';
import { constants, createWriteStream } from 'node:fs';
import { access, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
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
 * Writes a stream to a temporary file beside `path`, checks its length, then renames it into
 * place. On any failure the temporary file is removed and an existing file at `path` is untouched.
 *
 * @returns the number of bytes written
 */
export async function writeFileAtomically(
  body: Readable,
  path: string,
  expectedBytes: number | undefined,
  context: BucketErrorContext,
): Promise<number> {
  const temporary = join(
    dirname(path),
    `.${basename(path)}.${randomBytes(6).toString('hex')}.part`,
  );
  try {
    await pipeline(body, createWriteStream(temporary, { flags: 'wx' }));
    const { size } = await stat(temporary);
    if (expectedBytes !== undefined && size !== expectedBytes) {
      throw createBucketError(
        'ConnectionFailed',
        operationFailed('ConnectionFailed', context, `received ${size} of ${expectedBytes} bytes`),
        context,
      );
    }
    await rename(temporary, path);
    return size;
  } catch (error) {
    body.destroy();
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
}
