import { localS3 } from './local-s3';

/** Stops the local S3 server that the global setup started, if it started one. */
export default async function globalTeardown(): Promise<void> {
  if (process.env.NEST_BUCKET_TEST_MANAGED_S3 !== '1' || !process.env.LOCAL_S3_DIR) return;
  await localS3('stop', process.env.LOCAL_S3_DIR);
}
