import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createYieldToBrowser, FRAME_FALLBACK_MS } from '../src/timers.ts';

describe('yielding to the browser between mounts', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => {
    expect(vi.getTimerCount()).toBe(0);
    vi.useRealTimers();
  });

  it('waits for an animation frame in a visible tab and cancels the fallback timer', async () => {
    const raf = vi.fn((cb: () => void) => {
      queueMicrotask(cb);
      return 1;
    });
    const yieldNow = createYieldToBrowser({
      requestAnimationFrame: raf,
      cancelAnimationFrame: vi.fn(),
    });
    await yieldNow();
    expect(raf).toHaveBeenCalledTimes(1);
  });

  it('uses a zero timer in a hidden tab, where frames never come', async () => {
    const hidden = { hidden: true } as Document;
    const raf = vi.fn(() => 1);
    const yieldNow = createYieldToBrowser({ document: hidden, requestAnimationFrame: raf });
    let done = false;
    void yieldNow().then(() => {
      done = true;
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(done).toBe(true);
    expect(raf).not.toHaveBeenCalled();
  });

  it('falls back to a timer when no frame arrives, and cancels the frame', async () => {
    const caf = vi.fn();
    const yieldNow = createYieldToBrowser({
      requestAnimationFrame: () => 7,
      cancelAnimationFrame: caf,
    });
    let done = false;
    void yieldNow().then(() => {
      done = true;
    });
    await vi.advanceTimersByTimeAsync(FRAME_FALLBACK_MS - 1);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(done).toBe(true);
    expect(caf).toHaveBeenCalledWith(7);
  });

  it('with the global requestAnimationFrame (faked), a frame ends the wait', async () => {
    const yieldNow = createYieldToBrowser();
    let done = false;
    void yieldNow().then(() => {
      done = true;
    });
    await vi.advanceTimersByTimeAsync(20);
    expect(done).toBe(true);
  });
});
