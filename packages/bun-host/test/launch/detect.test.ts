/** Detection on this machine (Linux CI image with bubblewrap, util-linux and Landlock). */
import { afterEach, describe, expect, it } from 'vitest';
import {
  detectSandbox,
  detectSandboxSync,
  findExecutable,
  guardCapabilitiesSync,
  resetSandboxDetection,
} from '../../src/launch/index.ts';

afterEach(() => resetSandboxDetection());

describe.skipIf(process.platform !== 'linux')('detectSandbox (real probes)', () => {
  it('finds the layers by running them, once', async () => {
    const [first, second] = await Promise.all([detectSandbox(), detectSandbox()]);
    expect(second).toBe(first);
    expect(await detectSandbox()).toBe(first);
    expect(detectSandboxSync()).toBe(first);
    expect(first).toMatchObject({
      bwrap: true,
      setpriv: true,
      sandboxExec: false,
      bunNoOrphans: true,
    });
    // Perl is Essential on Debian-like systems; elsewhere the Bun launcher stands in.
    const perl = findExecutable('perl');
    expect(first.perlLandlock).toBe(first.landlock && perl !== undefined);
    if (perl) expect(first.perlPath).toBe(perl);
    // The native launcher on x86-64 Linux, proven by its own --abi agreeing with the kernel.
    expect(first.nativeLandlock).toBe(first.landlock && process.arch === 'x64');
    if (first.nativeLandlock) expect(first.nativeLandlockPath).toMatch(/landlock-launcher-/);
    else expect(first.nativeLandlockPath).toBeUndefined();
    expect(first.bwrapPath).toMatch(/\/bwrap$/);
    expect(first.setprivPath).toMatch(/\/setpriv$/);
    if (first.landlock) expect(first.landlockAbi).toBeGreaterThan(0);
    else expect(first.reason).toMatch(/Landlock/);
  }, 30_000);

  it('the guard-only probe agrees with the full detection', async () => {
    const guard = guardCapabilitiesSync();
    resetSandboxDetection();
    const full = await detectSandbox();
    expect(guard).toEqual({
      bunNoOrphans: full.bunNoOrphans,
      setpriv: full.setpriv,
      setprivPath: full.setprivPath,
      groupLauncher: full.groupLauncher,
      groupLauncherPath: full.groupLauncherPath,
    });
    // x86-64 Linux proves the process-group launcher; elsewhere there is none.
    expect(full.groupLauncher).toBe(process.platform === 'linux' && process.arch === 'x64');
  }, 30_000);
});
