import { DeleteObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { rotation } from '../alternate';
import { writeRandomFile } from '../files';
import type { ServerConnection } from '../server';
import { summarize, type Summary } from '../stats';
import { runBoto3Helper } from '../transfers/boto3';
import type { RoundTripMemory, RoundTripRequest } from '../transfers/round-trip-child';
import { formatBytes, MIB } from '../units';

const run = promisify(execFile);

/** The round trip's size and how many times each side makes it. */
export interface RoundTripConfig {
  bytes: number;
  repetitions: number;
}

/** Peak RSS of one side over its repetitions, in MiB. */
export interface RoundTripSide {
  peakMiB: Summary;
  beforeMiB: Summary;
}

/** Peak RSS of each side over its repetitions, in MiB. */
export interface RoundTripResult {
  bytes: number;
  /** nest-bucket's process: peak RSS over its whole life, and RSS once its service was up. */
  library: RoundTripSide;
  /** The raw SDK's process (no Nest), the same figures (before: after its HeadBucket). */
  sdk?: RoundTripSide;
  /** boto3's Python process, the same figures (ru_maxrss; before: after its HeadBucket). */
  boto3?: RoundTripSide;
  /** The RSS of a Node process that loads nothing, in MiB: the runtime's own share. */
  bareNodeMiB?: Summary;
}

/** The RSS of a fresh Node process that loads nothing, in MiB. */
async function bareNodeRss(): Promise<number> {
  const { stdout } = await run(process.execPath, [
    '-e',
    'setTimeout(() => console.log(process.memoryUsage.rss()), 100)',
  ]);
  return Number(stdout.trim()) / MIB;
}

async function nodeRoundTrip(request: RoundTripRequest): Promise<RoundTripMemory> {
  const { stdout } = await run(
    process.execPath,
    [join(__dirname, '..', 'transfers', 'round-trip-child.js')],
    {
      env: { ...process.env, BENCH_ROUND_TRIP: JSON.stringify(request) },
      timeout: 900_000,
    },
  );
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as RoundTripMemory;
}

async function boto3RoundTrip(
  python: string,
  request: Omit<RoundTripRequest, 'client'>,
): Promise<RoundTripMemory> {
  const answer = await runBoto3Helper<{
    seconds: number;
    rss_before_mib: number;
    rss_peak_mib: number;
  }>(python, request.server, [
    'roundtrip',
    request.bucket,
    request.key,
    request.source,
    request.target,
  ]);
  return {
    beforeMiB: answer.rss_before_mib,
    peakMiB: answer.rss_peak_mib,
    ms: answer.seconds * 1000,
  };
}

/**
 * Memory of a round trip (upload a file, then download it) in a fresh process each: the library
 * (`uploadFile` then `downloadFile`) against the raw SDK (lib-storage `Upload`, one `GetObject`)
 * and boto3 (`upload_file` then `download_file`), each with its defaults, in rotated order; and
 * the RSS of a bare Node process, the runtime's share. Each figure is the process's whole peak RSS,
 * runtime included, which is what a machine has to provide.
 *
 * @param server - where to connect
 * @param client - deletes the objects
 * @param bucket - an existing bucket
 * @param folder - the work folder
 * @param config - size and repetitions
 * @param python - the interpreter with boto3, when available
 * @param log - progress output
 */
export async function runRoundTrip(
  server: ServerConnection,
  client: S3Client,
  bucket: string,
  folder: string,
  config: RoundTripConfig,
  python: string | undefined,
  log: (line: string) => void,
): Promise<RoundTripResult> {
  const source = join(folder, 'round-trip-source');
  const target = join(folder, 'round-trip-target');
  await writeRandomFile(source, config.bytes);
  const library: RoundTripMemory[] = [];
  const sdk: RoundTripMemory[] = [];
  const boto3: RoundTripMemory[] = [];
  const bare: number[] = [];
  try {
    for (let rep = 0; rep < config.repetitions; rep++) {
      bare.push(await bareNodeRss());
      const sides = [
        {
          name: 'nest-bucket',
          list: library,
          go: (r: Omit<RoundTripRequest, 'client'>) =>
            nodeRoundTrip({ ...r, client: 'nest-bucket' }),
        },
        {
          name: 'raw SDK',
          list: sdk,
          go: (r: Omit<RoundTripRequest, 'client'>) => nodeRoundTrip({ ...r, client: 'raw SDK' }),
        },
        ...(python
          ? [
              {
                name: 'boto3',
                list: boto3,
                go: (r: Omit<RoundTripRequest, 'client'>) => boto3RoundTrip(python, r),
              },
            ]
          : []),
      ];
      for (const side of rotation(sides, rep)) {
        const key = `round-trip/${rep}/${side.name.replace(/\W/g, '')}`;
        try {
          side.list.push(await side.go({ server, bucket, key, source, target }));
        } finally {
          await rm(target, { force: true });
          await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
        }
      }
      log(
        `round trip ${formatBytes(config.bytes)} ${rep + 1}/${config.repetitions}: peak RSS nest-bucket ${library.at(-1)?.peakMiB.toFixed(0) ?? '?'} MiB, raw SDK ${sdk.at(-1)?.peakMiB.toFixed(0) ?? '?'} MiB, boto3 ${boto3.at(-1)?.peakMiB.toFixed(0) ?? '-'} MiB`,
      );
    }
  } finally {
    await rm(source, { force: true });
  }
  const figures = (list: RoundTripMemory[]) => ({
    peakMiB: summarize(list.map((m) => m.peakMiB)),
    beforeMiB: summarize(list.map((m) => m.beforeMiB)),
  });
  return {
    bytes: config.bytes,
    library: figures(library),
    sdk: figures(sdk),
    ...(boto3.length > 0 ? { boto3: figures(boto3) } : {}),
    bareNodeMiB: summarize(bare),
  };
}
