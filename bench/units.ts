/** One kibibyte. */
export const KIB = 1024;
/** One mebibyte. */
export const MIB = 1024 * KIB;
/** One gibibyte. */
export const GIB = 1024 * MIB;

/**
 * A byte count in the unit that reads best: `256 MiB`, `1 GiB`.
 *
 * @param bytes - the count
 */
export function formatBytes(bytes: number): string {
  if (bytes >= GIB && bytes % GIB === 0) return `${bytes / GIB} GiB`;
  if (bytes >= MIB) return `${+(bytes / MIB).toFixed(1)} MiB`;
  if (bytes >= KIB) return `${+(bytes / KIB).toFixed(1)} KiB`;
  return `${bytes} B`;
}

/**
 * Throughput in MiB/s.
 *
 * @param bytes - bytes moved
 * @param ms - time taken, in milliseconds
 */
export function mibPerSecond(bytes: number, ms: number): number {
  return bytes / MIB / (ms / 1000);
}
