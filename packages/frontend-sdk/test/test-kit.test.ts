import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTestContext, type TestContext } from '../src/testing/index.ts';
import { setup } from './fixtures/sample-extension.ts';

describe('author test kit on a sample extension', () => {
  let t: TestContext | undefined;
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    t?.dispose();
    t = undefined;
    expect(vi.getTimerCount()).toBe(0);
    vi.useRealTimers();
  });

  it('mounts the extension and hands out its ctx', async () => {
    t = await createTestContext({ setup });
    expect(t.state).toBe('ready');
    expect(t.ctx.manifest.identifier).toBe('test_extension');
    expect(document.head.querySelectorAll('style')).toHaveLength(1);
  });

  it('feeds backend messages in and records what the extension sent', async () => {
    t = await createTestContext({ setup });
    t.backend.send('ping');
    t.backend.send({ n: 2 });
    expect(t.backend.messages).toEqual([{ echo: 'ping' }, { echo: { n: 2 } }]);
  });

  it('spawns a process, awaits ready, observes heartbeats and messages, and sees it complete', async () => {
    t = await createTestContext({ setup });
    const process = t.backend.spawn('counter', { payload: { start: 0 } });
    await process.whenReady();
    expect(process.info.state).toBe('running');
    await vi.advanceTimersByTimeAsync(3_000);
    expect(process.heartbeats).toBe(3);
    process.send('a');
    process.send('b');
    process.send('c');
    expect(process.messages).toEqual([
      { count: 1, got: 'a' },
      { count: 2, got: 'b' },
      { count: 3, got: 'c' },
    ]);
    const end = await process.whenEnded();
    expect(end.state).toBe('completed');
    expect(end.exitReason).toBe('completed');
    expect(process.ended).toEqual({ outcome: 'completed' });
    await vi.advanceTimersByTimeAsync(5_000);
    expect(process.heartbeats).toBe(3);
  });

  it('requests a graceful stop and asserts the terminal state and exit reason', async () => {
    t = await createTestContext({ setup });
    const process = t.backend.spawn('counter');
    await process.whenReady();
    process.stop({ reason: 'user closed the panel' });
    const end = await process.whenEnded();
    expect(process.messages).toEqual([{ stopping: 'user closed the panel' }]);
    expect(end).toMatchObject({ state: 'stopped', exitReason: 'stopped' });
    expect(process.ended).toEqual({ outcome: 'stopped' });
  });

  it('reports an unregistered kind as a failed process', async () => {
    t = await createTestContext({ setup });
    const process = t.backend.spawn('nope');
    await expect(process.whenReady()).rejects.toThrow(
      /no frontend process handler for kind 'nope'/,
    );
    expect(process.ended?.outcome).toBe('failed');
  });

  it('unloads: processes end frontend_unloaded and the DOM is clean', async () => {
    t = await createTestContext({ setup });
    const process = t.backend.spawn('counter');
    await process.whenReady();
    t.unload();
    expect(process.info).toMatchObject({ state: 'stopped', exitReason: 'frontend_unloaded' });
    expect(process.ended).toEqual({ outcome: 'frontend_unloaded' });
    expect(document.head.querySelectorAll('style')).toHaveLength(0);
    expect(t.state).toBeUndefined();
  });

  it('returns a context in error state when setup throws', async () => {
    t = await createTestContext({
      setup: () => {
        throw new Error('boom');
      },
    });
    expect(t.state).toBe('error');
    expect(t.mount.error).toMatch(/setup\(\) of extension test_extension failed: boom/);
    expect(() => t?.ctx.sendToBackend('x')).toThrow(
      '[spindle] extension test_extension failed to load: ctx.sendToBackend() is no longer available',
    );
  });
});
