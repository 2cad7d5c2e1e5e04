import type { BucketModuleSyncOptions } from 'nest-bucket';
import { localS3, parseExports } from '../setup/local-s3';

/** A local S3 server of one test file's own, which it may stop and restart freely. */
export interface PrivateServer {
  /** Options that reach this server. */
  options: BucketModuleSyncOptions;
  /** Stops the gateway only: the port then refuses connections. */
  stopGateway(): Promise<void>;
  /** Starts the gateway again on the same port, with the same data. */
  startGateway(): Promise<void>;
  /** Stops the whole server and removes its folder. */
  stop(): Promise<void>;
}

/**
 * Starts a second local S3 server (about 3 s), for tests that cut the server off: stopping the
 * shared one would break the test files running beside them. Needs the project's local server
 * script, so it is only available when the tests manage their own server.
 */
export async function startPrivateServer(): Promise<PrivateServer> {
  const settings = parseExports(await localS3('start'));
  const dir = settings.LOCAL_S3_DIR;
  return {
    options: {
      host: settings.BUCKET_HOST,
      port: Number(settings.BUCKET_PORT),
      user: settings.BUCKET_USER,
      password: settings.BUCKET_PASSWORD,
      region: settings.BUCKET_REGION,
      useSsl: false,
    },
    stopGateway: async () => {
      await localS3('stop-rgw', dir);
    },
    startGateway: async () => {
      await localS3('start-rgw', dir);
    },
    stop: async () => {
      await localS3('stop', dir);
    },
  };
}

/** Whether this run can start private servers: true unless the tests target an outside BUCKET_HOST. */
export function canStartPrivateServers(): boolean {
  return process.env.NEST_BUCKET_TEST_MANAGED_S3 === '1';
}
