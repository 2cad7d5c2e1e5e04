/**
 * The error that stands for an abort, in the shape the SDK uses: name `AbortError`, with the
 * signal's reason as cause (a `TimeoutError` for `AbortSignal.timeout()`), so that the error
 * mapping tells `Aborted` from `Timeout`.
 * @internal
 */
export function abortErrorOf(signal: AbortSignal): Error {
  return Object.assign(new Error('The operation was aborted'), {
    name: 'AbortError',
    cause: signal.reason as unknown,
  });
}

/** Throws the abort error if the signal has fired. @internal */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortErrorOf(signal);
}
