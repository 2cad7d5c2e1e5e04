import type {
  AttributeValue,
  Attributes,
  Exception,
  SpanContext,
  SpanStatus,
  SpanStatusCode,
  Tracer,
} from '@opentelemetry/api';
import type { BucketError } from '../bucket.errors';
import { LIBRARY_VERSION, SPAN_ATTRIBUTES, TELEMETRY_SCOPE } from './names';
import type { OpenTelemetryApi } from './otel';

/** `SpanStatusCode.ERROR`, without loading the API (its value is fixed by the spec). @internal */
// eslint-disable-next-line @typescript-eslint/no-unsafe-enum-assignment
export const ERROR_STATUS: SpanStatusCode.ERROR = 2;

/**
 * What nest-bucket does with one of its spans: an OpenTelemetry `Span` is one, and so is a span
 * created through `@nestjs/observe` (`observe.ts`).
 * @internal
 */
export interface TelemetrySpan {
  /** Whether what is set on the span is recorded. */
  isRecording(): boolean;
  /** Sets one attribute. */
  setAttribute(key: string, value: AttributeValue): unknown;
  /** Sets attributes. */
  setAttributes(attributes: Attributes): unknown;
  /** Records the error that the span failed with. */
  recordException(exception: Exception): void;
  /** Sets the span's status. */
  setStatus(status: SpanStatus): unknown;
  /** Ends the span. */
  end(): void;
  /** The OpenTelemetry span's context (its trace id); OpenTelemetry spans only. */
  spanContext?(): SpanContext;
}

/**
 * What nest-bucket knows of one of its spans (an operation, a part, a range) while it runs,
 * kept in the OpenTelemetry context beside the span, so that the SDK middleware and the child
 * spans find it.
 * @internal
 */
export interface SpanState {
  /** The span; none when the operation's span records nothing (no tracer provider). */
  readonly span?: TelemetrySpan;
  /** The trace's id, for a span created through `@nestjs/observe` (its own trace id). */
  readonly traceId?: string;
  /** The operation's state, for a part or a range. */
  readonly parent?: SpanState;
  /** The operation's metric attributes: `nest_bucket.operation` and `nest_bucket.instance`. */
  readonly metricAttributes: Attributes;
  /** HTTP requests sent in this span and its children, retries included. */
  attempts: number;
  /** Requests sent again after a failure, in this span and its children. */
  retries: number;
  /** SDK commands sent in this span itself (a part's tries). */
  requests: number;
  /** Whether the multipart upload's id was put on the span. */
  uploadIdSet?: boolean;
  /** The bytes that the operation sent, when the result does not tell (`putObject`). */
  bytesSent?: number;
}

/** Context keys are per API instance: one per loaded copy. */
const keys = new WeakMap<OpenTelemetryApi, symbol>();

/**
 * The context key under which the current span's {@link SpanState} is kept.
 * @internal
 */
export function stateKey(api: OpenTelemetryApi): symbol {
  let key = keys.get(api);
  if (key === undefined) {
    key = api.createContextKey('nest-bucket span state');
    keys.set(api, key);
  }
  return key;
}

/**
 * The {@link SpanState} of the active context, when a nest-bucket span is active (which needs a
 * registered context manager, as every OpenTelemetry SDK set-up has).
 * @internal
 */
export function activeState(api: OpenTelemetryApi): SpanState | undefined {
  return api.context.active().getValue(stateKey(api)) as SpanState | undefined;
}

/** nest-bucket's tracer from each global tracer provider (the API's proxy) it was taken from. */
const tracers = new WeakMap<object, Tracer>();

/**
 * nest-bucket's tracer: a proxy that follows the global tracer provider, even one registered
 * after this call. Taken again from a new global provider: `trace.disable()` (as test suites
 * call between tests) replaces the API's proxy, and a tracer of the old one would keep sending
 * spans to the provider registered before.
 * @internal
 */
export function tracerOf(api: OpenTelemetryApi): Tracer {
  const provider = api.trace.getTracerProvider();
  let tracer = tracers.get(provider);
  if (tracer === undefined) {
    tracer = provider.getTracer(TELEMETRY_SCOPE, LIBRARY_VERSION);
    tracers.set(provider, tracer);
  }
  return tracer;
}

/**
 * Counts the HTTP attempts of one SDK command in a span and its ancestors.
 * @internal
 */
export function countAttempts(state: SpanState, attempts: number): void {
  state.requests += 1;
  for (let s: SpanState | undefined = state; s !== undefined; s = s.parent) {
    s.attempts += attempts;
    s.retries += attempts - 1;
  }
}

/** Adds retries (sent by the library itself) to a span and its ancestors. @internal */
export function countRetries(state: SpanState, retries: number): void {
  for (let s: SpanState | undefined = state; s !== undefined; s = s.parent) s.retries += retries;
}

/**
 * Ends a span: its attempts, then, on failure, status `ERROR`, the `BucketError` code and an
 * `exception` event made from the `BucketError` (its message is the library's own, with no URL
 * and no credential).
 * @internal
 */
export function endSpan(
  state: SpanState,
  failure: BucketError | undefined,
  attributes?: Attributes,
): void {
  const span = state.span;
  if (span === undefined) return;
  span.setAttribute(SPAN_ATTRIBUTES.attempts, state.attempts);
  span.setAttribute(SPAN_ATTRIBUTES.retries, state.retries);
  if (attributes) span.setAttributes(attributes);
  if (failure) {
    span.setAttribute(SPAN_ATTRIBUTES.errorType, failure.code);
    span.setAttribute(SPAN_ATTRIBUTES.errorCode, failure.code);
    span.recordException(failure);
    span.setStatus({ code: ERROR_STATUS, message: failure.message });
  }
  span.end();
}
