import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cp, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { serverOptions } from './support/s3';

const run = promisify(execFile);
const ROOT = join(__dirname, '..');

/** The versions this repository is tested with, from its lock file, for the packaged app. */
async function lockedVersions(names: string[]): Promise<Record<string, string>> {
  const lock = JSON.parse(await readFile(join(ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { version?: string }>;
  };
  return Object.fromEntries(
    names.map((name) => [name, lock.packages[`node_modules/${name}`]?.version ?? '*']),
  );
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

// Installs the library as users do, from the tarball `npm pack` makes, into a fresh Nest app
// outside the monorepo, offline from the npm cache that `npm ci` filled.
describe('the published package', () => {
  let workdir: string;
  let app: ChildProcess | undefined;

  beforeAll(async () => {
    workdir = await mkdtemp(join(tmpdir(), 'nest-bucket-pack-'));
  }, 30_000);

  afterAll(async () => {
    app?.kill('SIGTERM');
    await rm(workdir, { recursive: true, force: true });
  });

  it('packs, installs offline into a new Nest app, type-checks, boots, is healthy and round-trips a file', async () => {
    await run('npm', ['run', '-s', 'build:lib'], { cwd: ROOT });
    await run('npm', ['pack', './dist/libs/bucket', '--pack-destination', workdir, '--silent'], {
      cwd: ROOT,
    });
    const tarball = (await readdir(workdir)).find((name) => name.endsWith('.tgz'));
    expect(tarball).toMatch(/^nest-bucket-\d+\.\d+\.\d+\.tgz$/);

    const appDir = join(workdir, 'app');
    await cp(join(__dirname, 'fixtures', 'packaged-app'), appDir, { recursive: true });
    const versions = await lockedVersions([
      '@nestjs/common',
      '@nestjs/core',
      '@nestjs/platform-express',
      '@nestjs/config',
      '@nestjs/terminus',
      '@aws-sdk/client-s3',
      'reflect-metadata',
      'rxjs',
      '@types/node',
    ]);
    const { '@types/node': typesNode, ...dependencies } = versions;
    await writeFile(
      join(appDir, 'package.json'),
      JSON.stringify({
        name: 'packaged-app',
        private: true,
        dependencies: { ...dependencies, 'nest-bucket': `file:../${tarball ?? ''}` },
        devDependencies: { '@types/node': typesNode },
      }),
    );
    await run(
      'npm',
      ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'],
      {
        cwd: appDir,
        timeout: 240_000,
      },
    );
    // The app is type-checked against the package's own .d.ts files.
    await run(join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json'], { cwd: appDir });

    const port = await freePort();
    app = spawn(process.execPath, ['dist/main.js'], {
      cwd: appDir,
      env: { ...process.env, ...envOf(), PORT: String(port) },
      stdio: 'ignore',
    });
    const base = `http://127.0.0.1:${port}`;
    let health: Response | undefined;
    for (let i = 0; i < 100 && !health; i++) {
      health = await fetch(`${base}/health`).catch(() => undefined);
      if (!health) await sleep(100);
    }
    expect(health?.status).toBe(200);
    expect(await health?.json()).toMatchObject({
      status: 'ok',
      info: { storage: { status: 'up' } },
    });
    const roundtrip = (await (await fetch(`${base}/roundtrip`)).json()) as {
      sent: string;
      received: string;
    };
    expect(roundtrip.received).toBe(roundtrip.sent);
  }, 300_000);
});

/** The BUCKET_* settings of the test server, as environment variables for the app. */
function envOf(): Record<string, string> {
  const options = serverOptions();
  return {
    BUCKET_HOST: options.host,
    BUCKET_PORT: String(options.port ?? ''),
    BUCKET_USER: options.user,
    BUCKET_PASSWORD: options.password,
    BUCKET_USE_SSL: String(options.useSsl ?? false),
  };
}
