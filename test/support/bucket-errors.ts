import { BucketError, type BucketErrorCode } from 'nest-bucket';

/** Resolves with the error, or fails the test if the promise does not reject with a BucketError. */
export async function bucketErrorOf(promise: Promise<unknown>): Promise<BucketError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof BucketError) return error;
    throw error;
  }
  throw new Error('expected a BucketError, but the operation succeeded');
}

/** Resolves with the error's code, or fails the test if the promise does not reject with a BucketError. */
export async function errorCodeOf(promise: Promise<unknown>): Promise<BucketErrorCode> {
  return (await bucketErrorOf(promise)).code;
}
