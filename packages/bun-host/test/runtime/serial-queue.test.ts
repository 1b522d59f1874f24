import { describe, expect, it } from 'vitest';
import { SerialQueue } from '../../src/runtime/serial-queue.ts';

describe('SerialQueue', () => {
  it('runs jobs one at a time, in order', async () => {
    const queue = new SerialQueue();
    const log: string[] = [];
    let running = 0;
    let maxRunning = 0;
    const job = (name: string) => async () => {
      running += 1;
      maxRunning = Math.max(maxRunning, running);
      log.push(`start ${name}`);
      await Promise.resolve();
      await Promise.resolve();
      log.push(`end ${name}`);
      running -= 1;
      return name;
    };
    const results = await Promise.all([
      queue.run(job('a')),
      queue.run(job('b')),
      queue.run(job('c')),
    ]);
    expect(results).toEqual(['a', 'b', 'c']);
    expect(maxRunning).toBe(1);
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  });

  it('a failing job rejects its caller and does not block the next one', async () => {
    const queue = new SerialQueue();
    const failed = queue.run(async () => {
      throw new Error('nope');
    });
    const next = queue.run(async () => 'next');
    await expect(failed).rejects.toThrow('nope');
    await expect(next).resolves.toBe('next');
    await queue.idle();
    expect(queue.pending).toBe(0);
  });
});
