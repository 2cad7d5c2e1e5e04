import { randomFillSync } from 'node:crypto';
import { mkdtemp, open, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onCleanup } from './cleanup';
import { MIB } from './units';

/**
 * A new temporary folder for the run's big files, removed by the cleanup (also on error and
 * SIGINT). `BENCH_TMPDIR` chooses where it goes (default: the OS temporary folder).
 */
export async function createWorkFolder(): Promise<string> {
  const folder = await mkdtemp(join(process.env.BENCH_TMPDIR ?? tmpdir(), 'nest-bucket-bench-'));
  onCleanup(`remove ${folder}`, () => rm(folder, { recursive: true, force: true }));
  return folder;
}

/**
 * Writes a file of `size` incompressible bytes (a 16 MiB random block, repeated).
 *
 * @param path - the file to create
 * @param size - its size in bytes
 */
export async function writeRandomFile(path: string, size: number): Promise<void> {
  const block = randomFillSync(Buffer.allocUnsafe(16 * MIB));
  const file = await open(path, 'w');
  try {
    for (let offset = 0; offset < size; offset += block.length) {
      const length = Math.min(block.length, size - offset);
      // Vary each block a little, so that no two parts of the file are identical.
      block.writeUInt32LE(offset / block.length, 0);
      await file.write(block, 0, length, offset);
    }
  } finally {
    await file.close();
  }
}

/**
 * The size of a file, to check that a download wrote every byte.
 *
 * @param path - the file
 */
export async function fileSize(path: string): Promise<number> {
  return (await stat(path)).size;
}
