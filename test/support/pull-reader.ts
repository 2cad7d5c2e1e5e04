import { MetricReader } from '@opentelemetry/sdk-metrics';

/** A metric reader that exports nothing: the test pulls with `collect()`. */
export class PullReader extends MetricReader {
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
}
