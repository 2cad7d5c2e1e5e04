import { readFileSync } from 'node:fs';
import { benchConfig } from '../config';
import { collectGarbage } from '../memory';
import type { ServerConnection } from '../server';
import type { NodeVariantName, TransferJob } from '../transfers/node-work';
import { warmedWork } from '../transfers/warmed-work';

/** What the parent hands the profiled process, as JSON in `BENCH_PROFILE_RUN`. */
export interface ProfileRunRequest {
  server: ServerConnection;
  variant: NodeVariantName;
  direction: 'upload' | 'download';
  job: TransferJob;
  /** A folder for the warm-up file. */
  folder: string;
}

/** What the profiled process prints, as JSON, on its last line of stdout. */
export interface ProfileRunTiming {
  ms: number;
  /** `process.cpuUsage()` (user + system, every thread) over the timed transfer, in seconds. */
  processCpuSeconds: number;
  /** The main thread's user + system time over the timed transfer, from /proc, in seconds. */
  mainThreadCpuSeconds: number;
  /** The timed transfer, in `process.hrtime` microseconds: the clock of the profile's samples. */
  window: { startUs: number; endUs: number };
}

/** Linux's USER_HZ, the unit of /proc/PID/task/TID/stat's times. */
const TICKS_PER_SECOND = 100;

/** The main thread's user + system time, in seconds (0 where /proc is missing). */
function mainThreadCpu(): number {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

const nowUs = () => Number(process.hrtime.bigint() / 1000n);

/**
 * The profiled process (run with `--cpu-prof`): builds the service and a raw client, warms the
 * variant up with one 24 MiB transfer, then times one transfer and prints a
 * {@link ProfileRunTiming}. The parent keeps only the profile's samples inside its window.
 */
async function main(): Promise<void> {
  const request = JSON.parse(process.env.BENCH_PROFILE_RUN ?? '{}') as ProfileRunRequest;
  const { job } = request;
  const { work, close } = await warmedWork({ ...request, rawHttp: benchConfig().rawHttp });
  try {
    collectGarbage();
    const thread = mainThreadCpu();
    const cpu = process.cpuUsage();
    const startUs = nowUs();
    await work(job);
    const endUs = nowUs();
    const used = process.cpuUsage(cpu);
    const timing: ProfileRunTiming = {
      ms: (endUs - startUs) / 1000,
      processCpuSeconds: (used.user + used.system) / 1e6,
      mainThreadCpuSeconds: mainThreadCpu() - thread,
      window: { startUs, endUs },
    };
    process.stdout.write(`${JSON.stringify(timing)}\n`);
  } finally {
    await close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
