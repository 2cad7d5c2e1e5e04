import type { Attributes } from '@opentelemetry/api';
import { toBucketError } from '../bucket.error-mapping';
import { instrumentsOf } from './metrics';
import { SPAN_ATTRIBUTES, TELEMETRY_SCOPE } from './names';
import { openTelemetry } from './otel';
import { countRetries, endSpan, stateKey, tracerOf, type SpanState } from './span-state';

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
 * part`), kind CLIENT, as a child of the active nest-bucket operation. It does nothing (and costs
 * next to nothing) when `@opentelemetry/api` is absent, outside an instrumented operation (which
 * needs a context manager), and when the operation's span is not recording; the requests sent
 * in it are then counted in the operation.
 *
 * @param name - the span's name, after `nest-bucket `
 * @param target - what the part or range is about
 * @internal
 */
export function startChildSpan(name: string, target: ChildSpanTarget): ChildSpan {
  const api = openTelemetry();
  if (api === undefined) return NO_SPAN;
  const key = stateKey(api);
  const active = api.context.active();
  const parent = active.getValue(key) as SpanState | undefined;
  if (parent === undefined) return NO_SPAN;
  const parentSpan = parent.span;
  if (!parentSpan?.isRecording()) return NO_SPAN;
  if (target.uploadId !== undefined && parent.uploadIdSet !== true) {
    parentSpan.setAttribute(SPAN_ATTRIBUTES.uploadId, target.uploadId);
    parent.uploadIdSet = true;
  }
  const span = tracerOf(api).startSpan(
    `${TELEMETRY_SCOPE} ${name}`,
    { kind: api.SpanKind.CLIENT, attributes: startAttributes(target, parent) },
    active,
  );
  const state: SpanState = {
    span,
    parent,
    metricAttributes: parent.metricAttributes,
    attempts: 0,
    retries: 0,
    requests: 0,
  };
  const inSpan = api.trace.setSpan(active, span).setValue(key, state);
  let ended = false;
  return {
    run: (work) => api.context.with(inSpan, work),
    end: (error) => {
      if (ended) return;
      ended = true;
      // A part is one request: every further one the library sent is a retry of it.
      const resent = Math.max(0, state.requests - 1);
      if (resent > 0) {
        countRetries(state, resent);
        instrumentsOf(api).retries.add(resent, state.metricAttributes);
      }
      if (error === undefined) endSpan(api, state, undefined, endAttributes(target));
      else endSpan(api, state, toBucketError(error, { bucket: target.bucket, key: target.key }));
    },
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
