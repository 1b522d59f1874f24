/** Runtime limits: defaults, layers (env < host options < per extension), refusals. */
import { describe, expect, it } from 'vitest';
import {
  RUNTIME_LIMIT_DEFAULTS,
  readRuntimeLimitsEnv,
  resolveRuntimeLimits,
  runtimeLimitsResolver,
} from '../../src/runtime/limits.ts';

describe('resolveRuntimeLimits', () => {
  it('fills defaults and lets each later layer win', () => {
    expect(resolveRuntimeLimits()).toEqual(RUNTIME_LIMIT_DEFAULTS);
    const limits = resolveRuntimeLimits(
      { memoryLimitMb: 256, pingTimeoutMs: 5000 },
      { memoryLimitMb: 128 },
      undefined,
      { pingTimeoutMs: 0 },
    );
    expect(limits).toMatchObject({ memoryLimitMb: 128, pingTimeoutMs: 0, logBurst: 1000 });
  });

  it('refuses what is not a whole number, negative, or 0 where 0 means nothing', () => {
    for (const bad of [
      { memoryLimitMb: -1 },
      { memoryLimitMb: 1.5 },
      { pingIntervalMs: 0 },
      { inboundQueueBytes: Number.NaN },
      { logBurst: '10' as unknown as number },
    ]) {
      expect(() => resolveRuntimeLimits(bad)).toThrow(
        expect.objectContaining({ code: 'INVALID_OPTIONS' }),
      );
    }
    expect(() => resolveRuntimeLimits({ pingIntervalMs: 0 })).toThrow(/pingIntervalMs/);
  });
});

describe('readRuntimeLimitsEnv', () => {
  it('reads the variables and warns once for each unusable one', () => {
    const warnings: string[] = [];
    const limits = readRuntimeLimitsEnv(
      {
        LUMIVERSE_SPINDLE_MEMORY_LIMIT_MB: ' 1024 ',
        LUMIVERSE_SPINDLE_PING_TIMEOUT_MS: 'soon',
        LUMIVERSE_SPINDLE_INBOUND_QUEUE_BYTES: '0',
      },
      (line) => warnings.push(line),
    );
    expect(limits).toEqual({ memoryLimitMb: 1024 });
    expect(warnings).toEqual([
      '[spindle] LUMIVERSE_SPINDLE_PING_TIMEOUT_MS="soon" is not a whole number ≥ 0; using 10000',
      '[spindle] LUMIVERSE_SPINDLE_INBOUND_QUEUE_BYTES="0" is not a whole number ≥ 1; using 33554432',
    ]);
  });
});

describe('runtimeLimitsResolver', () => {
  it('gives each extension its own layer over the host-wide one, and checks every layer at once', () => {
    const limitsOf = runtimeLimitsResolver(
      { memoryLimitMb: 256 },
      { pingTimeoutMs: 3000 },
      {
        hog: { memoryLimitMb: 64 },
      },
    );
    expect(limitsOf('hog')).toMatchObject({ memoryLimitMb: 64, pingTimeoutMs: 3000 });
    expect(limitsOf('other')).toMatchObject({ memoryLimitMb: 256, pingTimeoutMs: 3000 });
    expect(() => runtimeLimitsResolver({}, {}, { bad: { logBurst: 0 } })).toThrow(/logBurst/);
  });
});
