import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { RssGrowth } from '../memory';
import type { ServerConnection } from '../server';

const run = promisify(execFile);

/** One transfer for the probe to measure. */
export interface ProbeRequest {
  direction: 'upload' | 'download';
  bucket: string;
  key: string;
  /** The file to upload, or the file to download into. */
  path: string;
  /** A folder for the probe's warm-up file. */
  folder: string;
}

/**
 * Measures the RSS growth of one library transfer in a fresh Node process, so that memory left
 * resident by earlier measurements of the bench process neither hides nor inflates it.
 *
 * @param server - where to connect
 * @param request - the transfer
 * @returns its time and the RSS before, at the peak, and the growth
 */
export async function probeRss(
  server: ServerConnection,
  request: ProbeRequest,
): Promise<{ ms: number; rss: RssGrowth }> {
  const { stdout } = await run(process.execPath, ['--expose-gc', join(__dirname, 'child.js')], {
    env: { ...process.env, BENCH_PROBE: JSON.stringify({ ...request, server }) },
    timeout: 600_000,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as { ms: number; rss: RssGrowth };
}
