import { setTimeout as delay } from 'node:timers/promises';

/** Undo actions, run last-registered first, at the end of the run, on error and on SIGINT. */
const actions: { name: string; run: () => Promise<void> | void }[] = [];
let running: Promise<void> | undefined;

/**
 * Registers an undo action (stop the server, remove a folder).
 *
 * @param name - shown if the action fails
 * @param run - the action
 * @returns a function that runs the action now and unregisters it
 */
export function onCleanup(name: string, run: () => Promise<void> | void): () => Promise<void> {
  const entry = { name, run };
  actions.push(entry);
  return async () => {
    const index = actions.indexOf(entry);
    if (index < 0) return;
    actions.splice(index, 1);
    await entry.run();
  };
}

/** How long one action may take before the next one runs anyway. */
const ACTION_TIMEOUT_MS = 60_000;

/**
 * Runs every registered action once, in reverse order. A failure is logged, not thrown, and an
 * action that hangs (say, closing a context whose transfer is stuck) is left behind after 60 s,
 * so that the server is always stopped and the big files always removed.
 */
export function runCleanup(): Promise<void> {
  running ??= (async () => {
    while (actions.length > 0) {
      const entry = actions.pop();
      if (!entry) break;
      const timer = new AbortController();
      try {
        const timedOut = await Promise.race([
          Promise.resolve(entry.run()).then(() => false),
          delay(ACTION_TIMEOUT_MS, true, { signal: timer.signal }),
        ]);
        if (timedOut) console.error(`cleanup "${entry.name}" still running after 60 s: skipped`);
      } catch (error) {
        console.error(`cleanup "${entry.name}" failed:`, error);
      } finally {
        timer.abort();
      }
    }
  })();
  return running;
}

/**
 * On SIGINT, SIGTERM or SIGHUP: runs the cleanup, then exits with 128 + the signal's number.
 * A second signal exits at once.
 */
export function cleanupOnSignals(): void {
  const codes = { SIGINT: 2, SIGTERM: 15, SIGHUP: 1 } as const;
  for (const [signal, code] of Object.entries(codes)) {
    process.once(signal, () => {
      console.error(`\n${signal}: cleaning up (press Ctrl-C again to exit at once)`);
      process.once(signal, () => process.exit(128 + code));
      void runCleanup().finally(() => process.exit(128 + code));
    });
  }
}
