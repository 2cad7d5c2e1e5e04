import { spawn } from 'node:child_process';
import { access } from 'node:fs/promises';

/**
 * Whether a file exists.
 *
 * @param path - the file
 */
export async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** Runs a command with its output on our stderr; resolves with its exit code. */
function runLogged(command: string, args: string[]): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    child.on('error', () => {
      resolve(1);
    });
    child.on('close', (code) => {
      resolve(code ?? 1);
    });
  });
}

/** Whether this process may install Debian packages: it runs as root and apt-get exists. */
export async function canInstallWithApt(): Promise<boolean> {
  return process.getuid?.() === 0 && (await exists('/usr/bin/apt-get'));
}

/**
 * Installs a Debian package with apt-get (after an `apt-get update` when the first try fails),
 * with apt's progress on stderr. The caller checks `canInstallWithApt` first.
 *
 * @param name - the package
 * @returns whether apt-get succeeded
 */
export async function aptInstall(name: string): Promise<boolean> {
  console.error(`bench: installing ${name} with apt-get (once)...`);
  let code = await runLogged('apt-get', ['install', '-y', '-q', name]);
  if (code !== 0) {
    await runLogged('apt-get', ['update', '-q']);
    code = await runLogged('apt-get', ['install', '-y', '-q', name]);
  }
  return code === 0;
}
