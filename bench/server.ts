import { spawn } from 'node:child_process';
import { onCleanup } from './cleanup';
import { LOCAL_S3_SCRIPT } from './paths';
import { GIB } from './units';

/** How to reach the S3 server under test. */
export interface ServerConnection {
  host: string;
  port: number;
  user: string;
  password: string;
  region: string;
  useSsl: boolean;
  /** `http://host:port`. */
  endpoint: string;
  /** What it is, for the report: `Ceph RGW 16.2.15 (local-s3.sh, memstore)` or the endpoint. */
  description: string;
  /** Whether this run started it (and will stop it). */
  startedHere: boolean;
}

/** The memstore size the bench asks for, unless `LOCAL_S3_MEMSTORE_BYTES` is set. */
const MEMSTORE_BYTES = 8 * GIB;

function connectionFrom(env: Record<string, string | undefined>, description: string) {
  const host = env.BUCKET_HOST ?? '';
  const useSsl = (env.BUCKET_USE_SSL ?? 'false').toLowerCase() === 'true';
  const port = Number(env.BUCKET_PORT ?? (useSsl ? 443 : 80));
  return {
    host,
    port,
    user: env.BUCKET_USER ?? '',
    password: env.BUCKET_PASSWORD ?? '',
    region: env.BUCKET_REGION ?? 'us-east-1',
    useSsl,
    endpoint: `${useSsl ? 'https' : 'http'}://${host}:${port}`,
    description,
  };
}

/** Runs `local-s3.sh` with arguments; resolves with its stdout, rejects on a non-zero exit. */
function runScript(
  args: string[],
  env: NodeJS.ProcessEnv,
  onStderrLine: (line: string) => void = () => undefined,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [LOCAL_S3_SCRIPT, ...args], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      stderr += text;
      for (const line of text.split('\n')) if (line) onStderrLine(line);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(stdout);
      else reject(new Error(`local-s3.sh ${args.join(' ')} exited with ${code}:\n${stderr}`));
    });
  });
}

/** Parses the `export NAME=value` lines that `local-s3.sh start` prints. */
function parseExports(stdout: string): Partial<Record<string, string>> {
  const env: Partial<Record<string, string>> = {};
  for (const [, name, value] of stdout.matchAll(/^export ([A-Z0-9_]+)=(.*)$/gm)) {
    env[name] = value.replace(/^'(.*)'$/, '$1');
  }
  return env;
}

/** The Ceph version installed, for the report. */
async function cephVersion(): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn('radosgw', ['--version'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', () => {
      resolve('unknown');
    });
    child.on('close', () => {
      resolve(/ceph version (\S+)/.exec(out)?.[1] ?? 'unknown');
    });
  });
}

/**
 * The server to measure: the one named by `BUCKET_HOST` (and `BUCKET_PORT`, `BUCKET_USER`,
 * `BUCKET_PASSWORD`, ...) when set; otherwise a new local Ceph RGW started with
 * `scripts/local-s3.sh start` in a new folder, stopped by the cleanup (also on error and SIGINT).
 */
export async function provideServer(): Promise<ServerConnection> {
  if (process.env.BUCKET_HOST) {
    const connection = connectionFrom(process.env, '');
    return { ...connection, description: connection.endpoint, startedHere: false };
  }
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.LOCAL_S3_DIR;
  env.LOCAL_S3_MEMSTORE_BYTES ??= String(MEMSTORE_BYTES);
  let folder: string | undefined;
  // Known from the first progress line, so that an interrupted start is stopped too.
  const stop = onCleanup('stop the local S3 server', async () => {
    if (folder) await runScript(['stop', folder], env);
  });
  try {
    const stdout = await runScript(['start'], env, (line) => {
      folder ??= /state folder: (\S+)/.exec(line)?.[1];
    });
    const exported = parseExports(stdout);
    folder = exported.LOCAL_S3_DIR ?? folder;
    const version = await cephVersion();
    return {
      ...connectionFrom(
        exported,
        `Ceph RGW ${version} (scripts/local-s3.sh, memstore, loopback, beast tcp_nodelay)`,
      ),
      startedHere: true,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
