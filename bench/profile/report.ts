import { renderTable } from '../table';
import { CATEGORIES, type Category, type HotFunction } from './summarise';

/** One profiled transfer, every time and CPU figure in seconds per GiB moved. */
export interface ProfiledVariant {
  /** Short column title: `up:lib`, `down:curl`. */
  column: string;
  /** What ran: `upload: nest-bucket, verifyChecksums: false`. */
  name: string;
  wallSecondsPerGiB: number;
  mibPerSecond: number;
  /** User + system of the whole process (every thread: libuv's pool, V8's helpers). */
  processCpuSecondsPerGiB: number;
  /** User + system of the main thread alone (/proc); absent for curl. */
  mainThreadCpuSecondsPerGiB?: number;
  /** The main thread's `--cpu-prof` profile; absent for curl, which V8 cannot profile. */
  profile?: {
    /** The `.cpuprofile`, for Chrome DevTools or speedscope. */
    file: string;
    /** Whether only the timed transfer's samples were kept (false: the whole process). */
    windowed: boolean;
    /** The timed transfer, in the profile's microseconds: to summarise the file again. */
    window: { startUs: number; endUs: number };
    /** Sampled time not `(idle)`: on a busy machine, also time the thread waited for a core. */
    busySecondsPerGiB: number;
    categories: Record<Category, number>;
    top: HotFunction[];
  };
}

const cell = (value: number | undefined) => (value === undefined ? '-' : value.toFixed(3));

/**
 * The report: one column per variant, one row per figure (seconds per GiB unless said), then each
 * variant's hottest functions by self time.
 *
 * @param variants - the profiled transfers, in column order
 * @param topCount - how many hot functions to list per variant
 */
export function renderProfileReport(variants: ProfiledVariant[], topCount: number): string {
  const row = (label: string, pick: (v: ProfiledVariant) => number | undefined) => [
    label,
    ...variants.map((v) => cell(pick(v))),
  ];
  const table = renderTable(
    ['s per GiB', ...variants.map((v) => v.column)],
    [
      row('wall time', (v) => v.wallSecondsPerGiB),
      ['MiB/s', ...variants.map((v) => v.mibPerSecond.toFixed(0))],
      row('CPU, whole process', (v) => v.processCpuSecondsPerGiB),
      row('CPU, main thread', (v) => v.mainThreadCpuSecondsPerGiB),
      row('main thread busy (profile)', (v) => v.profile?.busySecondsPerGiB),
      ...CATEGORIES.map((c) => row(`  ${c}`, (v) => v.profile?.categories[c])),
    ],
  );
  const width = Math.max(...variants.map((v) => v.column.length));
  const legend = variants.map((v) => `  ${v.column.padEnd(width)}  ${v.name}`).join('\n');
  const hot = variants
    .filter((v) => v.profile)
    .map((v) => {
      const lines = (v.profile?.top ?? [])
        .slice(0, topCount)
        .map(
          (f) =>
            `  ${f.selfSeconds.toFixed(3).padStart(7)}  ${f.functionName}  ${f.location || '(native)'}  [${f.category}]`,
        );
      return [`${v.column}: top self time, s per GiB (${v.profile?.file ?? ''})`, ...lines].join(
        '\n',
      );
    })
    .join('\n\n');
  const note = variants.some((v) => v.profile && !v.profile.windowed)
    ? '\nNote: a profile did not cover the timed window; its whole process was summarised.'
    : '';
  const busy =
    '"busy" is sampled wall time not idle: above the CPU row when the thread waited for a core.';
  return `${table}\n${busy}\n\n${legend}\n\n${hot}${note}`;
}
