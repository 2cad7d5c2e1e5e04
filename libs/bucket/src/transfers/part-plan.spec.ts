import { BucketError } from '../bucket.errors';
import { largestStreamBytes, planParts, S3_LIMITS } from './part-plan';

const MIB = 1024 * 1024;
const GIB = 1024 * MIB;
const TIB = 1024 * GIB;
const context = { operation: 'uploadFile', bucket: 'media', key: 'disk.img' };

function errorOf(run: () => unknown): BucketError {
  try {
    run();
  } catch (error) {
    if (error instanceof BucketError) return error;
    throw error;
  }
  throw new Error('expected a BucketError');
}

describe('planParts', () => {
  it.each([
    [0, 8 * MIB, 8 * MIB, 1],
    [1, 8 * MIB, 8 * MIB, 1],
    [8 * MIB, 8 * MIB, 8 * MIB, 1],
    [8 * MIB + 1, 8 * MIB, 8 * MIB, 2],
    [100 * MIB, 5 * MIB, 5 * MIB, 20],
    // 10,000 parts of 8 MiB, exactly: the part size the user asked for still fits.
    [10_000 * 8 * MIB, 8 * MIB, 8 * MIB, 10_000],
    // One byte more: the part size grows to the next whole MiB.
    [10_000 * 8 * MIB + 1, 8 * MIB, 9 * MIB, 8889],
    // 78 GiB + 1 byte, the size at which fixed 8 MiB parts fail at part 10,001.
    [78 * GIB + 1, 8 * MIB, 8 * MIB, 9985],
    [79 * GIB, 8 * MIB, 9 * MIB, 8989],
    [5 * TIB, 8 * MIB, 525 * MIB, 9987],
    // A larger part size than needed is kept.
    [1 * GIB, 64 * MIB, 64 * MIB, 16],
    [5 * TIB, 5 * GIB, 5 * GIB, 1024],
  ])(
    '%s bytes with %s-byte parts asked: parts of %s bytes, %s of them',
    (size, asked, part, count) => {
      const plan = planParts(size, asked, context);
      expect(plan).toEqual({ partSizeBytes: part, partCount: count });
      expect(plan.partCount).toBeLessThanOrEqual(S3_LIMITS.maxParts);
      expect(plan.partSizeBytes).toBeGreaterThanOrEqual(asked);
      expect(plan.partSizeBytes * plan.partCount).toBeGreaterThanOrEqual(size);
      expect(plan.partSizeBytes * (plan.partCount - 1)).toBeLessThan(Math.max(size, 1));
    },
  );

  it('fits every size up to 5 TiB in at most 10,000 parts of 5 MiB to 5 GiB', () => {
    for (let size = 0; size <= 5 * TIB; size += 37 * GIB + 12_345) {
      for (const asked of [5 * MIB, 8 * MIB, 100 * MIB, 5 * GIB]) {
        const { partSizeBytes, partCount } = planParts(size, asked, context);
        expect(partCount).toBeLessThanOrEqual(10_000);
        expect(partSizeBytes).toBeGreaterThanOrEqual(asked);
        expect(partSizeBytes).toBeLessThanOrEqual(5 * GIB);
        expect(partSizeBytes * partCount).toBeGreaterThanOrEqual(size);
      }
    }
  });

  it('refuses an object above 5 TiB before any request, naming the size and the rule', () => {
    const error = errorOf(() => planParts(5 * TIB + 1, 8 * MIB, context));
    expect(error.code).toBe('InvalidArgument');
    expect(error.message).toContain(`size = ${5 * TIB + 1} bytes`);
    expect(error.message).toContain('at most 5 TiB');
  });

  it.each([5 * MIB - 1, 5 * GIB + 1, 5 * MIB + 0.5, Number.NaN])(
    'refuses a part size of %s, naming it and the bounds',
    (asked) => {
      const error = errorOf(() => planParts(100 * MIB, asked, context));
      expect(error.code).toBe('InvalidArgument');
      expect(error.message).toContain(`partSizeBytes = ${String(asked)}`);
      expect(error.message).toContain('from 5 MiB');
    },
  );

  it('refuses a size that is not a whole number of bytes', () => {
    expect(errorOf(() => planParts(-1, 8 * MIB, context)).code).toBe('InvalidArgument');
    expect(errorOf(() => planParts(1.5, 8 * MIB, context)).code).toBe('InvalidArgument');
  });

  it('says how large a stream of unknown length a part size can carry', () => {
    expect(largestStreamBytes(8 * MIB)).toBe(80_000 * MIB);
    expect(largestStreamBytes(5 * GIB)).toBe(50_000 * GIB);
  });
});
