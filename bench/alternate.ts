/**
 * The variants in a different order for each repetition (a rotation), so that no variant always
 * runs first, right after another, or at the same point of the server's drift.
 *
 * @param variants - the compared variants
 * @param repetition - the repetition's number, from 0
 */
export function rotation<T>(variants: readonly T[], repetition: number): T[] {
  const shift = variants.length === 0 ? 0 : repetition % variants.length;
  return [...variants.slice(shift), ...variants.slice(0, shift)];
}
