import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { TransferTiming } from './node-work';
import type { WarmUpRequest } from './warmed-work';

const run = promisify(execFile);

/** One timed transfer of a Node variant, in a process of its own. */
export type FreshRunRequest = WarmUpRequest;

/**
 * Runs one transfer of a Node variant in a fresh Node process, after a warm-up transfer there,
 * as boto3 runs in a fresh Python process: no variant then pays for the heap, the garbage and
 * the sockets that the bench and the other variants left behind in a long-lived process.
 *
 * @param request - the variant, the transfer and where to connect
 */
export async function runInFreshProcess(request: FreshRunRequest): Promise<TransferTiming> {
  const { stdout } = await run(
    process.execPath,
    ['--expose-gc', join(__dirname, 'fresh-child.js')],
    {
      env: { ...process.env, BENCH_FRESH_RUN: JSON.stringify(request) },
      timeout: 600_000,
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as TransferTiming;
}
