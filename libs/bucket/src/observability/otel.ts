/**
 * The optional `@opentelemetry/api` peer, loaded once, on first use, with a plain `require`: the
 * library is compiled to CommonJS, and an ESM application that imports it still gets this
 * `require`. The API keeps its registered providers on `globalThis` (one key per major version),
 * so the copy loaded here sees the providers that an ESM application registered through its own
 * `import`.
 *
 * When the package is not installed, `openTelemetry()` returns `undefined` and nothing else is
 * done: no span, no metric, no middleware.
 */

/** The module `@opentelemetry/api`, as a type only: nothing is imported at run time. @internal */
export type OpenTelemetryApi = typeof import('@opentelemetry/api');

/** A `require`, or something that behaves as one (for tests). @internal */
export type ModuleLoader = (id: string) => unknown;

/** The outcome of the one attempt: `undefined` before it, `null` when the package is absent. */
let loaded: OpenTelemetryApi | null | undefined;

/** Whether the module looks like the API (a stub or a broken install does not). */
function isApi(candidate: unknown): candidate is OpenTelemetryApi {
  const api = candidate as Partial<OpenTelemetryApi> | undefined;
  return (
    typeof api?.trace?.getTracer === 'function' &&
    typeof api.metrics?.getMeter === 'function' &&
    typeof api.context?.with === 'function'
  );
}

/**
 * Loads `@opentelemetry/api` with `load`, once; a missing or unusable package gives `undefined`.
 *
 * @param load - the loader; `require` by default
 * @internal
 */
export function loadOpenTelemetry(load: ModuleLoader = require): OpenTelemetryApi | undefined {
  try {
    const api = load('@opentelemetry/api');
    return isApi(api) ? api : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The `@opentelemetry/api` module when it is installed, else `undefined`; loaded on the first
 * call only.
 * @internal
 */
export function openTelemetry(): OpenTelemetryApi | undefined {
  if (loaded === undefined) loaded = loadOpenTelemetry() ?? null;
  return loaded ?? undefined;
}
