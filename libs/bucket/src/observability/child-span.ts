import type { Attributes } from '@opentelemetry/api';
import { toBucketError } from '../bucket.error-mapping';
import { instrumentsOf } from './metrics';
import { SPAN_ATTRIBUTES, TELEMETRY_SCOPE } from './names';
import { activeObserved, startObservedSpan, type Observed } from './observe';
import { openTelemetry } from './otel';
import {
  countRetries,
  endSpan,
  stateKey,
  tracerOf,
  type SpanState,
  type TelemetrySpan,
} from './span-state';

/** What a part or range span is about. @internal */
export interface ChildSpanTarget {
  bucket: string;
  key: string;
  /** The multipart upload, for a part. */
  uploadId?: string;
  /** The part's number, from 1. */
  partNumber?: number;
  /** The source of a copied part, `bucket/key`. */
  copySource?: string;
  /** The bytes of a ranged GET, first and last included. */
  range?: { start: number; end: number };
  /** The bytes that the span sends, recorded once it succeeds. */
  bytesSent?: number;
  /** The bytes that the span receives, recorded once it succeeds. */
  bytesReceived?: number;
}

/**
 * A span of one part or range, inside the span of its operation: `run` runs code in it (so that
 * its requests are counted in it), `end` ends it, with the error when it failed. Ending twice
 * does nothing.
 * @internal
 */
export interface ChildSpan {
  /** Runs `work` with this span active. */
  run<T>(work: () => Promise<T>): Promise<T>;
  /** Ends the span; with an error, as failed. */
  end(error?: unknown): void;
}

// eslint-disable-next-line @typescript-eslint/no-empty-function
const ignore = () => {};

/** What the child span helpers return when there is nothing to record. */
const NO_SPAN: ChildSpan = { run: (work) => work(), end: ignore };

function startAttributes(target: ChildSpanTarget, parent: SpanState): Attributes {
  const attributes: Attributes = {
    ...parent.metricAttributes,
    [SPAN_ATTRIBUTES.bucket]: target.bucket,
    [SPAN_ATTRIBUTES.key]: target.key,
  };
  if (target.uploadId !== undefined) attributes[SPAN_ATTRIBUTES.uploadId] = target.uploadId;
  if (target.partNumber !== undefined) attributes[SPAN_ATTRIBUTES.partNumber] = target.partNumber;
  if (target.copySource !== undefined) attributes[SPAN_ATTRIBUTES.copySource] = target.copySource;
  if (target.range !== undefined) {
    attributes[SPAN_ATTRIBUTES.range] = `bytes=${target.range.start}-${target.range.end}`;
  }
  return attributes;
}

function endAttributes(target: ChildSpanTarget): Attributes {
  const attributes: Attributes = {};
  if (target.bytesSent !== undefined) attributes[SPAN_ATTRIBUTES.bytesSent] = target.bytesSent;
  if (target.bytesReceived !== undefined) {
    attributes[SPAN_ATTRIBUTES.bytesReceived] = target.bytesReceived;
  }
  return attributes;
}

/**
 * Starts the span of a part or a range, named `nest-bucket <name>` (`nest-bucket uploadFile
 * part`), kind CLIENT, as a child of the active nest-bucket operation: through `@nestjs/observe`
 * when the operation's span was created through it, else through OpenTelemetry. It does nothing
 * (and costs next to nothing) when neither is in use, outside an instrumented operation (which,
 * with OpenTelemetry, needs a context manager), and when the operation's span is not recording;
 * the requests sent in it are then counted in the operation.
 *
 * @param name - the span's name, after `nest-bucket `
 * @param target - what the part or range is about
 * @internal
 */
export function startChildSpan(name: string, target: ChildSpanTarget): ChildSpan {
  const observed = activeObserved();
  if (observed !== undefined) return startObservedChild(observed, name, target);
  const api = openTelemetry();
  if (api === undefined) return NO_SPAN;
  const key = stateKey(api);
  const active = api.context.active();
  const parent = active.getValue(key) as SpanState | undefined;
  if (parent === undefined) return NO_SPAN;
  const parentSpan = parent.span;
  if (!parentSpan?.isRecording()) return NO_SPAN;
  noteUploadId(parent, parentSpan, target);
  const span = tracerOf(api).startSpan(
    `${TELEMETRY_SCOPE} ${name}`,
    { kind: api.SpanKind.CLIENT, attributes: startAttributes(target, parent) },
    active,
  );
  const state = childState(span, parent);
  const inSpan = api.trace.setSpan(active, span).setValue(key, state);
  return {
    run: (work) => api.context.with(inSpan, work),
    end: ender(state, target),
  };
}

/** The child span of an operation whose span was created through `@nestjs/observe`. */
function startObservedChild(observed: Observed, name: string, target: ChildSpanTarget): ChildSpan {
  const parent = observed.state;
  const parentSpan = parent.span;
  if (!parentSpan?.isRecording()) return NO_SPAN;
  noteUploadId(parent, parentSpan, target);
  const span = startObservedSpan(
    observed.tracer,
    `${TELEMETRY_SCOPE} ${name}`,
    startAttributes(target, parent),
  );
  const state = childState(span, parent);
  return { run: (work) => span.run(work, state), end: ender(state, target) };
}

/** Puts the multipart upload's id on the operation's span, once. */
function noteUploadId(parent: SpanState, parentSpan: TelemetrySpan, target: ChildSpanTarget) {
  if (target.uploadId !== undefined && parent.uploadIdSet !== true) {
    parentSpan.setAttribute(SPAN_ATTRIBUTES.uploadId, target.uploadId);
    parent.uploadIdSet = true;
  }
}

function childState(span: TelemetrySpan, parent: SpanState): SpanState {
  return {
    span,
    parent,
    traceId: parent.traceId,
    metricAttributes: parent.metricAttributes,
    attempts: 0,
    retries: 0,
    requests: 0,
  };
}

/** The `end` of a child span: its retries, bytes or error; ending twice does nothing. */
function ender(state: SpanState, target: ChildSpanTarget): (error?: unknown) => void {
  let ended = false;
  return (error) => {
    if (ended) return;
    ended = true;
    // A part is one request: every further one the library sent is a retry of it.
    const resent = Math.max(0, state.requests - 1);
    if (resent > 0) {
      countRetries(state, resent);
      const api = openTelemetry();
      if (api !== undefined) instrumentsOf(api).retries.add(resent, state.metricAttributes);
    }
    if (error === undefined) endSpan(state, undefined, endAttributes(target));
    else endSpan(state, toBucketError(error, { bucket: target.bucket, key: target.key }));
  };
}

/**
 * Runs `work` in the span of a part or a range (see {@link startChildSpan}), ended when it
 * settles.
 *
 * @param name - the span's name, after `nest-bucket `
 * @param target - what the part or range is about
 * @param work - the part's requests
 * @internal
 */
export async function inChildSpan<T>(
  name: string,
  target: ChildSpanTarget,
  work: () => Promise<T>,
): Promise<T> {
  const child = startChildSpan(name, target);
  if (child === NO_SPAN) return work();
  try {
    const result = await child.run(work);
    child.end();
    return result;
  } catch (error) {
    child.end(error);
    throw error;
  }
}
