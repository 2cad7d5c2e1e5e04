import type { FreshRunRequest } from './fresh-process';
import { timeTransfer } from './node-work';
import { warmedWork } from './warmed-work';

/**
 * The child process of `runInFreshProcess`: builds the service and a raw client, warms the
 * variant up with one transfer of 24 MiB (code loading, JIT, sockets), then times one transfer
 * and prints `{ ms, cpuSecondsPerGiB, rss, received, machineBusy }` as JSON.
 */
async function main(): Promise<void> {
  const request = JSON.parse(process.env.BENCH_FRESH_RUN ?? '{}') as FreshRunRequest;
  const { job } = request;
  const { work, close } = await warmedWork(request);
  try {
    const timing = await timeTransfer(() => work(job), job.size);
    process.stdout.write(`${JSON.stringify(timing)}\n`);
  } finally {
    await close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
