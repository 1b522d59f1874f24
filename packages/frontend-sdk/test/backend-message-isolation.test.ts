import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ExtensionErrorEvent } from '../src/index.ts';
import { createTestContext, type TestContext } from '../src/testing/index.ts';

describe('onBackendMessage handlers', () => {
  let t: TestContext | undefined;
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => {
    t?.dispose();
    t = undefined;
    vi.useRealTimers();
  });

  it('one throwing handler does not stop the others, and is reported', async () => {
    t = await createTestContext();
    const got: string[] = [];
    const errors: ExtensionErrorEvent[] = [];
    t.host.events.on('error', (e) => errors.push(e));
    t.ctx.onBackendMessage((m) => got.push(`a:${String(m)}`));
    t.ctx.onBackendMessage(() => {
      throw new Error('handler b broke');
    });
    t.ctx.onBackendMessage((m) => got.push(`c:${String(m)}`));
    t.backend.send('hi');
    expect(got).toEqual(['a:hi', 'c:hi']);
    expect(errors).toEqual([
      {
        extensionId: 'test_extension',
        phase: 'backend_message_handler',
        message: 'handler b broke',
      },
    ]);
  });

  it('unsubscribe removes one handler; calling it twice is harmless', async () => {
    t = await createTestContext();
    const a = vi.fn();
    const b = vi.fn();
    const offA = t.ctx.onBackendMessage(a);
    t.ctx.onBackendMessage(b);
    offA();
    offA();
    t.backend.send(1);
    expect(a).not.toHaveBeenCalled();
    expect(b).toHaveBeenCalledWith(1);
  });

  it('counts a backend message for an extension this tab has not loaded', async () => {
    t = await createTestContext();
    t.backend.remote.send({ type: 'backend_message', extensionId: 'someone_else', payload: 1 });
    expect(t.host.stats().backendMessagesDropped).toBe(1);
  });

  it('an app event listener that throws does not break delivery', async () => {
    t = await createTestContext();
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
    t.host.events.on('dropped', () => {
      throw new Error('app bug');
    });
    t.backend.remote.send({ type: 'backend_message', extensionId: 'nobody', payload: 1 });
    const got = vi.fn();
    t.ctx.onBackendMessage(got);
    t.backend.send(2);
    expect(got).toHaveBeenCalledWith(2);
    expect(spy).toHaveBeenCalledTimes(1);
    spy.mockRestore();
  });
});
