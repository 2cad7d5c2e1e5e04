import { rotation } from '../alternate';
import { summarize } from '../stats';
import { timeTransfer } from '../transfers/node-work';
import { mibPerSecond } from '../units';

/** One configuration to time: it moves `bytes` once per call. */
export interface Candidate {
  name: string;
  run: () => Promise<void>;
  /** Runs after each timed call, untimed (delete the object or the file). */
  after?: () => Promise<void>;
}

/**
 * Times every candidate `repetitions` times in rotated order after one warm-up each, and prints
 * MiB/s (median [min-max]) and the worst RSS growth, best first.
 *
 * @param title - printed first
 * @param bytes - bytes moved by one call
 * @param candidates - the configurations
 * @param repetitions - timed calls of each
 */
export async function runMatrix(
  title: string,
  bytes: number,
  candidates: Candidate[],
  repetitions: number,
): Promise<void> {
  const speeds = new Map<string, number[]>();
  const rss = new Map<string, number[]>();
  const cpu = new Map<string, number[]>();
  for (let rep = -1; rep < repetitions; rep++) {
    for (const candidate of rotation(candidates, Math.max(rep, 0))) {
      const timing = await timeTransfer(async () => {
        await candidate.run();
        return undefined;
      }, bytes);
      await candidate.after?.();
      if (rep < 0) continue;
      const { name } = candidate;
      speeds.set(name, [...(speeds.get(name) ?? []), mibPerSecond(bytes, timing.ms)]);
      rss.set(name, [...(rss.get(name) ?? []), timing.rss.growthMiB]);
      // CPU seconds of this process per GiB moved: its own cost, less sensitive to contention.
      cpu.set(name, [...(cpu.get(name) ?? []), timing.cpuSecondsPerGiB]);
    }
    console.error(`${title}: repetition ${rep + 1}/${repetitions}`);
  }
  const rows = candidates
    .map((c) => ({
      name: c.name,
      speed: summarize(speeds.get(c.name) ?? []),
      rss: summarize(rss.get(c.name) ?? []),
      cpu: summarize(cpu.get(c.name) ?? []),
    }))
    .sort((a, b) => b.speed.median - a.speed.median);
  console.log(`\n${title}`);
  for (const { name, speed, rss: r, cpu: c } of rows) {
    console.log(
      `${name.padEnd(40)} ${speed.median.toFixed(0).padStart(5)} MiB/s [${speed.min.toFixed(0)}-${speed.max.toFixed(0)}]  cpu ${c.median.toFixed(2)} s/GiB  rss max ${r.max.toFixed(0)} MiB`,
    );
  }
}
