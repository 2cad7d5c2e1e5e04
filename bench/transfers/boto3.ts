import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { aptInstall, canInstallWithApt, exists } from '../apt';
import { BOTO3_SCRIPT } from '../paths';
import type { ServerConnection } from '../server';

const run = promisify(execFile);

/** Debian's interpreter, which `apt-get install python3-boto3` provides boto3 to. */
const DEBIAN_PYTHON = '/usr/bin/python3';

/** Versions of the Python packages under test. */
export interface Boto3Versions {
  boto3: string;
  botocore: string;
  s3transfer: string;
  python: string;
}

/** boto3, ready to run, or why it is not. */
export type Boto3Setup =
  | { available: true; python: string; versions: Boto3Versions; note: string }
  | { available: false; note: string };

/** One timed boto3 transfer. */
export interface Boto3Timing {
  ms: number;
  /** The Python process's RSS growth during the transfer (getrusage peak minus before). */
  rssGrowthMiB: number;
  /** CPU time of the Python process (every thread) during the transfer, in seconds. */
  cpuSeconds: number;
  /** The share of all the machine's CPUs busy during the transfer. */
  machineBusy: number;
}

async function check(python: string): Promise<Boto3Versions | undefined> {
  try {
    const { stdout } = await run(python, [BOTO3_SCRIPT, 'check'], { timeout: 60_000 });
    return JSON.parse(stdout) as Boto3Versions;
  } catch {
    return undefined;
  }
}

/**
 * Makes Debian's python3-boto3 available: uses it when installed, installs it with apt-get when
 * missing and this process runs as root, and otherwise falls back to a `python3` on the PATH that
 * imports boto3. When none works, the boto3 comparison is skipped with a note.
 */
export async function prepareBoto3(): Promise<Boto3Setup> {
  if (await exists(DEBIAN_PYTHON)) {
    let versions = await check(DEBIAN_PYTHON);
    if (!versions && (await canInstallWithApt())) {
      await aptInstall('python3-boto3');
      versions = await check(DEBIAN_PYTHON);
    }
    if (versions) {
      return { available: true, python: DEBIAN_PYTHON, versions, note: "Debian's python3-boto3" };
    }
  }
  const versions = await check('python3');
  if (versions) {
    return { available: true, python: 'python3', versions, note: 'boto3 of the python3 on PATH' };
  }
  return {
    available: false,
    note: "boto3 skipped: Debian's python3-boto3 is not installed and could not be installed (needs root and apt-get)",
  };
}

/**
 * Runs the Python helper with `args` against `server` (credentials in its environment, the
 * library's checksum settings, no AWS config files) and parses the JSON line it prints.
 *
 * @param python - the interpreter
 * @param server - where to connect
 * @param args - the helper's operation and its arguments, after the endpoint is prepended
 */
export async function runBoto3Helper<T>(
  python: string,
  server: ServerConnection,
  args: [operation: string, ...rest: string[]],
): Promise<T> {
  const [operation, ...rest] = args;
  const { stdout } = await run(python, [BOTO3_SCRIPT, operation, server.endpoint, ...rest], {
    timeout: 900_000,
    maxBuffer: 16 * 1024 * 1024,
    env: {
      ...process.env,
      AWS_ACCESS_KEY_ID: server.user,
      AWS_SECRET_ACCESS_KEY: server.password,
      AWS_DEFAULT_REGION: server.region,
      // The library's setting too; newer botocore (1.36+) otherwise sends aws-chunked bodies.
      AWS_REQUEST_CHECKSUM_CALCULATION: 'when_required',
      AWS_RESPONSE_CHECKSUM_VALIDATION: 'when_required',
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    },
  });
  return JSON.parse(stdout) as T;
}

/**
 * Times one `upload_file` or `download_file` in a Python child process (the clock runs inside
 * Python, after start-up and one warm-up request).
 *
 * @param python - the interpreter
 * @param server - where to connect
 * @param operation - which transfer
 * @param bucket - the bucket
 * @param key - the object's key
 * @param path - the local file to read or write
 */
export async function boto3Transfer(
  python: string,
  server: ServerConnection,
  operation: 'upload' | 'download',
  bucket: string,
  key: string,
  path: string,
): Promise<Boto3Timing> {
  const result = await runBoto3Helper<{
    seconds: number;
    rss_before_mib: number;
    rss_peak_mib: number;
    cpu_seconds: number;
    machine_busy: number | null;
  }>(python, server, [operation, bucket, key, path]);
  return {
    ms: result.seconds * 1000,
    rssGrowthMiB: result.rss_peak_mib - result.rss_before_mib,
    cpuSeconds: result.cpu_seconds,
    machineBusy: result.machine_busy ?? Number.NaN,
  };
}
