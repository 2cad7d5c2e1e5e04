/**
 * The optional `@nestjs/observe` peer (Nest's tracing agent). When the application registers its
 * `ObserveModule`, `BucketModule` injects its `TracerService` (optionally, by its class), and the
 * operations of a traced request get their spans through `TracerService.createSpan`, as manual
 * spans of the request's trace. Outside a traced request, `createSpan` throws: the operation then
 * falls back to OpenTelemetry.
 *
 * The package is ESM-only; the library is CommonJS, and loads it, once, with a plain `require`
 * (Node's `require(esm)`, from 20.19 and 22.12). The class that `require` returns is the one that
 * the application's `import` loaded: Node keeps one instance of an ES module for both. Nothing
 * is imported at run time when the package is not installed, and no type of it appears in the
 * library's declarations: the tracer is described here by the few members that it uses.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { ModuleLoader } from './otel';
import { ERROR_STATUS, type SpanState, type TelemetrySpan } from './span-state';

/** A tag's value, as `@nestjs/observe` takes it. @internal */
export type ObserveTagValue = string | number | boolean;

/** The span that `TracerService.createSpan` hands to its callback (`TraceSpanDelegate`). @internal */
export interface ObserveSpanDelegate {
  /** The span's id; empty when the trace is not recorded (ignored or sampled out). */
  readonly id: string;
  /** Sets one tag on the span. */
  setTag(key: string, value: ObserveTagValue): unknown;
}

/** The members of `@nestjs/observe`'s `TracerService` that nest-bucket uses. @internal */
export interface ObserveTracer {
  /**
   * Runs `callback` in a new span of the current trace, ended when the callback settles (as
   * failed when it throws). Throws outside a traced operation.
   */
  createSpan(name: string, callback: (span: ObserveSpanDelegate) => unknown): Promise<unknown>;
  /** The current trace's id, or `null` outside a traced operation (never throws). */
  currentTraceId(): string | null;
}

/**
 * Whether `candidate` looks like `@nestjs/observe`'s `TracerService`.
 * @internal
 */
export function isObserveTracer(candidate: unknown): candidate is ObserveTracer {
  const tracer = candidate as Partial<ObserveTracer> | null | undefined;
  return typeof tracer?.createSpan === 'function' && typeof tracer.currentTraceId === 'function';
}

/**
 * Loads `@nestjs/observe` with `load` and returns its `TracerService` class; `undefined` when the
 * package is missing, cannot be loaded (`require(esm)` unsupported) or has no such class.
 *
 * @param load - the loader; `require` by default
 * @internal
 */
export function loadObserveTracerClass(load: ModuleLoader = require): object | undefined {
  try {
    const tracerClass = (load('@nestjs/observe') as { TracerService?: unknown } | undefined)
      ?.TracerService;
    return typeof tracerClass === 'function' ? tracerClass : undefined;
  } catch {
    return undefined;
  }
}

/** The outcome of the one attempt: `undefined` before it, `null` when the package is absent. */
let tracerClass: object | null | undefined;

/**
 * `@nestjs/observe`'s `TracerService` class, the token under which `ObserveModule` provides it,
 * when the package is installed; loaded on the first call only (when a `BucketModule` is
 * registered), never at the library's import.
 * @internal
 */
export function observeTracerToken(): object | undefined {
  if (tracerClass === undefined) tracerClass = loadObserveTracerClass() ?? null;
  return tracerClass ?? undefined;
}

/** A nest-bucket span created through `@nestjs/observe`, and its tracer. @internal */
export interface Observed {
  /** What nest-bucket knows of the span. */
  readonly state: SpanState;
  /** The tracer that created it, for its children. */
  readonly tracer: ObserveTracer;
}

/** The nest-bucket span that runs in the current async context, on the `@nestjs/observe` path. */
const observedSpans = new AsyncLocalStorage<Observed>();

/**
 * The nest-bucket span (operation, part or range) that was created through `@nestjs/observe`
 * and runs in the current async context.
 * @internal
 */
export function activeObserved(): Observed | undefined {
  return observedSpans.getStore();
}

/** A span created through `TracerService.createSpan`, open until `end()`. @internal */
export interface ObservedSpan extends TelemetrySpan {
  /** Runs `work` in the span (nested spans and the SDK middleware find `state`). */
  run<T>(work: () => Promise<T>, state: SpanState): Promise<T>;
}

/** Runs a function in a captured async context. */
type Runner = <R>(work: () => R) => R;

const runHere: Runner = (work) => work();

// eslint-disable-next-line @typescript-eslint/no-empty-function
const ignore = () => {};

/** A tag's value from an attribute's, or `undefined` for arrays and missing values. */
function tagValue(value: unknown): ObserveTagValue | undefined {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
    ? value
    : undefined;
}

/**
 * Opens a span named `name` through `tracer.createSpan`, with `attributes` as its tags, and
 * keeps it open until its `end()`: the callback that `createSpan` runs waits for it. `run`
 * executes work in the async context of that callback, so that a span created inside is its
 * child. A failure, set with `recordException` and `setStatus` before `end()`, is thrown into
 * `createSpan` (as the `BucketError`, whose message is the library's own), which marks the span
 * as failed. If `createSpan` throws before calling back, the work runs as it would without
 * a span.
 *
 * @param tracer - the application's `TracerService`
 * @param name - the span's name
 * @param attributes - its first tags
 * @internal
 */
export function startObservedSpan(
  tracer: ObserveTracer,
  name: string,
  attributes: Readonly<Record<string, unknown>>,
): ObservedSpan {
  let settle: (failure?: Error) => void = ignore;
  const finished = new Promise<void>((resolve, reject) => {
    settle = (failure) => {
      if (failure === undefined) resolve();
      else reject(failure);
    };
  });
  // Handled here too, in case `createSpan` never takes it.
  finished.catch(ignore);
  let delegate: ObserveSpanDelegate | undefined;
  const pending: [string, ObserveTagValue][] = [];
  const setTag = (key: string, value: unknown) => {
    const tag = tagValue(value);
    if (tag === undefined) return;
    if (delegate === undefined) pending.push([key, tag]);
    else delegate.setTag(key, tag);
  };
  for (const [key, value] of Object.entries(attributes)) setTag(key, value);
  let enter: (runner: Runner) => void = ignore;
  const entered = new Promise<Runner>((resolve) => {
    enter = resolve;
  });
  tracer
    .createSpan(name, (span) => {
      delegate = span;
      for (const [key, value] of pending) span.setTag(key, value);
      pending.length = 0;
      enter(AsyncLocalStorage.snapshot());
      return finished;
    })
    // Not traced after all (it threw before calling back): the work runs without a span.
    .catch(() => {
      enter(runHere);
    });
  let exception: unknown;
  let failed = false;
  let ended = false;
  return {
    run: async (work, state) => {
      const runner = await entered;
      const observed: Observed = { state, tracer };
      return runner(() => observedSpans.run(observed, work));
    },
    isRecording: () => delegate?.id !== '',
    setAttribute: setTag,
    setAttributes: (values) => {
      for (const [key, value] of Object.entries(values)) setTag(key, value);
    },
    recordException: (error) => {
      exception = error;
    },
    setStatus: (status) => {
      if (status.code === ERROR_STATUS) failed = true;
    },
    end: () => {
      if (ended) return;
      ended = true;
      if (!failed) settle();
      else settle(exception instanceof Error ? exception : new Error(`${name} failed`));
    },
  };
}
