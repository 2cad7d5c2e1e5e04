import { BucketError } from './bucket.errors';
import {
  assertValidBucketName,
  assertValidKey,
  bucketNameProblem,
  keyProblem,
} from './bucket.validation';

describe('bucketNameProblem', () => {
  it.each(['abc', 'my-bucket', 'my.bucket.2024', 'a'.repeat(63), '0abc'])('accepts %j', (name) => {
    expect(bucketNameProblem(name)).toBeUndefined();
  });

  it.each([
    ['', '3 to 63 characters'],
    ['ab', '3 to 63 characters'],
    ['a'.repeat(64), '3 to 63 characters'],
    ['MyBucket', 'lowercase letters'],
    ['my_bucket', 'lowercase letters'],
    ['10.0.0.1', 'IP address'],
    ['-abc', 'begin and end'],
    ['abc-', 'begin and end'],
    ['a..b', 'adjacent dots'],
    ['xn--abc', '"xn--"'],
    ['sthree-abc', '"sthree-"'],
    ['abc-s3alias', '"-s3alias"'],
    [42, 'must be a string, got number'],
    [undefined, 'must be a string, got undefined'],
  ])('rejects %j: %s', (name, rule) => {
    expect(bucketNameProblem(name)).toContain(rule);
  });
});

describe('keyProblem', () => {
  it.each(['a', 'dir/sub/file.txt', 'spaces and été ☃', 'k'.repeat(1024)])('accepts %j', (key) => {
    expect(keyProblem(key)).toBeUndefined();
  });

  it.each([
    ['', 'must not be empty'],
    ['k'.repeat(1025), 'at most 1024 bytes in UTF-8, got 1025'],
    ['€'.repeat(342), 'got 1026'],
    ['tab\there', 'control characters'],
    ['del\u007f', 'control characters'],
    ['\ud800lone', 'lone surrogate'],
    [null, 'must be a string'],
  ])('rejects %j: %s', (key, rule) => {
    expect(keyProblem(key)).toContain(rule);
  });
});

describe('assertions', () => {
  it('throws InvalidBucketName naming the operation, the value and the rule', () => {
    expect(() => {
      assertValidBucketName('Bad_Name', 'createBucket');
    }).toThrow(BucketError);
    try {
      assertValidBucketName('Bad_Name', 'createBucket');
    } catch (error) {
      expect(error).toMatchObject({ code: 'InvalidBucketName', operation: 'createBucket' });
      expect((error as Error).message).toContain('createBucket');
      expect((error as Error).message).toContain('"Bad_Name"');
      expect((error as Error).message).toContain('lowercase letters');
    }
  });

  it('throws InvalidKey naming the bucket and the rule', () => {
    try {
      assertValidKey('', 'getBucketFile', 'media');
      throw new Error('expected InvalidKey');
    } catch (error) {
      expect(error).toMatchObject({ code: 'InvalidKey', bucket: 'media' });
      expect((error as Error).message).toContain('bucket "media"');
      expect((error as Error).message).toContain('must not be empty');
    }
  });
});
