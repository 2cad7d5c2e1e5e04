import type {
  Counter,
  Histogram,
  MeterProvider,
  ObservableGauge,
  ObservableResult,
} from '@opentelemetry/api';
import type { Agent } from 'node:http';
import { LIBRARY_VERSION, METRIC_NAMES, SPAN_ATTRIBUTES, TELEMETRY_SCOPE } from './names';
import type { OpenTelemetryApi } from './otel';

/** What the gauges read of one service: its HTTP agent and its transfers in flight. @internal */
export interface GaugeSource {
  /** The module instance's name, or `default`. */
  instance: string;
  /** The client's HTTP(S) agent, when known. */
  agent?: Agent;
  /** The number of transfers in flight. */
  transfersInFlight: () => number;
}

/** The instruments of one meter provider. @internal */
export interface Instruments {
  duration: Histogram;
  bytesSent: Counter;
  bytesReceived: Counter;
  retries: Counter;
  errors: Counter;
  /** The services that the observable gauges report on. */
  sources: Set<GaugeSource>;
}

/** Sockets of an agent that carry a request now (free keep-alive sockets are elsewhere). */
function socketsInUse(agent: Agent): number {
  let count = 0;
  for (const sockets of Object.values(agent.sockets)) count += sockets?.length ?? 0;
  return count;
}

function observeEach(
  gauge: ObservableGauge,
  sources: Set<GaugeSource>,
  read: (source: GaugeSource) => number | undefined,
): void {
  gauge.addCallback((result: ObservableResult) => {
    for (const source of sources) {
      const value = read(source);
      if (value !== undefined)
        result.observe(value, { [SPAN_ATTRIBUTES.instance]: source.instance });
    }
  });
}

/** One set of instruments per meter provider (the global one may be registered late). */
const byProvider = new WeakMap<MeterProvider, Instruments>();

/**
 * The instruments of the global meter provider, created on first use for each provider: the API
 * has no proxy meter, so instruments made before an application registers its provider would
 * stay no-ops.
 * @internal
 */
export function instrumentsOf(api: OpenTelemetryApi): Instruments {
  const provider = api.metrics.getMeterProvider();
  let instruments = byProvider.get(provider);
  if (instruments) return instruments;
  const meter = provider.getMeter(TELEMETRY_SCOPE, LIBRARY_VERSION);
  const sources = new Set<GaugeSource>();
  instruments = {
    duration: meter.createHistogram(METRIC_NAMES.operationDuration, {
      unit: 's',
      description: 'The duration of nest-bucket operations.',
      advice: {
        explicitBucketBoundaries: [
          0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 30, 60,
        ],
      },
    }),
    bytesSent: meter.createCounter(METRIC_NAMES.bytesSent, {
      unit: 'By',
      description: 'Bytes of object bodies sent to the server.',
    }),
    bytesReceived: meter.createCounter(METRIC_NAMES.bytesReceived, {
      unit: 'By',
      description: 'Bytes of object bodies received from the server.',
    }),
    retries: meter.createCounter(METRIC_NAMES.retries, {
      unit: '{request}',
      description: 'Requests sent again after a failure.',
    }),
    errors: meter.createCounter(METRIC_NAMES.errors, {
      unit: '{operation}',
      description: 'Failed operations, by BucketError code.',
    }),
    sources,
  };
  observeEach(
    meter.createObservableGauge(METRIC_NAMES.socketsInUse, {
      unit: '{socket}',
      description: 'Sockets of the HTTP agent that carry a request.',
    }),
    sources,
    (source) => (source.agent ? socketsInUse(source.agent) : undefined),
  );
  observeEach(
    meter.createObservableGauge(METRIC_NAMES.socketsLimit, {
      unit: '{socket}',
      description: "The HTTP agent's maxSockets.",
    }),
    sources,
    (source) => source.agent?.maxSockets,
  );
  observeEach(
    meter.createObservableGauge(METRIC_NAMES.transfersInFlight, {
      unit: '{transfer}',
      description: 'Transfers in flight.',
    }),
    sources,
    (source) => source.transfersInFlight(),
  );
  byProvider.set(provider, instruments);
  return instruments;
}
