/** Texts for people: quoted names, sizes and dates. */

/** `“name”`: a name quoted for a sentence. */
export const quote = (name: string): string => `“${name}”`;

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'] as const;
const sizeFormat = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });
const bytesFormat = new Intl.NumberFormat(undefined);
const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** `5 MiB`, `1.5 KiB`, `999 B`: a size in binary units. */
export function formatSize(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${sizeFormat.format(value)} ${UNITS[unit] ?? 'B'}`;
}

/** `5,242,880 bytes`. */
export const formatBytes = (bytes: number): string =>
  `${bytesFormat.format(bytes)} byte${bytes === 1 ? '' : 's'}`;

/** `Jan 5, 2025, 3:04 PM`: a date and time in the browser's locale. */
export const formatDateTime = (date: Date): string => dateFormat.format(date);
