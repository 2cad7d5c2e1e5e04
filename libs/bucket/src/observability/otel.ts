import { TELEMETRY_SCOPE } from './names';

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

/** A tracer provider that hands out another's tracers: the API's global proxy. */
interface DelegatingProvider {
  getDelegate(): unknown;
}

/** Each API copy's no-op tracer provider (`null`: the copy cannot tell it). */
const noopTracerProviders = new WeakMap<OpenTelemetryApi, unknown>();

/**
 * What the API's tracer proxy delegates to before an SDK registers, from a proxy of its own: the
 * API exports no other handle on it. `ProxyTracerProvider` is deprecated for the API's next
 * major version; without it, this gives `null` and telemetry is always taken as live.
 */
function noopTracerProviderOf(api: OpenTelemetryApi): unknown {
  if (!noopTracerProviders.has(api)) {
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- see above
    const Provider = api.ProxyTracerProvider as (new () => DelegatingProvider) | undefined;
    noopTracerProviders.set(
      api,
      typeof Provider === 'function' ? new Provider().getDelegate() : null,
    );
  }
  return noopTracerProviders.get(api);
}

/**
 * Whether anything could record an operation now: a tracer provider or a meter provider
 * registered, or an active context (whose span a no-op span would carry on). `false` when the API
 * is installed and nothing is registered, as in an application that gets the API through a
 * dependency: the operations then skip their spans and metrics, which would all be no-ops.
 * Asked on every operation, so that an SDK registered later is seen at once.
 *
 * @param api - the loaded API
 * @internal
 */
export function isTelemetryLive(api: OpenTelemetryApi): boolean {
  if (api.context.active() !== api.ROOT_CONTEXT) return true;
  const noop = noopTracerProviderOf(api);
  const tracers = api.trace.getTracerProvider() as Partial<DelegatingProvider>;
  // A provider that is no proxy of this copy's (another copy's, or none known) counts as live.
  if (noop === null || tracers.getDelegate?.() !== noop) return true;
  // An API without `createNoopMeter` (older than the peer range) cannot tell: live.
  const noopMeter = typeof api.createNoopMeter === 'function' ? api.createNoopMeter() : undefined;
  return api.metrics.getMeterProvider().getMeter(TELEMETRY_SCOPE) !== noopMeter;
}
