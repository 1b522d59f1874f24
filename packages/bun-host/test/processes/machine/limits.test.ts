import { describe, expect, it } from 'vitest';
import {
  clampHeartbeatTimeoutMs,
  clampStartupTimeoutMs,
  DEFAULT_DEADLINE_RULES,
  resolveLimits,
} from '../../../src/processes/machine/index.ts';

describe('deadline defaults and clamping', () => {
  it('startup: default 15000, clamped to [1000, 120000]', () => {
    expect(clampStartupTimeoutMs(undefined)).toBe(15_000);
    expect(clampStartupTimeoutMs(Number.NaN)).toBe(15_000);
    expect(clampStartupTimeoutMs(5)).toBe(1_000);
    expect(clampStartupTimeoutMs(0)).toBe(1_000);
    expect(clampStartupTimeoutMs(2_500)).toBe(2_500);
    expect(clampStartupTimeoutMs(10_000_000)).toBe(120_000);
  });

  it('heartbeat: default 15000, clamped to [0, 120000], 0 stays 0', () => {
    expect(clampHeartbeatTimeoutMs(undefined)).toBe(15_000);
    expect(clampHeartbeatTimeoutMs(0)).toBe(0);
    expect(clampHeartbeatTimeoutMs(-5)).toBe(0);
    expect(clampHeartbeatTimeoutMs(200_000)).toBe(120_000);
  });

  it('accepts narrower test bounds in one place', () => {
    const rules = { ...DEFAULT_DEADLINE_RULES, startup: { min: 50, max: 120_000 } };
    expect(clampStartupTimeoutMs(100, rules)).toBe(100);
    expect(clampStartupTimeoutMs(1, rules)).toBe(50);
  });

  it('supervisor limits default to 16 processes and a 5 s grace', () => {
    expect(resolveLimits()).toMatchObject({ maxProcessesPerExtension: 16, stopGraceMs: 5_000 });
    expect(resolveLimits({ stopGraceMs: 100 }).stopGraceMs).toBe(100);
  });
});
