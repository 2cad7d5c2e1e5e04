/**
 * The byte range a `Range` header value (`bytes=START-END`, `bytes=START-`, `bytes=-SUFFIX`)
 * selects in an object of `size` bytes, as S3 answers it: an end past the object is cut to its
 * last byte, and a suffix longer than the object selects all of it. `undefined` when the range is
 * not satisfiable (S3 then answers 416 `InvalidRange`): a start at or past the end, a zero-length
 * suffix, or any range on an empty object. `null` when the value is not a single byte range,
 * which HTTP servers ignore.
 * @internal
 */
export function resolveRange(
  header: string,
  size: number,
): { start: number; end: number } | undefined | null {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return null;
  const [, first, last] = match;
  if (first !== '' && last !== '' && Number(last) < Number(first)) return null;
  if (size === 0) return undefined;
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0) return undefined;
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  if (start >= size) return undefined;
  return { start, end: last === '' ? size - 1 : Math.min(Number(last), size - 1) };
}
