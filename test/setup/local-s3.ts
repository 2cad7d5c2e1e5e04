import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const SCRIPT = join(__dirname, '..', '..', 'scripts', 'local-s3.sh');

/** The settings printed by `scripts/local-s3.sh start`. */
export type LocalS3Settings = Record<string, string>;

/** Parses the `export KEY=VALUE` lines that the script prints. */
export function parseExports(stdout: string): LocalS3Settings {
  const settings: LocalS3Settings = {};
  for (const line of stdout.split('\n')) {
    const match = /^export ([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (match) settings[match[1]] = match[2].replace(/^'(.*)'$/, '$1');
  }
  return settings;
}

/** Runs one command of the project's local S3 script; its progress goes to this process's stderr. */
export async function localS3(command: string, ...args: string[]): Promise<string> {
  // A started server exports LOCAL_S3_DIR; a new one must not reuse that folder.
  const env = { ...process.env };
  if (command === 'start' && args.length === 0) delete env.LOCAL_S3_DIR;
  const { stdout } = await run('bash', [SCRIPT, command, ...args], {
    env,
    maxBuffer: 1024 * 1024,
    timeout: 300_000,
  });
  return stdout;
}
