import { afterEach, describe, expect, setDefaultTimeout, test } from 'bun:test';
import { closeRigs, fakeExt, rig, spawn } from './harness.ts';

// Real children on a shared 2-core machine: generous per-test budget, tight deadlines inside.
setDefaultTimeout(20_000);
afterEach(closeRigs);

describe('backend process spawn options', () => {
  const bad: Array<[string, Record<string, unknown>, string]> = [
    ['absolute entry', { entry: '/etc/passwd.js' }, 'entry'],
    ['entry with ..', { entry: 'dist/../outside.js' }, 'entry'],
    ['entry outside dist', { entry: 'outside.js' }, 'entry'],
    ['wrong extension', { entry: 'dist/data.txt' }, 'entry'],
    ['missing entry file', { entry: 'dist/nope.js' }, 'entry'],
    ['symlink out of dist', { entry: 'dist/escape.js' }, 'entry'],
    ['backslashes', { entry: 'dist\\echo.js' }, 'entry'],
    ['no entry', { entry: undefined }, 'entry'],
    ['kind not a string', { entry: 'dist/echo.js', kind: 5 }, 'kind'],
    ['metadata an array', { entry: 'dist/echo.js', metadata: [] }, 'metadata'],
    ['timeout a string', { entry: 'dist/echo.js', startupTimeoutMs: '5' }, 'startupTimeoutMs'],
    [
      'replaceExisting not boolean',
      { entry: 'dist/echo.js', replaceExisting: 'yes' },
      'replaceExisting',
    ],
  ];

  test.each(bad)('%s → INVALID_OPTIONS, nothing started', async (_name, options, path) => {
    const r = rig();
    const ext = fakeExt('process');
    const result = await spawn(r, ext, options as never);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('INVALID_OPTIONS');
      expect(result.error.details).toMatchObject({ path });
    }
    expect(ext.posts).toEqual([]);
    expect(r.service.backend.pids()).toEqual([]);
  });

  test('options that are not an object are refused', async () => {
    const r = rig();
    const ext = fakeExt('process');
    await expect(
      r.service.handle(ext, {
        type: 'backend_process_spawn',
        requestId: 'r',
        options: 'dist/echo.js' as never,
      }),
    ).rejects.toMatchObject({ code: 'INVALID_OPTIONS' });
  });

  test('frontend process requests reject with a clear INTERNAL error until supervision lands', async () => {
    const r = rig();
    const ext = fakeExt('process');
    await expect(
      r.service.handle(ext, { type: 'frontend_process_list', requestId: 'l' }),
    ).rejects.toMatchObject({
      code: 'INTERNAL',
      message: '[spindle] frontend process supervision is not available yet',
    });
  });

  test('a worker-mode extension still gets a subprocess', async () => {
    const r = rig();
    const ext = fakeExt('worker');
    const result = await spawn(r, ext, { entry: 'dist/echo.js' });
    if (!result.ok) throw new Error(result.error.message);
    const pid = r.service.backend.pidOf(result.info.processId);
    expect(pid).toBeNumber();
    expect(pid).not.toBe(process.pid);
  });
});
