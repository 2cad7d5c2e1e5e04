import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { BucketValidationError, type BucketErrorContext, type TransferProgress } from 'nest-bucket';
import { bucketErrorOf, errorCodeOf } from '../support/bucket-errors';
import { md5 } from '../support/files';
import { MIB, THRESHOLD, expectBucketError, multipartEtag, type ContractContext } from './shared';

/**
 * Uploads and downloads in parts: progress, aborts, timeouts and the bounds of their options.
 * Written once for the real server and the fake; `context()` is read inside each test, once the
 * run's `beforeAll` is done.
 */
export function describeTransfersContract(context: () => ContractContext): void {
  describe('transfers', () => {
    it('reports upload progress that grows and ends at the total', async () => {
      const { service, bucket, folder } = context();
      const small: TransferProgress[] = [];
      await service.putObject(bucket, 'progress/small', 'abc', {
        onProgress: (p) => small.push(p),
      });
      expect(small.at(-1)).toEqual({ loaded: 3, total: 3 });
      const source = join(folder.path, 'progress.txt');
      await writeFile(source, 'hello');
      const file: TransferProgress[] = [];
      await service.uploadFile(bucket, source, 'progress/file', {
        onProgress: (p) => file.push(p),
      });
      expect(file.at(-1)).toEqual({ loaded: 5, total: 5 });
      const stream: TransferProgress[] = [];
      await service.putObject(bucket, 'progress/stream', Readable.from([Buffer.from('abcd')]), {
        onProgress: (p) => stream.push(p),
      });
      expect(stream.at(-1)?.loaded).toBe(4);
      const data = Buffer.alloc(THRESHOLD + MIB, 5);
      const parts: TransferProgress[] = [];
      await service.putObject(bucket, 'progress/parts', data, {
        partSizeBytes: 5 * MIB,
        concurrency: 1,
        onProgress: (p) => parts.push(p),
      });
      expect(parts.length).toBeGreaterThanOrEqual(2);
      for (let i = 1; i < parts.length; i++)
        expect(parts[i].loaded).toBeGreaterThan(parts[i - 1].loaded);
      expect(parts.at(-1)).toEqual({ loaded: data.length, total: data.length });
      expect((await service.getBucketFile(bucket, 'progress/parts')).etag).toBe(
        multipartEtag(data, 5 * MIB),
      );
    });

    it('downloads in ranged parts, whole and equal, with progress ending at the total', async () => {
      const { service, bucket, folder } = context();
      const data = Buffer.alloc(11 * MIB);
      for (let i = 0; i < data.length; i += 4096) data.writeUInt32BE(i, i);
      await service.putObject(bucket, 'progress/eleven', data);
      const destination = join(folder.path, 'eleven.out');
      const events: TransferProgress[] = [];
      const result = await service.downloadFile(bucket, 'progress/eleven', destination, {
        partSizeBytes: 5 * MIB,
        concurrency: 2,
        onProgress: (p) => events.push(p),
      });
      expect(result.size).toBe(data.length);
      expect(md5(await readFile(destination))).toBe(md5(data));
      for (let i = 1; i < events.length; i++)
        expect(events[i].loaded).toBeGreaterThanOrEqual(events[i - 1].loaded);
      expect(events.at(-1)).toEqual({ loaded: data.length, total: data.length });
      await service.putObject(bucket, 'progress/empty', '');
      const empty: TransferProgress[] = [];
      await service.downloadFile(bucket, 'progress/empty', join(folder.path, 'empty.dl'), {
        onProgress: (p) => empty.push(p),
      });
      expect(empty.at(-1)).toEqual({ loaded: 0, total: 0 });
    });

    it('aborting a multipart upload midway rejects with Aborted and stores nothing', async () => {
      const { service, bucket } = context();
      const controller = new AbortController();
      const upload = service.putObject(bucket, 'progress/aborted', Buffer.alloc(THRESHOLD + MIB), {
        partSizeBytes: 5 * MIB,
        concurrency: 1,
        signal: controller.signal,
        onProgress: () => {
          controller.abort();
        },
      });
      expect(await errorCodeOf(upload)).toBe('Aborted');
      expect(await service.fileExists(bucket, 'progress/aborted')).toBe(false);
    });

    it('aborting a download midway rejects with Aborted, leaves no file and keeps an existing one', async () => {
      const { service, bucket, folder } = context();
      await service.putObject(bucket, 'progress/nine', Buffer.alloc(9 * MIB, 9));
      const destination = join(folder.path, 'kept.dl');
      await writeFile(destination, 'precious');
      const controller = new AbortController();
      const download = service.downloadFile(bucket, 'progress/nine', destination, {
        partSizeBytes: 5 * MIB,
        signal: controller.signal,
        onProgress: ({ loaded }) => {
          if (loaded > MIB) controller.abort();
        },
      });
      expect(await errorCodeOf(download)).toBe('Aborted');
      expect(await readFile(destination, 'utf8')).toBe('precious');
      const fresh = join(folder.path, 'fresh.dl');
      const second = new AbortController();
      const again = service.downloadFile(bucket, 'progress/nine', fresh, {
        signal: second.signal,
        onProgress: () => {
          second.abort();
        },
      });
      expect(await errorCodeOf(again)).toBe('Aborted');
      expect(existsSync(fresh)).toBe(false);
    });

    it('gives a signal that timed out before the transfer began Timeout, and stores nothing', async () => {
      const { service, bucket, folder } = context();
      const signal = AbortSignal.timeout(1);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(await errorCodeOf(service.putObject(bucket, 'progress/late', 'x', { signal }))).toBe(
        'Timeout',
      );
      expect(
        await errorCodeOf(
          service.downloadFile(bucket, 'progress/small', join(folder.path, 'late.dl'), {
            signal,
          }),
        ),
      ).toBe('Timeout');
      expect(await service.fileExists(bucket, 'progress/late')).toBe(false);
    });

    it('rejects part sizes and concurrency out of bounds before any request, with InvalidArgument', async () => {
      const { service, bucket, folder } = context();
      const source = join(folder.path, 'tuning.txt');
      await writeFile(source, 't');
      const out = join(folder.path, 'tuning.out');
      const attempts: [() => Promise<unknown>, BucketErrorContext][] = [
        [
          () => service.uploadFile(bucket, source, 'k', { partSizeBytes: 1024 }),
          { operation: 'uploadFile', bucket, key: 'k' },
        ],
        [
          () => service.putObject(bucket, 'k', 'x', { concurrency: 0 }),
          { operation: 'putObject', bucket, key: 'k' },
        ],
        [
          () => service.putObject(bucket, 'k', 'x', { concurrency: 65 }),
          { operation: 'putObject', bucket, key: 'k' },
        ],
        [
          () => service.downloadFile(bucket, 'progress/small', out, { concurrency: 0 }),
          { operation: 'downloadFile', bucket, key: 'progress/small' },
        ],
        [
          () => service.downloadFile(bucket, 'progress/small', out, { partSizeBytes: 5 * MIB - 1 }),
          { operation: 'downloadFile', bucket, key: 'progress/small' },
        ],
      ];
      for (const [attempt, context] of attempts)
        expectBucketError(
          await bucketErrorOf(attempt()),
          'InvalidArgument',
          BucketValidationError,
          context,
        );
      expect(await service.fileExists(bucket, 'k')).toBe(false);
      expect(existsSync(out)).toBe(false);
    });
  });
}
