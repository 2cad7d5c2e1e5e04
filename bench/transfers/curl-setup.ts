import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { aptInstall, canInstallWithApt } from '../apt';
import { summarize } from '../stats';
import { runSampled } from './sampled-child';

const run = promisify(execFile);

/** Debian's curl, ready to run. */
export interface CurlSetup {
  /** The program to run. */
  command: string;
  /** Its version, as `curl --version` prints it: `7.88.1`. */
  version: string;
  /**
   * The median wall time of starting curl and fetching nothing (`file:///dev/null`), in ms:
   * subtracted from each timed curl run, so that curl is timed, like the other variants, without
   * its process start-up.
   */
  startupMs: number;
}

/** The oldest curl with `--parallel-immediate`, which the parallel reference uses. */
const OLDEST = [7, 68];

async function version(): Promise<string | undefined> {
  try {
    const { stdout } = await run('curl', ['--version'], { timeout: 30_000 });
    return /^curl (\d+\.\d+\.\d+)/.exec(stdout)?.[1];
  } catch {
    return undefined;
  }
}

function recentEnough(text: string): boolean {
  const [major = 0, minor = 0] = text.split('.').map(Number);
  return major > (OLDEST[0] ?? 0) || (major === OLDEST[0] && minor >= (OLDEST[1] ?? 0));
}

/**
 * Makes Debian's `curl` available for the curl references: uses it when installed, installs it
 * with apt-get when missing and this process runs as root, and otherwise throws with what to do.
 * The curl references are never skipped.
 */
export async function prepareCurl(): Promise<CurlSetup> {
  let found = await version();
  if (!found && (await canInstallWithApt())) {
    await aptInstall('curl');
    found = await version();
  }
  if (!found) {
    throw new Error(
      'bench: curl is missing and could not be installed (that needs root and apt-get): run `apt-get install curl` as root, then run the bench again',
    );
  }
  if (!recentEnough(found)) {
    throw new Error(
      `bench: curl ${found} is too old for the parallel reference (needs ${OLDEST.join('.')} or newer, for --parallel-immediate)`,
    );
  }
  const startups: number[] = [];
  for (let i = 0; i < 5; i++) {
    const started = await runSampled(
      'curl',
      ['-sS', '-o', '/dev/null', '-K', '-'],
      'url = "file:///dev/null"\n',
      30_000,
    );
    startups.push(started.ms);
  }
  return { command: 'curl', version: found, startupMs: summarize(startups).median };
}
