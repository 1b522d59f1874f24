import { describe, expect, it } from 'vitest';
import { CRASH_POLICY_DEFAULTS, CrashPolicy } from '../../src/runtime/crash-policy.ts';

describe('CrashPolicy', () => {
  it('doubles the delay from 1 s and gives up at the third crash within 5 minutes', () => {
    const policy = new CrashPolicy();
    expect(policy.recordCrash(0)).toEqual({ action: 'restart', delayMs: 1000, crashesInWindow: 1 });
    expect(policy.recordCrash(10_000)).toEqual({
      action: 'restart',
      delayMs: 2000,
      crashesInWindow: 2,
    });
    expect(policy.recordCrash(20_000)).toEqual({ action: 'give_up', crashesInWindow: 3 });
  });

  it('keeps restarting when crashes are spread wider than the window, capping at 60 s', () => {
    const policy = new CrashPolicy({ crashLimit: 100 });
    const delays: number[] = [];
    for (let i = 0; i < 9; i++) {
      const decision = policy.recordCrash(i * 1000);
      if (decision.action === 'restart') delays.push(decision.delayMs);
    }
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000]);
  });

  it('forgets crashes older than the window', () => {
    const policy = new CrashPolicy();
    const { windowMs } = CRASH_POLICY_DEFAULTS;
    policy.recordCrash(0);
    policy.recordCrash(windowMs - 1);
    // The first crash has left the window: two crashes inside it, not three.
    expect(policy.recordCrash(windowMs + 1).action).toBe('restart');
    expect(policy.recordCrash(windowMs + 2).action).toBe('give_up');
  });

  it('starts the backoff over after a whole window without crashes', () => {
    const policy = new CrashPolicy();
    policy.recordCrash(0);
    policy.recordCrash(1);
    const later = policy.recordCrash(CRASH_POLICY_DEFAULTS.windowMs * 2);
    expect(later).toEqual({ action: 'restart', delayMs: 1000, crashesInWindow: 1 });
  });

  it('reset() forgets every crash', () => {
    const policy = new CrashPolicy();
    policy.recordCrash(0);
    policy.recordCrash(1);
    policy.reset();
    expect(policy.recordCrash(2)).toEqual({ action: 'restart', delayMs: 1000, crashesInWindow: 1 });
  });
});
