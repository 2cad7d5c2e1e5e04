/** A byte range of an object, both ends included. @internal */
export interface ResolvedRange {
  start: number;
  end: number;
}

/**
 * What a `Range` request header asks of an object of `size` bytes (RFC 9110 §14): `undefined`
 * for the whole object (no header, another unit, several ranges or a malformed one, which a
 * server may ignore), `'unsatisfiable'` for a range that starts past the end (answered 416),
 * else the range, its end clipped to the object's.
 * @internal
 */
export function parseRangeHeader(
  header: string | undefined,
  size: number,
): ResolvedRange | 'unsatisfiable' | undefined {
  if (header === undefined) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match) return undefined;
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return undefined;
  if (first === '') {
    // A suffix: the last N bytes.
    const length = Number(last);
    if (length === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - length), end: size - 1 };
  }
  const start = Number(first);
  if (last !== '' && Number(last) < start) return undefined;
  if (start >= size) return 'unsatisfiable';
  const end = last === '' ? size - 1 : Number(last);
  return { start, end: Math.min(end, size - 1) };
}

/**
 * Whether a conditional GET may be answered 304 Not Modified (RFC 9110 §13.2.2): `If-None-Match`
 * (weak comparison, `*` or a list) decides when present; otherwise `If-Modified-Since`, to the
 * second.
 * @internal
 */
export function isNotModified(
  headers: { ifNoneMatch?: string; ifModifiedSince?: string },
  object: { etag: string; lastModified: Date },
): boolean {
  if (headers.ifNoneMatch !== undefined) {
    const tags = headers.ifNoneMatch.split(',').map((tag) => tag.trim());
    const opaque = (tag: string) => tag.replace(/^W\//, '').replace(/^"(.*)"$/, '$1');
    return tags.some((tag) => tag === '*' || opaque(tag) === object.etag);
  }
  if (headers.ifModifiedSince !== undefined) {
    const since = Date.parse(headers.ifModifiedSince);
    if (Number.isNaN(since)) return false;
    return Math.floor(object.lastModified.getTime() / 1000) <= Math.floor(since / 1000);
  }
  return false;
}
