import { afterEach, describe, expect, it, vi } from 'vitest';
import { consoleLogger, resolveRuntimeMode } from '../../src/host.ts';

describe('resolveRuntimeMode', () => {
  it('takes the option first, then LUMIVERSE_SPINDLE_RUNTIME_MODE, then process', () => {
    expect(resolveRuntimeMode('worker', { LUMIVERSE_SPINDLE_RUNTIME_MODE: 'sandbox' })).toBe(
      'worker',
    );
    expect(resolveRuntimeMode(undefined, { LUMIVERSE_SPINDLE_RUNTIME_MODE: ' sandbox ' })).toBe(
      'sandbox',
    );
    expect(resolveRuntimeMode(undefined, { LUMIVERSE_SPINDLE_RUNTIME_MODE: '' })).toBe('process');
    expect(resolveRuntimeMode(undefined, {})).toBe('process');
  });

  it('refuses an unknown mode with INVALID_OPTIONS', () => {
    expect(() => resolveRuntimeMode(undefined, { LUMIVERSE_SPINDLE_RUNTIME_MODE: 'vm' })).toThrow(
      /runtime mode must be one of process, sandbox, worker, got "vm"/,
    );
  });
});

describe('consoleLogger', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('tags every line with the extension and sends warnings and stderr lines to stderr', () => {
    const out = vi.spyOn(console, 'log').mockImplementation(() => {});
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    consoleLogger({ level: 'info', message: 'one\ntwo', extensionId: 'demo', source: 'runtime' });
    consoleLogger({ level: 'info', message: 'from stderr', extensionId: 'demo', source: 'stderr' });
    consoleLogger({ level: 'warn', message: 'careful', source: 'host' });
    expect(out.mock.calls).toEqual([['[demo] one\n[demo] two']]);
    expect(err.mock.calls).toEqual([['[demo] from stderr'], ['[spindle-host] careful']]);
  });
});
