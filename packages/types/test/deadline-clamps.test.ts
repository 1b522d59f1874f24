/** The deadline defaults and bounds of docs/architecture.md. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clampHeartbeatTimeout, clampStartupTimeout, PROCESS_DEFAULTS } from '../src/index.ts';

describe('clampStartupTimeout', () => {
  it('defaults to 15000 when absent or not finite', () => {
    for (const ms of [undefined, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      expect(clampStartupTimeout(ms)).toBe(15_000);
    }
    expect(clampStartupTimeout()).toBe(PROCESS_DEFAULTS.startupTimeoutMs);
  });

  it('clamps to [1000, 120000]', () => {
    expect(clampStartupTimeout(0)).toBe(1_000);
    expect(clampStartupTimeout(-5)).toBe(1_000);
    expect(clampStartupTimeout(999)).toBe(1_000);
    expect(clampStartupTimeout(2_500)).toBe(2_500);
    expect(clampStartupTimeout(120_001)).toBe(120_000);
    fc.assert(
      fc.property(fc.double({ noNaN: true }), (ms) => {
        const out = clampStartupTimeout(ms);
        expect(out).toBeGreaterThanOrEqual(1_000);
        expect(out).toBeLessThanOrEqual(120_000);
      }),
    );
  });
});

describe('clampHeartbeatTimeout', () => {
  it('defaults to 15000 when absent or not finite', () => {
    for (const ms of [undefined, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(clampHeartbeatTimeout(ms)).toBe(15_000);
    }
  });

  it('clamps to [0, 120000] and keeps 0, which disables the watchdog', () => {
    expect(clampHeartbeatTimeout(0)).toBe(0);
    expect(clampHeartbeatTimeout(-1)).toBe(0);
    expect(clampHeartbeatTimeout(500)).toBe(500);
    expect(clampHeartbeatTimeout(10 ** 9)).toBe(120_000);
  });
});
