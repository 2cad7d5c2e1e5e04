import type { S3Client } from '@aws-sdk/client-s3';
import type { Attributes } from '@opentelemetry/api';
import type { Agent } from 'node:http';
import { toBucketError } from '../bucket.error-mapping';
import type { BucketErrorContext } from '../bucket.errors';
import { instrumentsOf, type GaugeSource } from './metrics';
import { SPAN_ATTRIBUTES, TELEMETRY_SCOPE } from './names';
import { activeObserved, isObserveTracer, startObservedSpan, type ObserveTracer } from './observe';
import { isTelemetryLive, openTelemetry, type OpenTelemetryApi } from './otel';
import { countAttempts, endSpan, stateKey, tracerOf, type SpanState } from './span-state';

/** What the telemetry of one service observes. @internal */
export interface TelemetrySource {
  /** The module instance's name; none for the default instance. */
  name?: string;
  /** The server's URL, without credentials. */
  endpoint: string;
  /** The client whose requests are counted (attempts, retries). */
  client: S3Client;
  /** The client's HTTP(S) agent, for the socket gauges. */
  agent?: Agent;
  /** The number of transfers in flight, for their gauge. */
  transfersInFlight: () => number;
  /** `@nestjs/observe`'s `TracerService`, when the application registered `ObserveModule`. */
  tracer?: unknown;
}

/** What an operation adds to its span while it runs. @internal */
export interface OperationNotes {
  /** The destination bucket of a copy (the span's `aws.s3.bucket`). */
  bucket?: string;
  /** The destination key of a copy (the span's `aws.s3.key`). */
  key?: string;
  /** The source of a copy, `bucket/key`. */
  copySource?: string;
  /** The bytes of the body sent, when the result does not tell. */
  bytesSent?: number;
}

/** Which way each operation moves an object's body. */
const DIRECTION: Partial<Record<string, 'sent' | 'received'>> = {
  uploadFile: 'sent',
  putObject: 'sent',
  downloadFile: 'received',
  getObject: 'received',
};

/** The byte count that an operation's result carries: `size`, else `contentLength`. */
function bytesOfResult(result: unknown): number | undefined {
  if (typeof result !== 'object' || result === null) return undefined;
  const { size, contentLength } = result as { size?: unknown; contentLength?: unknown };
  if (typeof size === 'number') return size;
  return typeof contentLength === 'number' ? contentLength : undefined;
}

/**
 * The attempts that the SDK's retry strategy recorded on a command's output or error; `fallback`
 * when it recorded none. A presigned request was never sent: none.
 */
function attemptsOf(carrier: unknown, fallback: number): number {
  if (typeof carrier !== 'object' || carrier === null) return fallback;
  if ('presigned' in carrier) return 0;
  const attempts = (carrier as { $metadata?: { attempts?: unknown } }).$metadata?.attempts;
  return typeof attempts === 'number' && attempts > 0 ? attempts : fallback;
}

/** The host and port of the endpoint, for `server.address` and `server.port`. */
function serverAttributes(endpoint: string): Attributes {
  try {
    const url = new URL(endpoint);
    const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
    return { [SPAN_ATTRIBUTES.serverAddress]: url.hostname, [SPAN_ATTRIBUTES.serverPort]: port };
  } catch {
    return {};
  }
}

/** An operation's span while it runs: its state, and how to run code in it. */
interface OpenedSpan {
  readonly state: SpanState;
  run<T>(body: () => Promise<T>): Promise<T>;
}

/**
 * The instrumentation of one `BucketService`: a span and metrics for each public operation, the
 * attempts and retries of its SDK commands (through a middleware on its client), and the gauges
 * of its sockets and transfers. Built only when `@opentelemetry/api` is installed or the
 * application registered `@nestjs/observe` ({@link Telemetry.create}); while no tracer or meter
 * provider is registered and no context is active, operations skip it (`isTelemetryLive`).
 *
 * Spans go through `@nestjs/observe`'s `TracerService` when it is present and the operation runs
 * in one of its traces (a request, a job); else through OpenTelemetry. Metrics are
 * OpenTelemetry's only.
 *
 * Spans and metrics never carry a URL, a query string, a credential or a header: only the
 * bucket, the key, the upload id, part numbers, ranges, byte counts and `BucketError` codes.
 * @internal
 */
export class Telemetry {
  private readonly instance: string;
  private readonly serverAttributes: Attributes;
  private readonly source: GaugeSource;
  private readonly running = new WeakMap<BucketErrorContext, SpanState>();
  private readonly gaugedBy = new Set<Set<GaugeSource>>();

  private readonly tracer?: ObserveTracer;

  /**
   * The telemetry of a service, or `undefined` when neither `@opentelemetry/api` is installed
   * nor `@nestjs/observe`'s tracer given.
   *
   * @param source - what it observes
   */
  static create(source: TelemetrySource): Telemetry | undefined {
    const api = openTelemetry();
    return api === undefined && !isObserveTracer(source.tracer)
      ? undefined
      : new Telemetry(api, source);
  }

  /**
   * @param api - the loaded `@opentelemetry/api`, if installed
   * @param source - what it observes
   */
  constructor(
    private readonly api: OpenTelemetryApi | undefined,
    source: TelemetrySource,
  ) {
    if (isObserveTracer(source.tracer)) this.tracer = source.tracer;
    this.instance = source.name ?? 'default';
    this.serverAttributes = serverAttributes(source.endpoint);
    this.source = {
      instance: this.instance,
      agent: source.agent,
      transfersInFlight: source.transfersInFlight,
    };
    this.countRequests(source.client);
  }

  /**
   * Runs one public operation in its span, `nest-bucket <operation>` (kind CLIENT), and records
   * its duration, bytes and failure. The error, if any, is rethrown as it is.
   *
   * @param context - the operation and its target (the key under which {@link note} finds it)
   * @param body - the operation
   */
  async operation<T>(context: BucketErrorContext, body: () => Promise<T>): Promise<T> {
    const operation = context.operation ?? 'operation';
    const metricAttributes: Attributes = {
      [SPAN_ATTRIBUTES.operation]: operation,
      [SPAN_ATTRIBUTES.instance]: this.instance,
    };
    const opened = this.open(context, operation, metricAttributes);
    if (opened === undefined) return body();
    const { state } = opened;
    const instruments = this.instruments();
    this.running.set(context, state);
    const started = performance.now();
    try {
      const result = await opened.run(body);
      instruments?.duration.record((performance.now() - started) / 1000, metricAttributes);
      endSpan(state, undefined, this.recordBytes(operation, state, result));
      return result;
    } catch (error) {
      const failure = toBucketError(error, context);
      const failed = { ...metricAttributes, [SPAN_ATTRIBUTES.errorType]: failure.code };
      instruments?.duration.record((performance.now() - started) / 1000, failed);
      instruments?.errors.add(1, failed);
      endSpan(state, failure);
      throw error;
    } finally {
      this.running.delete(context);
    }
  }

  /**
   * Opens the operation's span: through `@nestjs/observe` inside one of its traces, else through
   * OpenTelemetry; none when neither applies.
   */
  private open(
    context: BucketErrorContext,
    operation: string,
    metricAttributes: Attributes,
  ): OpenedSpan | undefined {
    const name = `${TELEMETRY_SCOPE} ${operation}`;
    const tracer = this.tracer;
    const traceId = tracer?.currentTraceId();
    if (tracer !== undefined && typeof traceId === 'string') {
      const span = startObservedSpan(tracer, name, this.startAttributes(context, metricAttributes));
      const state: SpanState = {
        span,
        traceId,
        metricAttributes,
        attempts: 0,
        retries: 0,
        requests: 0,
      };
      return { state, run: (body) => span.run(body, state) };
    }
    const api = this.api;
    if (api === undefined || !isTelemetryLive(api)) return undefined;
    const parent = api.context.active();
    const span = tracerOf(api).startSpan(
      name,
      { kind: api.SpanKind.CLIENT, attributes: this.startAttributes(context, metricAttributes) },
      parent,
    );
    const state: SpanState = { span, metricAttributes, attempts: 0, retries: 0, requests: 0 };
    const inSpan = api.trace.setSpan(parent, span).setValue(stateKey(api), state);
    return { state, run: (body) => api.context.with(inSpan, body) };
  }

  /**
   * Adds what only the operation's body knows to its span: a copy's destination and source, the
   * size of a body sent.
   *
   * @param context - the context that the operation runs with
   * @param notes - what to add
   */
  note(context: BucketErrorContext, notes: OperationNotes): void {
    const state = this.running.get(context);
    if (state === undefined) return;
    if (notes.bytesSent !== undefined) state.bytesSent = notes.bytesSent;
    const span = state.span;
    if (!span?.isRecording()) return;
    if (notes.bucket !== undefined) span.setAttribute(SPAN_ATTRIBUTES.bucket, notes.bucket);
    if (notes.key !== undefined) span.setAttribute(SPAN_ATTRIBUTES.key, notes.key);
    if (notes.copySource !== undefined) {
      span.setAttribute(SPAN_ATTRIBUTES.copySource, notes.copySource);
    }
  }

  /**
   * The trace id of the operation running with `context`, when its span has a valid one (a
   * tracer provider is registered, or the caller's context carries a trace); for its log line.
   *
   * @param context - the context that the operation runs with
   */
  traceId(context: BucketErrorContext): string | undefined {
    const state = this.running.get(context);
    if (state?.traceId !== undefined) return state.traceId;
    const spanContext = state?.span?.spanContext?.();
    return spanContext && this.api?.trace.isSpanContextValid(spanContext)
      ? spanContext.traceId
      : undefined;
  }

  /** Stops reporting this service in the gauges (on shutdown). */
  dispose(): void {
    for (const sources of this.gaugedBy) sources.delete(this.source);
    this.gaugedBy.clear();
  }

  /** The instruments of the current meter provider, with this service in their gauges. */
  private instruments() {
    if (this.api === undefined) return undefined;
    const instruments = instrumentsOf(this.api);
    if (!this.gaugedBy.has(instruments.sources)) {
      instruments.sources.add(this.source);
      this.gaugedBy.add(instruments.sources);
    }
    return instruments;
  }

  private startAttributes(context: BucketErrorContext, metricAttributes: Attributes): Attributes {
    const attributes: Attributes = { ...metricAttributes, ...this.serverAttributes };
    if (context.bucket !== undefined) attributes[SPAN_ATTRIBUTES.bucket] = context.bucket;
    if (context.key !== undefined) attributes[SPAN_ATTRIBUTES.key] = context.key;
    return attributes;
  }

  /** Counts the bytes of a successful transfer; returns them as span attributes. */
  private recordBytes(operation: string, state: SpanState, result: unknown): Attributes {
    const direction = DIRECTION[operation];
    if (direction === undefined) return {};
    const bytes =
      direction === 'sent' ? (state.bytesSent ?? bytesOfResult(result)) : bytesOfResult(result);
    if (bytes === undefined) return {};
    const instruments = this.instruments();
    if (direction === 'sent') {
      instruments?.bytesSent.add(bytes, state.metricAttributes);
      return { [SPAN_ATTRIBUTES.bytesSent]: bytes };
    }
    instruments?.bytesReceived.add(bytes, state.metricAttributes);
    return { [SPAN_ATTRIBUTES.bytesReceived]: bytes };
  }

  /**
   * Adds a middleware to the client, around each command and its retries, that counts the
   * command's HTTP attempts in the active nest-bucket span, and the retries in their metric.
   */
  private countRequests(client: S3Client): void {
    const api = this.api;
    const key = api && stateKey(api);
    const count = (state: SpanState | undefined, carrier: unknown, fallback: number) => {
      const attempts = attemptsOf(carrier, fallback);
      if (attempts === 0) return;
      if (state !== undefined) countAttempts(state, attempts);
      if (attempts > 1) {
        const attributes = state?.metricAttributes ?? {
          [SPAN_ATTRIBUTES.instance]: this.instance,
        };
        this.instruments()?.retries.add(attempts - 1, attributes);
      }
    };
    client.middlewareStack.add(
      (next) => async (args) => {
        const state =
          activeObserved()?.state ??
          (api && key !== undefined
            ? (api.context.active().getValue(key) as SpanState | undefined)
            : undefined);
        try {
          const result = await next(args);
          count(state, result.output, 0);
          return result;
        } catch (error) {
          count(state, error, 1);
          throw error;
        }
      },
      { step: 'initialize', name: 'nestBucketTelemetry', override: true },
    );
  }
}
