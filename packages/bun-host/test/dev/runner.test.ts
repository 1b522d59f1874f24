/**
 * The rounds of one extension (`dev/runner.ts`) on fake timers: a burst of changes is one round,
 * two rounds never overlap, a change during a round brings exactly one more, `idle()` waits for
 * all of it, a throwing round is reported and the runner goes on, and `close()` ends it from any
 * state.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ExtensionRunner, type RunnerDeps } from '../../src/dev/runner.ts';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

function runner(round: RunnerDeps['round'] = async () => {}) {
  const errors: unknown[] = [];
  const deps: RunnerDeps = {
    debounceMs: 50,
    setTimeout: (handler, ms) => setTimeout(handler, ms),
    clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
    round,
    onError: (error) => errors.push(error),
  };
  return { runner: new ExtensionRunner(deps), errors };
}

/** A round that stays open until `finish()`. */
function gate() {
  let rounds = 0;
  const open: Array<() => void> = [];
  return {
    round: () => {
      rounds += 1;
      return new Promise<void>((resolve) => open.push(resolve));
    },
    finish: () => open.shift()?.(),
    get rounds() {
      return rounds;
    },
  };
}

describe('ExtensionRunner', () => {
  it('a burst of changes within the quiet time is one round', async () => {
    const g = gate();
    const { runner: r } = runner(g.round);
    r.changed();
    await vi.advanceTimersByTimeAsync(30);
    r.changed();
    await vi.advanceTimersByTimeAsync(30);
    r.changed();
    expect(r.state).toBe('waiting');
    await vi.advanceTimersByTimeAsync(49);
    expect(g.rounds).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect([g.rounds, r.state]).toEqual([1, 'running']);
    g.finish();
    await r.idle();
    expect(r.state).toBe('idle');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('changes during a round bring exactly one more round, never an overlapping one', async () => {
    const g = gate();
    const { runner: r } = runner(g.round);
    r.changed();
    await vi.advanceTimersByTimeAsync(50);
    r.changed();
    r.changed();
    r.changed();
    expect([g.rounds, r.state]).toEqual([1, 'running']);
    g.finish();
    await vi.advanceTimersByTimeAsync(0);
    expect(r.state).toBe('waiting');
    await vi.advanceTimersByTimeAsync(50);
    expect(g.rounds).toBe(2);
    let idle = false;
    void r.idle().then(() => {
      idle = true;
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(idle).toBe(false);
    g.finish();
    await vi.advanceTimersByTimeAsync(0);
    expect([idle, g.rounds, r.state]).toEqual([true, 2, 'idle']);
  });

  it('a round that throws is reported and the next change still runs', async () => {
    let n = 0;
    const { runner: r, errors } = runner(async () => {
      n += 1;
      if (n === 1) throw new Error('boom');
    });
    r.changed();
    await vi.advanceTimersByTimeAsync(50);
    await r.idle();
    expect(errors.map(String)).toEqual(['Error: boom']);
    r.changed();
    await vi.advanceTimersByTimeAsync(50);
    await r.idle();
    expect(n).toBe(2);
  });

  it('close() cancels a waiting round and ends a running one without a follow-up', async () => {
    const g = gate();
    const { runner: r } = runner(g.round);
    r.changed();
    r.close();
    await vi.advanceTimersByTimeAsync(100);
    expect([g.rounds, r.state, vi.getTimerCount()]).toEqual([0, 'closed', 0]);

    const h = gate();
    const { runner: s } = runner(h.round);
    s.changed();
    await vi.advanceTimersByTimeAsync(50);
    s.changed();
    const idle = s.idle();
    s.close();
    await idle;
    h.finish();
    await vi.advanceTimersByTimeAsync(100);
    expect([h.rounds, s.state]).toEqual([1, 'closed']);
    s.changed();
    await vi.advanceTimersByTimeAsync(100);
    expect(h.rounds).toBe(1);
  });
});
