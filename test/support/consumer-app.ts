import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { closedPort } from './ports';
import { serverOptions } from './s3';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');
const FIXTURES = join(ROOT, 'test', 'fixtures', 'consumer-app');

/** One kind of user app from `test/fixtures/consumer-app/`. */
export interface ConsumerKind {
  /** Its folder there, e.g. `nest12-esm`. */
  folder: string;
  /** The major of `@nestjs/core` it must end up with. */
  nestMajor: number;
  /** Whether its package.json says `"type": "module"`. */
  esm: boolean;
  /** Whether it has its own test (`npm test`) of `nest-bucket/testing`. */
  hasTest: boolean;
}

/** Builds the library and packs it as `npm pack` does for the registry; gives the tarball's path. */
export async function packLibrary(destination: string): Promise<string> {
  await run('npm', ['run', '-s', 'build:lib'], { cwd: ROOT });
  const { stdout } = await run(
    'npm',
    ['pack', './dist/libs/bucket', '--pack-destination', destination, '--silent'],
    { cwd: ROOT },
  );
  return join(destination, stdout.trim().split('\n').at(-1) ?? '');
}

/**
 * The environment of a user's shell: this test runner's own variables (Vitest's, Node options)
 * would change how the app's own runner behaves.
 */
export function userEnvironment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!/^(VITEST|JEST|NODE_OPTIONS$|NODE_ENV$|TEST$)/.test(name)) env[name] = value;
  }
  return { ...env, ...extra };
}

/** Runs a command in the app's folder as a user would, its output kept for the error message. */
export async function runIn(
  dir: string,
  command: string,
  args: string[],
  timeout = 300_000,
): Promise<string> {
  try {
    const { stdout, stderr } = await run(command, args, {
      cwd: dir,
      env: userEnvironment(),
      timeout,
      maxBuffer: 16 * 1024 * 1024,
    });
    return stripAnsi(stdout + stderr);
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(' ')} failed in ${dir}:\n${stdout}\n${stderr}`);
  }
}

/**
 * Lays out the app in `dir` (its `src/`, its test if it has one, its own package.json with the
 * tarball as the `nest-bucket` dependency) and installs it with a plain `npm install` from the
 * registry: no `--offline`, no `--legacy-peer-deps`, no `--force`.
 */
export async function installConsumerApp(
  kind: ConsumerKind,
  dir: string,
  tarball: string,
): Promise<void> {
  await cp(join(FIXTURES, kind.folder), dir, { recursive: true });
  await cp(join(FIXTURES, 'src'), join(dir, 'src'), { recursive: true });
  if (kind.hasTest) await cp(join(FIXTURES, 'test'), join(dir, 'test'), { recursive: true });
  const manifest = join(dir, 'package.json');
  await writeFile(
    manifest,
    (await readFile(manifest, 'utf8')).replace('file:TARBALL', `file:${tarball}`),
  );
  await runIn(dir, 'npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], 600_000);
}

/** The text without the colours that test runners print. */
function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*m/g, '');
}

/** The version of a package as installed in the app. */
export async function installedVersion(dir: string, name: string): Promise<string> {
  const manifest = JSON.parse(
    await readFile(join(dir, 'node_modules', name, 'package.json'), 'utf8'),
  ) as { version: string };
  return manifest.version;
}

/** The BUCKET_* settings of the test server, as a user's app reads them from its environment. */
function bucketEnvironment(): Record<string, string> {
  const options = serverOptions();
  return {
    BUCKET_HOST: options.host,
    BUCKET_PORT: String(options.port ?? ''),
    BUCKET_USER: options.user,
    BUCKET_PASSWORD: options.password,
    BUCKET_USE_SSL: String(options.useSsl ?? false),
  };
}

/** A booted app: its base URL, and a stop that waits for the process to end. */
export interface RunningApp {
  base: string;
  output: () => string;
  stop: () => Promise<void>;
}

/** Starts the built app (`node dist/src/main.js`) against the test server; resolves once it listens. */
export async function startConsumerApp(dir: string): Promise<RunningApp> {
  const port = await closedPort();
  const child: ChildProcess = spawn(process.execPath, ['dist/src/main.js'], {
    cwd: dir,
    env: userEnvironment({ ...bucketEnvironment(), PORT: String(port) }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      resolve();
    });
  });
  const app: RunningApp = {
    base: `http://127.0.0.1:${port}`,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
  for (let i = 0; i < 150; i++) {
    if (child.exitCode !== null) break;
    if (await fetch(`${app.base}/health`).catch(() => undefined)) return app;
    await sleep(100);
  }
  await app.stop();
  throw new Error(`The app in ${dir} did not start listening:\n${output}`);
}
