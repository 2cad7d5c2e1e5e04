import { resolveRange } from './s3-range';

describe('resolveRange', () => {
  it.each([
    ['bytes=2-4', 10, { start: 2, end: 4 }],
    ['bytes=5-100', 10, { start: 5, end: 9 }],
    ['bytes=8-', 10, { start: 8, end: 9 }],
    ['bytes=-3', 10, { start: 7, end: 9 }],
    ['bytes=-100', 10, { start: 0, end: 9 }],
    ['bytes=9-9', 10, { start: 9, end: 9 }],
    [' bytes=1-2 ', 10, { start: 1, end: 2 }],
  ])('selects %j of %i bytes as S3 does', (header, size, range) => {
    expect(resolveRange(header, size)).toEqual(range);
  });

  it.each([
    ['bytes=10-', 10],
    ['bytes=0-0', 0],
    ['bytes=-5', 0],
    ['bytes=-0', 10],
  ])('finds %j unsatisfiable in %i bytes (416)', (header, size) => {
    expect(resolveRange(header, size)).toBeUndefined();
  });

  it.each(['lines=1-2', 'bytes=5-2', 'bytes=-', 'bytes=1-2,4-5'])(
    'ignores %j, which is not one byte range',
    (header) => {
      expect(resolveRange(header, 10)).toBeNull();
    },
  );
});
