import { readdir, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { GIB } from '../units';
import type { CurlSetup } from './curl-setup';
import { runSampled, type SampledRun } from './sampled-child';

/** One timed curl run. */
export interface CurlTiming {
  /** Wall time minus curl's start-up (see `CurlSetup.startupMs`), in ms. */
  ms: number;
  /** curl's peak RSS (the whole process: it has no "before"), in MiB. */
  rssGrowthMiB: number;
  cpuSecondsPerGiB: number;
}

/** The ranges of a parallel download: the plan of the library's `downloadFile`. */
export interface RangePlan {
  partSizeBytes: number;
  concurrency: number;
}

const TIMEOUT_MS = 900_000;

/** A value in a curl config file: the URL holds no `"` nor `\`, but be safe. */
function quoted(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

function timing(curl: CurlSetup, run: SampledRun, bytes: number): CurlTiming {
  return {
    ms: Math.max(run.ms - curl.startupMs, run.ms / 2),
    rssGrowthMiB: run.peakRssMiB,
    cpuSecondsPerGiB: run.cpuSeconds / (bytes / GIB),
  };
}

/**
 * `curl -sS -o file <GET url>`: one stream, one connection, the machine's limit for a single
 * download. The URL goes in a config on stdin.
 *
 * @param curl - the program
 * @param url - a presigned GET URL
 * @param path - the file to write
 * @param bytes - the object's size, for the CPU figure
 */
export async function curlGet(
  curl: CurlSetup,
  url: string,
  path: string,
  bytes: number,
): Promise<CurlTiming> {
  const config = `url = ${quoted(url)}\noutput = ${quoted(path)}\nfail\n`;
  return timing(
    curl,
    await runSampled(curl.command, ['-sS', '-K', '-'], config, TIMEOUT_MS),
    bytes,
  );
}

/**
 * `curl -sS -T file <PUT url>`: one PutObject in one stream. `Expect: 100-continue` is turned
 * off (`-H 'Expect:'`), as anyone timing curl does: it would add a round trip, or a 1 s wait
 * where the server does not answer it.
 *
 * @param curl - the program
 * @param url - a presigned PUT URL
 * @param path - the file to send
 * @param bytes - its size, for the CPU figure
 */
export async function curlPut(
  curl: CurlSetup,
  url: string,
  path: string,
  bytes: number,
): Promise<CurlTiming> {
  const config = `url = ${quoted(url)}\nupload-file = ${quoted(path)}\noutput = "/dev/null"\nheader = "Expect:"\nfail\n`;
  return timing(
    curl,
    await runSampled(curl.command, ['-sS', '-K', '-'], config, TIMEOUT_MS),
    bytes,
  );
}

/** The files that a parallel download wrote: `<path>.range-<i>`. */
async function rangeFiles(path: string): Promise<string[]> {
  const prefix = `${basename(path)}.range-`;
  const names = await readdir(dirname(path));
  return names.filter((n) => n.startsWith(prefix)).map((n) => join(dirname(path), n));
}

/**
 * `curl --parallel --parallel-immediate --parallel-max N`: the object's ranges of the library's
 * part size (the ranges `downloadFile` asks for), N at a time, each ranged GET (`range =
 * start-end`) written to a file of its own, `<path>.range-<i>`: curl cannot write at an offset of
 * one file. The ranges are not joined afterwards, which spares curl the positioned writes into
 * one file that `downloadFile` makes: an upper bound for parallel ranges. After the timed run,
 * the range files' sizes are added up and the files removed.
 *
 * @param curl - the program
 * @param url - a presigned GET URL
 * @param path - the stem of the range files
 * @param bytes - the object's size
 * @param plan - range size and ranges in flight
 * @returns the timing, and the bytes written (the sum of the range files)
 */
export async function curlParallelGet(
  curl: CurlSetup,
  url: string,
  path: string,
  bytes: number,
  plan: RangePlan,
): Promise<CurlTiming & { written: number }> {
  const blocks: string[] = [];
  for (let i = 0, start = 0; start < bytes; i++, start += plan.partSizeBytes) {
    const end = Math.min(start + plan.partSizeBytes, bytes) - 1;
    const output = `${path}.range-${String(i).padStart(5, '0')}`;
    blocks.push(
      `url = ${quoted(url)}\nrange = "${start}-${end}"\noutput = ${quoted(output)}\nfail\n`,
    );
  }
  const args = [
    '-sS',
    // -s alone leaves the parallel progress meter on.
    '--no-progress-meter',
    '--parallel',
    '--parallel-immediate',
    '--parallel-max',
    String(plan.concurrency),
    '-K',
    '-',
  ];
  try {
    const run = await runSampled(curl.command, args, blocks.join('next\n'), TIMEOUT_MS);
    let written = 0;
    for (const file of await rangeFiles(path)) written += (await stat(file)).size;
    return { ...timing(curl, run, bytes), written };
  } finally {
    for (const file of await rangeFiles(path)) await rm(file, { force: true });
  }
}
