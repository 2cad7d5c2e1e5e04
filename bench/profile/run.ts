import { execFile } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { BucketService } from '../../libs/bucket/src';
import { cleanupOnSignals, onCleanup, runCleanup } from '../cleanup';
import { createBenchService } from '../clients';
import { createWorkFolder, fileSize, writeRandomFile } from '../files';
import { machineInfo } from '../machine';
import { ROOT } from '../paths';
import { provideServer } from '../server';
import { curlGet, curlPut } from '../transfers/curl';
import { prepareCurl, type CurlSetup } from '../transfers/curl-setup';
import { NODE_VARIANT, type NodeVariantName, type TransferJob } from '../transfers/node-work';
import { GIB, MIB } from '../units';
import type { ProfileRunRequest, ProfileRunTiming } from './child';
import { renderProfileReport, type ProfiledVariant } from './report';
import { summariseProfile } from './summarise';

const run = promisify(execFile);
const TOP = 15;
const RESULTS = join(ROOT, 'bench', 'results', 'profile.json');

/** The Node variants profiled, with their column titles. */
const NODE_VARIANTS: [string, NodeVariantName][] = [
  ['lib', NODE_VARIANT.library],
  ['lib-nocheck', NODE_VARIANT.libraryUnchecked],
  ['sdk', NODE_VARIANT.sdk],
];

/** Everything the runs share. */
interface Setup {
  service: BucketService;
  curl: CurlSetup;
  /** Where the `.cpuprofile` files stay (under `dist/`, not in git). */
  profiles: string;
}

/** Throws unless the transfer moved every byte; then removes what it made. */
async function checkAndClear(setup: Setup, direction: string, job: TransferJob): Promise<void> {
  const moved =
    direction === 'upload'
      ? (await setup.service.getBucketFile(job.bucket, job.key)).size
      : await fileSize(job.path);
  if (moved !== job.size) throw new Error(`${job.key}: moved ${moved} of ${job.size} bytes`);
  if (direction === 'upload') await setup.service.deleteFile(job.bucket, job.key);
  else await rm(job.path, { force: true });
}

/** One Node variant in a fresh process under `--cpu-prof`, summarised for its timed window. */
async function profileNode(
  setup: Setup,
  column: string,
  request: ProfileRunRequest,
): Promise<ProfiledVariant> {
  const name = `${column.replace(':', '-')}.cpuprofile`;
  const args = ['--expose-gc', '--cpu-prof', '--cpu-prof-dir', setup.profiles];
  const { stdout } = await run(
    process.execPath,
    [...args, '--cpu-prof-name', name, join(__dirname, 'child.js')],
    {
      env: { ...process.env, BENCH_PROFILE_RUN: JSON.stringify(request) },
      timeout: 900_000,
    },
  );
  const timing = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as ProfileRunTiming;
  const gib = request.job.size / GIB;
  const file = join(setup.profiles, name);
  const summary = await summariseProfile(file, timing.window, TOP);
  const perGiB = (seconds: number) => seconds / gib;
  return {
    column,
    name: `${request.direction}: ${request.variant}`,
    wallSecondsPerGiB: perGiB(timing.ms / 1000),
    mibPerSecond: request.job.size / MIB / (timing.ms / 1000),
    processCpuSecondsPerGiB: perGiB(timing.processCpuSeconds),
    mainThreadCpuSecondsPerGiB: perGiB(timing.mainThreadCpuSeconds),
    profile: {
      file,
      windowed: summary.windowed,
      window: timing.window,
      busySecondsPerGiB: perGiB(summary.busySeconds),
      categories: Object.fromEntries(
        Object.entries(summary.categories).map(([c, s]) => [c, perGiB(s)]),
      ) as typeof summary.categories,
      top: summary.top.map((f) => ({ ...f, selfSeconds: perGiB(f.selfSeconds) })),
    },
  };
}

/** One curl stream on a presigned URL: wall time (less curl's start-up) and CPU from /proc. */
async function profileCurl(
  setup: Setup,
  direction: 'upload' | 'download',
  job: TransferJob,
): Promise<ProfiledVariant> {
  const method = direction === 'upload' ? 'PUT' : 'GET';
  const url = await setup.service.getPresignedUrl(job.bucket, job.key, { method, expiresIn: 3600 });
  const transfer = direction === 'upload' ? curlPut : curlGet;
  const timing = await transfer(setup.curl, url, job.path, job.size);
  return {
    column: `${direction === 'upload' ? 'up' : 'down'}:curl`,
    name: `${direction}: curl, 1 stream (${method} on a presigned URL; not profiled)`,
    wallSecondsPerGiB: timing.ms / 1000 / (job.size / GIB),
    mibPerSecond: job.size / MIB / (timing.ms / 1000),
    processCpuSecondsPerGiB: timing.cpuSecondsPerGiB,
  };
}

/**
 * `npm run bench:profile`: where a large transfer's CPU goes (issue 14). Writes a random file
 * (`BENCH_PROFILE_MIB`, default 256), then uploads and downloads it with `uploadFile` and
 * `downloadFile` (defaults, and `verifyChecksums: false`) and the raw SDK, each in a fresh
 * process under `--cpu-prof` after a warm-up there, and with one curl stream for scale. Prints
 * the main thread's self time per GiB by category and the hottest functions, and writes them to
 * `bench/results/profile.json`; the `.cpuprofile` files stay in `dist/profiles/<date>/`.
 * Uses `BUCKET_HOST` when set, else starts the local server.
 */
async function main(): Promise<void> {
  cleanupOnSignals();
  const size = Number(process.env.BENCH_PROFILE_MIB ?? '256') * MIB;
  const date = new Date().toISOString();
  const profiles = join(ROOT, 'dist', 'profiles', date.replace(/[:.]/g, '-'));
  await mkdir(profiles, { recursive: true });
  const curl = await prepareCurl();
  const server = await provideServer();
  const folder = await createWorkFolder();
  const { service, close } = await createBenchService(server);
  onCleanup('close the Nest context', close);
  const bucket = `profile-${Date.now().toString(36)}`;
  await service.createBucket(bucket);
  onCleanup(`delete bucket ${bucket}`, async () => {
    if (!server.startedHere) await service.deleteBucket(bucket, { force: true });
  });
  const setup: Setup = { service, curl, profiles };
  const source = join(folder, 'source');
  await writeRandomFile(source, size);

  const variants: ProfiledVariant[] = [];
  for (const direction of ['upload', 'download'] as const) {
    const short = direction === 'upload' ? 'up' : 'down';
    // Uploaded by the library, as the full bench does: downloadFile then checks it part by part.
    if (direction === 'download') await service.uploadFile(bucket, source, 'source');
    const job = (key: string): TransferJob =>
      direction === 'upload'
        ? { bucket, key, path: source, size }
        : { bucket, key: 'source', path: join(folder, 'target'), size };
    for (const [column, variant] of NODE_VARIANTS) {
      console.error(`profiling ${direction}: ${variant}...`);
      const request = { server, variant, direction, job: job(`up-${column}`), folder };
      variants.push(await profileNode(setup, `${short}:${column}`, request));
      await checkAndClear(setup, direction, request.job);
    }
    console.error(`timing ${direction}: curl...`);
    variants.push(await profileCurl(setup, direction, job('up-curl')));
    await checkAndClear(setup, direction, job('up-curl'));
  }

  console.log(renderProfileReport(variants, TOP));
  const results = {
    date,
    sizeBytes: size,
    node: process.version,
    machine: machineInfo(loadavg()[0] ?? 0),
    server: server.description,
    profiles,
    variants,
  };
  // Four significant digits keep the file readable.
  const round = (_key: string, value: unknown) =>
    typeof value === 'number' && !Number.isInteger(value) ? Number(value.toPrecision(4)) : value;
  await writeFile(RESULTS, `${JSON.stringify(results, round, 2)}\n`);
  console.error(`figures written to ${RESULTS}; profiles in ${profiles}`);
}

main()
  .catch((error: unknown) => {
    console.error('bench:profile failed:', error);
    process.exitCode = 1;
  })
  .finally(() => runCleanup());
