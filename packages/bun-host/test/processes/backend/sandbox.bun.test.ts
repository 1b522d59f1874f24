import { afterEach, describe, expect, setDefaultTimeout, test } from 'bun:test';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { closeRigs, FIXTURE_EXT, fakeExt, rig, spawn, until } from './harness.ts';

setDefaultTimeout(20_000);
const PROBE = join(FIXTURE_EXT, 'dist', 'write-probe.tmp');
afterEach(async () => {
  await closeRigs();
  rmSync(PROBE, { force: true });
});

describe('backend processes in sandbox mode', () => {
  test('see the extension folder read-only, and the launch is really sandboxed', async () => {
    const r = rig();
    const ext = fakeExt('sandbox');
    const result = await spawn(r, ext, { entry: 'dist/write-probe.js' });
    if (!result.ok) throw new Error(result.error.message);
    await until(() => ext.posts.some((p) => p.type === 'backend_process_message'));
    const message = ext.posts.find((p) => p.type === 'backend_process_message');
    expect(message).toMatchObject({ payload: { wrote: false } });
    expect(existsSync(PROBE)).toBe(false);
    expect(r.logs.some((l) => l.message.includes('SANDBOX UNAVAILABLE'))).toBe(false);
  });
});
