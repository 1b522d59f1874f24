/** Layer detection on this machine (the Debian CI image: bubblewrap, Perl, libseccomp2, cgroups). */
import { afterEach, describe, expect, test } from 'bun:test';
import { existsSync } from 'node:fs';
import { detectSandbox, resetSandboxDetection } from '../../src/sandbox/detect.ts';

afterEach(() => resetSandboxDetection());

describe.skipIf(process.platform !== 'linux')('detectSandbox', () => {
  test('proves every layer by running it, once per child user', async () => {
    const [first, second] = await Promise.all([detectSandbox(), detectSandbox()]);
    expect(second).toBe(first);
    expect(first).toMatchObject({
      platform: 'linux',
      bunNoOrphans: true,
      pidNamespace: true,
      sandboxExec: false,
      missing: {},
    });
    expect(first.bwrapPath).toMatch(/\/bwrap$/);
    expect(first.perlPath).toMatch(/\/perl$/);
    expect(first.landlockAbi).toBeGreaterThan(0);
    expect(first.syscalls).toEqual(
      process.arch === 'x64'
        ? { seccomp: 317, prctl: 157, prlimit: 302 }
        : { seccomp: 277, prctl: 167, prlimit: 261 },
    );
    // Classic BPF: 8 bytes an instruction.
    expect(Buffer.from(first.seccompFilter ?? '', 'base64').length % 8).toBe(0);
    expect(existsSync(`${first.pidsCgroup?.dir}/pids.max`)).toBe(true);
    expect(first.pidsCgroup?.dir).toEndWith(`/spindle-${process.pid}`);
  }, 30_000);

  test.skipIf(process.geteuid?.() !== 0)(
    'probes again as the runtime user, giving the reason when that user cannot run bwrap',
    async () => {
      const host = await detectSandbox();
      const nobody = await detectSandbox({ name: 'nobody', uid: 65534, gid: 65534 });
      expect(nobody).not.toBe(host);
      // The same layers, proven again as that user (bwrap then needs user namespaces).
      const reachable = !('bwrap' in nobody.missing);
      if (reachable) expect(nobody.bwrapPath).toBe(host.bwrapPath);
      else expect(nobody.missing.bwrap).toContain('bwrap cannot start a sandbox');
    },
    30_000,
  );
});
