/**
 * Runs `count` operations with at most `concurrency` in flight, and times each.
 *
 * @param count - how many operations
 * @param concurrency - how many at once (1 = sequential)
 * @param operation - the operation number `i`, from 0 to `count - 1`
 * @returns the wall time of the whole batch and each operation's duration, in milliseconds
 */
export async function runPool(
  count: number,
  concurrency: number,
  operation: (i: number) => Promise<unknown>,
): Promise<{ wallMs: number; durations: number[] }> {
  const durations = new Array<number>(count);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      const started = performance.now();
      await operation(i);
      durations[i] = performance.now() - started;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return { wallMs: performance.now() - started, durations };
}
