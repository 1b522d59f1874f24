import type { SpindleFrontendContext } from '@spindle/types';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { ExtensionHost, LoadTicket, Transport, TransportState } from '../src/index.ts';
import * as sdk from '../src/index.ts';
import * as testing from '../src/testing/index.ts';

describe('public API', () => {
  it('exports the documented runtime values', () => {
    expect(Object.keys(sdk).sort()).toEqual(
      [
        'DEFAULT_DISPOSE_GRACE_MS',
        'DEFAULT_DRIVER_DEADLINES',
        'DEFAULT_IMPORT_TIMEOUT_MS',
        'DEFAULT_LANES',
        'DEFAULT_LANE_HOLD_MS',
        'DEFAULT_OUTBOUND_LIMIT',
        'DEFAULT_READY_TIMEOUT_MS',
        'DEFAULT_RELOAD_WINDOW_MS',
        'DEFAULT_SETUP_TIMEOUT_MS',
        'DEFAULT_STARTUP_QUEUE_LIMIT',
        'EXTENSION_ATTRIBUTE',
        'FRAME_FALLBACK_MS',
        'LIFECYCLE_UPLINKS',
        'createExtensionHost',
        'createMemoryTransport',
        'createModuleLoader',
        'createWorkerConnector',
        'createWorkerRealmApi',
        'createYieldToBrowser',
        'exposeWorkerRealm',
        'globalTimers',
        'yieldMicrotask',
      ].sort(),
    );
    expect(Object.keys(testing).sort()).toEqual(['createMemoryTransport', 'createTestContext']);
    expect(sdk.DEFAULT_LANES).toBe(4);
    expect(sdk.DEFAULT_IMPORT_TIMEOUT_MS).toBe(10_000);
    expect(sdk.DEFAULT_OUTBOUND_LIMIT).toBe(1_000);
  });

  it('keeps the Transport contract the host bridge implements', () => {
    expectTypeOf<TransportState>().toEqualTypeOf<'connecting' | 'open' | 'closed'>();
    expectTypeOf<Transport['send']>().parameters.toEqualTypeOf<
      [sdk.ExtensionHostEvents['dropped']['message'] & {}]
    >();
    expectTypeOf<Transport['onMessage']>().returns.toEqualTypeOf<() => void>();
    expectTypeOf<ExtensionHost['load']>().returns.toEqualTypeOf<LoadTicket>();
    expectTypeOf<testing.TestContext['ctx']>().toEqualTypeOf<SpindleFrontendContext>();
    // @ts-expect-error isolation is 'main' | 'worker'
    const bad: sdk.LoadOptions = { isolation: 'iframe' };
    expect(bad).toBeDefined();
  });
});
