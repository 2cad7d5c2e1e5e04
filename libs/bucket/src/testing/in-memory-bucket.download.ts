import type { FileHandle } from 'node:fs/promises';
import { toBucketError } from '../bucket.error-mapping';
import type { DownloadFileOptions, DownloadFileResult, TransferProgress } from '../bucket.types';
import { assertTransferOptions, assertValidObjectAddress } from '../bucket.validation';
import { checkDestinationFile, withTemporaryFile, writeFullyAt } from '../local-files';
import { abortErrorOf, throwIfAborted } from '../transfers/abort';
import type { InMemoryBackend } from './in-memory-bucket.backend';
import { requireCustomerKey } from './in-memory-bucket.object-attributes';

/**
 * The download of the in-memory fake (`downloadFile`): through a temporary file renamed into
 * place, with the progress reports and the abort of the real one (`transfers/download.ts`).
 * @internal
 */

/** The size of the writes of `downloadFile`, each followed by a progress report. */
const DOWNLOAD_CHUNK_BYTES = 256 * 1024;

/** Writes bytes into an open file in chunks, reporting progress and stopping on abort. */
async function writeInto(
  file: FileHandle,
  data: Buffer,
  signal: AbortSignal | undefined,
  onProgress: ((progress: TransferProgress) => void) | undefined,
): Promise<number> {
  for (let offset = 0; offset < data.length; offset += DOWNLOAD_CHUNK_BYTES) {
    throwIfAborted(signal);
    const chunk = data.subarray(offset, offset + DOWNLOAD_CHUNK_BYTES);
    await writeFullyAt(file, chunk, offset);
    onProgress?.({ loaded: offset + chunk.length, total: data.length });
  }
  throwIfAborted(signal);
  // The real download reports once more when it completes, also for an empty object.
  onProgress?.({ loaded: data.length, total: data.length });
  return data.length;
}

/**
 * Writes an object to a local file, through a temporary file renamed into place, as the real
 * service does: a failure or an abort leaves no file and does not touch an existing one.
 * @internal
 */
export async function downloadFile(
  backend: InMemoryBackend,
  bucket: string,
  key: string,
  destinationPath: string,
  options: DownloadFileOptions,
): Promise<DownloadFileResult> {
  const operation = 'downloadFile' as const;
  assertValidObjectAddress(bucket, key, operation);
  const context = { operation, bucket, key };
  assertTransferOptions(options, context);
  await checkDestinationFile(destinationPath, context);
  // As the real one: the temporary file is created before anything else, so that a destination
  // that cannot be written fails first.
  const size = await withTemporaryFile(destinationPath, context, (file) =>
    backend.transfer(context, options.signal, (signal) =>
      backend.connection.run(context, async () => {
        try {
          throwIfAborted(signal);
          const object = backend.requireObject(bucket, key);
          requireCustomerKey(object, options.customerKey);
          await file.truncate(0);
          return await writeInto(file, object.data, signal, options.onProgress);
        } catch (error) {
          // As the real download: whatever an abort cut short is reported as the abort.
          if (signal.aborted) throw abortErrorOf(signal);
          throw error;
        }
      }),
    ),
  ).catch((error: unknown) => {
    throw toBucketError(error, context);
  });
  return { bucket, key, path: destinationPath, size };
}
