import { isNotModified, parseRangeHeader } from './http-range';

describe('parseRangeHeader', () => {
  it.each([
    [undefined, 100, undefined],
    ['bytes=0-9', 100, { start: 0, end: 9 }],
    ['bytes=90-', 100, { start: 90, end: 99 }],
    ['bytes=90-500', 100, { start: 90, end: 99 }],
    ['bytes=-10', 100, { start: 90, end: 99 }],
    ['bytes=-500', 100, { start: 0, end: 99 }],
    ['bytes=100-', 100, 'unsatisfiable'],
    ['bytes=-0', 100, 'unsatisfiable'],
    ['bytes=0-0', 0, 'unsatisfiable'],
    ['bytes=-5', 0, 'unsatisfiable'],
    // Ignored, as RFC 9110 allows: the whole object is sent.
    ['bytes=5-1', 100, undefined],
    ['bytes=0-1,5-6', 100, undefined],
    ['items=0-1', 100, undefined],
    ['bytes=-', 100, undefined],
    ['bytes=a-b', 100, undefined],
  ])('%s of %s bytes: %j', (header, size, expected) => {
    expect(parseRangeHeader(header, size)).toEqual(expected);
  });
});

describe('isNotModified', () => {
  const object = { etag: 'abc123', lastModified: new Date('2026-12-01T10:00:00.750Z') };

  it.each([
    ['"abc123"', true],
    ['W/"abc123"', true],
    ['"other", "abc123"', true],
    ['*', true],
    ['"other"', false],
  ])('If-None-Match %s: %s', (ifNoneMatch, expected) => {
    expect(isNotModified({ ifNoneMatch }, object)).toBe(expected);
  });

  it('If-Modified-Since compares to the second, and If-None-Match wins over it', () => {
    expect(isNotModified({ ifModifiedSince: 'Tue, 01 Dec 2026 10:00:00 GMT' }, object)).toBe(true);
    expect(isNotModified({ ifModifiedSince: 'Tue, 01 Dec 2026 09:59:59 GMT' }, object)).toBe(false);
    expect(isNotModified({ ifModifiedSince: 'not a date' }, object)).toBe(false);
    expect(
      isNotModified(
        { ifNoneMatch: '"other"', ifModifiedSince: 'Tue, 01 Dec 2026 11:00:00 GMT' },
        object,
      ),
    ).toBe(false);
    expect(isNotModified({}, object)).toBe(false);
  });
});
