import { readFile } from 'node:fs/promises';

/** The parts of a V8 `.cpuprofile` that the summary reads. */
interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    children?: number[];
  }[];
  /** Microseconds, on the clock of `process.hrtime` (CLOCK_MONOTONIC on Linux). */
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Where the main thread's time went, by category, in rows of the report. */
export const CATEGORIES = [
  'MD5/hashing (library, other)',
  'hashing for the SDK',
  'socket I/O + HTTP',
  'file I/O',
  'streams',
  'Buffer copies + allocation',
  'SDK signing (signature-v4)',
  'AWS SDK + smithy',
  'nest-bucket',
  '(garbage collector)',
  '(program)',
  'other',
  '(idle)',
] as const;

/** A category of {@link CATEGORIES}. */
export type Category = (typeof CATEGORIES)[number];

/** One function's self time. */
export interface HotFunction {
  functionName: string;
  /** `url:line` (1-based line), or empty for native code. */
  location: string;
  category: Category;
  selfSeconds: number;
}

/** A main-thread profile, reduced to the timed transfer's window. */
export interface ProfileSummary {
  /** Whether the samples were cut to the timed window (false: the whole process). */
  windowed: boolean;
  /** Sampled wall time that was not `(idle)`, in seconds. */
  busySeconds: number;
  /** Self time per category, in seconds. */
  categories: Record<Category, number>;
  /** The functions with the most self time, most first. */
  top: HotFunction[];
}

const SDK = /@aws-sdk|@smithy|@aws-crypto/;

/** The category of a frame by its URL; undefined for native code (no URL). */
function byUrl(url: string): Category | undefined {
  if (url.startsWith('node:internal/crypto/hash')) return 'MD5/hashing (library, other)';
  if (/^node:(net|http|_http_|internal\/http|internal\/stream_base_commons)/.test(url))
    return 'socket I/O + HTTP';
  if (/^node:(fs|internal\/fs\/)/.test(url)) return 'file I/O';
  if (/^node:(stream|internal\/streams\/)/.test(url)) return 'streams';
  if (/^node:(buffer|internal\/buffer)/.test(url)) return 'Buffer copies + allocation';
  if (url.includes('signature-v4')) return 'SDK signing (signature-v4)';
  if (SDK.test(url)) return 'AWS SDK + smithy';
  if (url.includes('/libs/bucket/')) return 'nest-bucket';
  return url ? 'other' : undefined;
}

/**
 * Reads a `.cpuprofile` and sums its self time by category and by function. A sample's time is
 * the gap to the next sample. Native frames (no URL: `writev`, `writeBuffer`, `read`) are
 * charged to the category of their nearest JavaScript caller (a socket's or a file's). Hashing
 * called from SDK code (SigV4's SHA-256, checksums) is counted apart from the rest (the
 * library's MD5). Only samples in `[startUs, endUs]` count when that window overlaps the
 * profile; otherwise the whole profile does.
 *
 * @param path - the `.cpuprofile` file
 * @param window - the timed transfer, in `process.hrtime` microseconds
 * @param topCount - how many functions to list
 */
export async function summariseProfile(
  path: string,
  window: { startUs: number; endUs: number },
  topCount = 15,
): Promise<ProfileSummary> {
  const profile = JSON.parse(await readFile(path, 'utf8')) as CpuProfile;
  const parent = new Map<number, number>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parent.set(child, node.id);
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const categoryOf = new Map<number, Category>();
  const classify = (id: number): Category => {
    const cached = categoryOf.get(id);
    if (cached) return cached;
    const { functionName, url } = byId.get(id)?.callFrame ?? { functionName: '', url: '' };
    let category: Category = 'other';
    if (['(idle)', '(program)', '(garbage collector)'].includes(functionName)) {
      category = functionName as Category;
    } else {
      let found = byUrl(url);
      for (let up = parent.get(id); !found && up !== undefined; up = parent.get(up)) {
        const frame = byId.get(up)?.callFrame;
        found = frame && byUrl(frame.url);
      }
      category = found ?? 'other';
      if (category === 'MD5/hashing (library, other)') {
        let up = parent.get(id);
        while (up !== undefined && !SDK.test(byId.get(up)?.callFrame.url ?? ''))
          up = parent.get(up);
        if (up !== undefined) category = 'hashing for the SDK';
      }
    }
    categoryOf.set(id, category);
    return category;
  };

  const overlaps = window.startUs < profile.endTime && window.endUs > profile.startTime;
  const categories = Object.fromEntries(CATEGORIES.map((c) => [c, 0])) as Record<Category, number>;
  const functions = new Map<string, HotFunction>();
  let time = profile.startTime;
  profile.samples.forEach((id, i) => {
    time += profile.timeDeltas[i] ?? 0;
    const seconds = Math.max(0, profile.timeDeltas[i + 1] ?? 0) / 1e6;
    if (overlaps && (time < window.startUs || time > window.endUs)) return;
    const category = classify(id);
    categories[category] += seconds;
    const frame = byId.get(id)?.callFrame ?? { functionName: '?', url: '', lineNumber: -1 };
    const location = frame.url ? `${frame.url}:${frame.lineNumber + 1}` : '';
    const key = `${frame.functionName}@${location}@${category}`;
    const hot = functions.get(key) ?? {
      functionName: frame.functionName || '(anonymous)',
      location,
      category,
      selfSeconds: 0,
    };
    hot.selfSeconds += seconds;
    functions.set(key, hot);
  });
  const total = Object.values(categories).reduce((sum, s) => sum + s, 0);
  return {
    windowed: overlaps,
    busySeconds: total - categories['(idle)'],
    categories,
    top: [...functions.values()]
      .filter((f) => f.category !== '(idle)')
      .sort((a, b) => b.selfSeconds - a.selfSeconds)
      .slice(0, topCount),
  };
}
