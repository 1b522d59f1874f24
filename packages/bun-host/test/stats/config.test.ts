import { describe, expect, it, vi } from 'vitest';
import { DEFAULT_SAMPLE_INTERVAL_MS, readStatsConfig } from '../../src/stats/index.ts';

function read(env: Record<string, string | undefined>) {
  const warn = vi.fn();
  return { config: readStatsConfig(env, warn), warn };
}

describe('readStatsConfig', () => {
  it('is off by default, silently, whatever the interval says', () => {
    for (const env of [{}, { LUMIVERSE_SPINDLE_RUNTIME_SAMPLE_INTERVAL_MS: 'garbage' }]) {
      const { config, warn } = read(env);
      expect(config).toEqual({ enabled: false, sampleIntervalMs: 0 });
      expect(warn).not.toHaveBeenCalled();
    }
  });

  it.each(['true', '1', 'yes', 'TRUE', 'Yes', ' yes '])('%j turns stats on', (value) => {
    expect(read({ LUMIVERSE_SPINDLE_RUNTIME_STATS: value }).config.enabled).toBe(true);
  });

  it.each(['false', '0', 'no', 'on', 'enabled', ''])('%j leaves stats off', (value) => {
    expect(read({ LUMIVERSE_SPINDLE_RUNTIME_STATS: value }).config.enabled).toBe(false);
  });

  it('samples every 30 s by default, at the configured period, or never with 0', () => {
    const on = { LUMIVERSE_SPINDLE_RUNTIME_STATS: 'true' };
    expect(read(on).config.sampleIntervalMs).toBe(DEFAULT_SAMPLE_INTERVAL_MS);
    expect(DEFAULT_SAMPLE_INTERVAL_MS).toBe(30_000);
    expect(read({ ...on, LUMIVERSE_SPINDLE_RUNTIME_SAMPLE_INTERVAL_MS: '5000' }).config).toEqual({
      enabled: true,
      sampleIntervalMs: 5000,
    });
    expect(
      read({ ...on, LUMIVERSE_SPINDLE_RUNTIME_SAMPLE_INTERVAL_MS: '0' }).config.sampleIntervalMs,
    ).toBe(0);
    expect(
      read({ ...on, LUMIVERSE_SPINDLE_RUNTIME_SAMPLE_INTERVAL_MS: ' ' }).warn,
    ).not.toHaveBeenCalled();
  });

  it.each(['abc', '-5', '1.5', '1e3', '30s', '99999999999999999999'])(
    'an invalid period %j falls back to the default with one warning',
    (value) => {
      const { config, warn } = read({
        LUMIVERSE_SPINDLE_RUNTIME_STATS: '1',
        LUMIVERSE_SPINDLE_RUNTIME_SAMPLE_INTERVAL_MS: value,
      });
      expect(config.sampleIntervalMs).toBe(DEFAULT_SAMPLE_INTERVAL_MS);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(warn.mock.calls[0]![0]).toMatch(
        /LUMIVERSE_SPINDLE_RUNTIME_SAMPLE_INTERVAL_MS=.*using 30000/,
      );
    },
  );

  it('raises a tiny period to 100 ms, saying so', () => {
    const { config, warn } = read({
      LUMIVERSE_SPINDLE_RUNTIME_STATS: 'yes',
      LUMIVERSE_SPINDLE_RUNTIME_SAMPLE_INTERVAL_MS: '5',
    });
    expect(config.sampleIntervalMs).toBe(100);
    expect(warn).toHaveBeenCalledTimes(1);
  });
});
