import { existsSync } from 'node:fs';
import { chromium, type Browser, type Locator } from 'playwright-core';

/** Debian's Chromium (`apt-get install chromium`), or `CHROMIUM_PATH`. Never a test tool's own download. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Chromium's flags for this machine: headless, as root (no sandbox), no GPU, and none of the
 * background connections (updates, sync, Google's hosts) that this closed network refuses.
 * Playwright gives each launch a fresh, empty profile (`--user-data-dir` in a new temporary
 * folder, removed on close), and refuses that flag from the caller.
 */
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/** Launches Debian's Chromium headless, with {@link CHROMIUM_ARGS}. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `${CHROMIUM_PATH} is missing: the browser tests need Debian's chromium package (apt-get install -y chromium).`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [...CHROMIUM_ARGS],
    timeout: 30_000,
  });
}

/** Waits until `read()` gives a value that `matches`, polling; gives the last value read. */
async function poll<T>(
  read: (timeout: number) => Promise<T>,
  matches: (value: T) => boolean,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read(Math.max(1, deadline - Date.now()));
    if (matches(value) || Date.now() >= deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Waits for the element's trimmed text to equal (or match) `expected`, then asserts it. */
export async function expectText(
  locator: Locator,
  expected: string | RegExp,
  timeoutMs = 10_000,
): Promise<void> {
  const text = await poll(
    async (timeout) => ((await locator.textContent({ timeout })) ?? '').trim(),
    (value) => (typeof expected === 'string' ? value === expected : expected.test(value)),
    timeoutMs,
  );
  if (typeof expected === 'string') expect(text).toBe(expected);
  else expect(text).toMatch(expected);
}

/** Waits for the element's attribute to have this value, then asserts it. */
export async function expectAttribute(
  locator: Locator,
  name: string,
  expected: string,
  timeoutMs = 10_000,
): Promise<void> {
  const value = await poll(
    (timeout) => locator.getAttribute(name, { timeout }),
    (current) => current === expected,
    timeoutMs,
  );
  expect(value).toBe(expected);
}

/** Waits for the element to be visible. */
export async function expectVisible(locator: Locator): Promise<void> {
  await locator.waitFor({ state: 'visible' });
}

/** Waits for the element to be hidden or gone. */
export async function expectHidden(locator: Locator): Promise<void> {
  await locator.waitFor({ state: 'hidden' });
}
