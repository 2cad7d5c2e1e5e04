import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const SCRIPT = join(__dirname, '..', '..', 'scripts', 'install-chromium.sh');

/**
 * Makes sure Debian's Chromium is installed for the browser test: `scripts/install-chromium.sh`
 * installs it with apt-get as root, else says what to install. A missing browser fails the run
 * here, loudly; the browser test is never skipped.
 */
export async function ensureChromium(): Promise<void> {
  try {
    await run('bash', [SCRIPT], { timeout: 600_000, maxBuffer: 1024 * 1024 });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(
      `Chromium is needed for the browser test and could not be installed.\n${stderr}`,
    );
  }
}
