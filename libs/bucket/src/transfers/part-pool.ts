/**
 * Runs `task(0)` to `task(count - 1)` with at most `concurrency` at once, in index order.
 *
 * On the first failure no new task starts and `stop` is aborted with the error, so that the
 * tasks in flight (whose requests listen to it) end early; the pool still waits for every one of
 * them to settle before it rejects with that first error. A caller that cleans up after a
 * failure (aborts a multipart upload, removes a file) thus never races a request still running.
 *
 * @internal
 */
export async function runPartPool(
  count: number,
  concurrency: number,
  stop: AbortController,
  task: (index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (next < count && !failure && !stop.signal.aborted) {
      const index = next++;
      try {
        await task(index);
      } catch (error) {
        failure ??= { error };
        stop.abort(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, count)) }, worker));
  if (failure) throw failure.error;
  if (stop.signal.aborted) throw stop.signal.reason;
}
