/** `ctx.host` and `ctx.frontendSessionId` on the main thread (worker realms: worker-isolation). */
import { defaultHostDescriptor, type SpindleHostDescriptorV1 } from '@spindle/types';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../src/testing/index.ts';

describe('ctx.host and ctx.frontendSessionId', () => {
  let t: TestContext | undefined;
  afterEach(() => {
    t?.dispose();
    t = undefined;
  });

  it('ctx.host is the descriptor the host sent, frozen', async () => {
    const host: SpindleHostDescriptorV1 = {
      descriptorVersion: 1,
      lumiverseVersion: '1.2.3',
      capabilities: { 'frontend-session-routing-v1': 1, 'chat-service': 2 },
      extensionInstallationId: 'demo@alice',
    };
    t = await createTestContext({ host });
    expect(t.ctx.host).toEqual(host);
    expect(Object.isFrozen(t.ctx.host)).toBe(true);
    expect(Object.isFrozen(t.ctx.host.capabilities)).toBe(true);
    expect(t.ctx.host.capabilities['frontend-session-routing-v1']).toBe(1);
  });

  it('without one, ctx.host describes this runtime', async () => {
    t = await createTestContext({ manifest: { identifier: 'plain' } });
    expect(t.ctx.host).toEqual(defaultHostDescriptor('plain'));
    expect(t.ctx.host.capabilities).toEqual({ 'frontend-session-routing-v1': 1 });
  });

  it('ctx.frontendSessionId is the transport session, read live', async () => {
    t = await createTestContext({ frontendSessionId: 'tab-1' });
    expect(t.ctx.frontendSessionId).toBe('tab-1');
    t.backend.remote.setFrontendSessionId('tab-2');
    expect(t.ctx.frontendSessionId).toBe('tab-2');
  });
});
