import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTestContext, type TestContext } from '../src/testing/index.ts';

describe('process kind registration', () => {
  let t: TestContext | undefined;
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => {
    t?.dispose();
    t = undefined;
    vi.useRealTimers();
  });

  it('trims the kind on registration and on spawn', async () => {
    t = await createTestContext();
    const seen: string[] = [];
    t.ctx.processes.register('  sync  ', (p) => {
      seen.push(p.kind);
      p.ready();
    });
    const process = t.backend.spawn('sync ');
    await process.whenReady();
    expect(seen).toEqual(['sync']);
  });

  it.each([[''], ['   '], [42], [undefined]])(
    'rejects kind %j with INVALID_OPTIONS',
    async (kind) => {
      t = await createTestContext();
      const ctx = t.ctx;
      expect(() => ctx.processes.register(kind as string, () => {})).toThrow(
        expect.objectContaining({ code: 'INVALID_OPTIONS' }),
      );
    },
  );

  it('rejects a handler that is not a function', async () => {
    t = await createTestContext();
    const ctx = t.ctx;
    expect(() => ctx.processes.register('k', 'nope' as never)).toThrow(
      /handler must be a function/,
    );
  });

  it('lets the last registration of a kind win', async () => {
    t = await createTestContext();
    const calls: string[] = [];
    t.ctx.processes.register('job', () => {
      calls.push('first');
    });
    t.ctx.processes.register('job', (p) => {
      calls.push('second');
      p.ready();
    });
    await t.backend.spawn('job').whenReady();
    expect(calls).toEqual(['second']);
  });

  it('ignores unregistering an older registration of the kind', async () => {
    t = await createTestContext();
    const offFirst = t.ctx.processes.register('job', () => {});
    t.ctx.processes.register('job', (p) => p.ready());
    offFirst();
    offFirst();
    await expect(t.backend.spawn('job').whenReady()).resolves.toBeUndefined();
  });

  it('unregistering the current registration makes the kind unknown again', async () => {
    t = await createTestContext();
    const off = t.ctx.processes.register('job', (p) => p.ready());
    off();
    const process = t.backend.spawn('job');
    const end = await process.whenEnded();
    expect(end.state).toBe('failed');
    expect(process.ended?.error).toMatch(
      /no frontend process handler for kind 'job' \(registered: none\)/,
    );
  });

  it('fails the spawn of an unregistered kind with a message naming the known kinds', async () => {
    t = await createTestContext();
    t.ctx.processes.register('alpha', () => {});
    t.ctx.processes.register('beta', () => {});
    const process = t.backend.spawn('gamma');
    const end = await process.whenEnded();
    expect(end).toMatchObject({ state: 'failed', exitReason: 'failed' });
    expect(process.ended).toEqual({
      outcome: 'failed',
      error:
        "[spindle] extension test_extension has no frontend process handler for kind 'gamma' (registered: 'alpha', 'beta')",
    });
  });

  it('keeps a running process on its original handler after re-registration', async () => {
    t = await createTestContext();
    const got: string[] = [];
    t.ctx.processes.register('job', (p) => {
      p.onMessage((m) => got.push(`old:${String(m)}`));
      p.ready();
    });
    const process = t.backend.spawn('job');
    await process.whenReady();
    t.ctx.processes.register('job', (p) => {
      p.onMessage((m) => got.push(`new:${String(m)}`));
      p.ready();
    });
    process.send('x');
    expect(got).toEqual(['old:x']);
  });
});
