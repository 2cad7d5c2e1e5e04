import { setTimeout as delay } from 'node:timers/promises';
import { runPartPool } from './part-pool';

describe('runPartPool', () => {
  it('runs every index once, in order, with at most `concurrency` at a time', async () => {
    const started: number[] = [];
    let running = 0;
    let peak = 0;
    await runPartPool(10, 3, new AbortController(), async (index) => {
      started.push(index);
      running += 1;
      peak = Math.max(peak, running);
      await delay(5);
      running -= 1;
    });
    expect(started).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(peak).toBe(3);
  });

  it('on a failure starts nothing new, aborts the rest and waits for them before rejecting', async () => {
    const stop = new AbortController();
    const started: number[] = [];
    const settled: number[] = [];
    const failure = new Error('part 1 failed');
    const pool = runPartPool(8, 3, stop, async (index) => {
      started.push(index);
      try {
        if (index === 1) throw failure;
        // The others end only when told to stop, a little later.
        await new Promise((resolve) => {
          stop.signal.addEventListener('abort', resolve);
        });
        await delay(20);
      } finally {
        settled.push(index);
      }
    });
    await expect(pool).rejects.toBe(failure);
    expect(stop.signal.aborted).toBe(true);
    expect(started).toEqual([0, 1, 2]);
    expect(settled.sort()).toEqual([0, 1, 2]);
  });

  it('keeps the first error when several parts fail', async () => {
    const pool = runPartPool(4, 4, new AbortController(), async (index) => {
      await delay(index * 5);
      throw new Error(`part ${index}`);
    });
    await expect(pool).rejects.toThrow('part 0');
  });

  it('does nothing for zero parts', async () => {
    const task = vi.fn();
    await runPartPool(0, 4, new AbortController(), task);
    expect(task).not.toHaveBeenCalled();
  });
});
