/**
 * What the `sandbox` mode denies, seen from inside a runtime started by the host (Linux): no
 * network, no writes outside its storage folder, no reads outside its allowed set. The same
 * probe in `process` mode is allowed everything, which shows the probe really tries.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'bun:test';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ask, closeTestHosts, descendants, FIXTURES, startTestHost } from './helpers.ts';

let outside: string;
let listener: Bun.TCPSocketListener<undefined>;

beforeAll(() => {
  outside = mkdtempSync(join(tmpdir(), 'spindle-outside-'));
  writeFileSync(join(outside, 'secret.txt'), 'host secret');
  listener = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data() {} } });
});

afterAll(() => {
  listener.stop(true);
  rmSync(outside, { recursive: true, force: true });
  rmSync(join(FIXTURES, 'probe', 'written.txt'), { force: true });
});

afterEach(async () => {
  await closeTestHosts();
  expect(descendants(process.pid)).toEqual([]);
});

async function escapeAttempts(mode: 'process' | 'sandbox') {
  const t = await startTestHost(mode, { enable: ['probe'] });
  t.gateway.open('s1', 'alice', ['probe']);
  const storagePath = join(t.dataDir, 'storage', 'probe');
  const reply = await ask(t, 's1', 'escape', {
    port: listener.port,
    readPath: join(outside, 'secret.txt'),
    writePath: join(outside, 'planted.txt'),
    storagePath,
  });
  return { t, result: reply.result as Record<string, string>, storagePath };
}

describe.skipIf(process.platform !== 'linux')('sandbox mode on Linux', () => {
  test('a sandboxed runtime reports its layers and cannot reach out', async () => {
    const { t, result, storagePath } = await escapeAttempts('sandbox');
    const sandbox = t.host.get('probe')?.sandbox;
    expect(sandbox).not.toBe('unavailable');
    expect(sandbox).toContain('bwrap');
    expect(
      t.logs.some((l) => l.extensionId === 'probe' && l.message.startsWith('sandbox: bwrap')),
    ).toBe(true);
    expect(result.connect).toStartWith('denied');
    expect(result.readOutside).toStartWith('denied');
    expect(result.writeOutside).toStartWith('denied');
    expect(result.writeExtension).toStartWith('denied');
    expect(result.writeStorage).toBe('allowed');
    expect(existsSync(join(outside, 'planted.txt'))).toBe(false);
    expect(existsSync(join(storagePath, 'direct.txt'))).toBe(true);
  });

  test('the same probe in process mode is not confined (the probe really tries)', async () => {
    const { result } = await escapeAttempts('process');
    expect(result).toEqual({
      connect: 'allowed',
      readOutside: 'allowed',
      writeOutside: 'allowed',
      writeExtension: 'allowed',
      writeStorage: 'allowed',
    });
  });
});

describe('sandbox mode without a layer', () => {
  const none = {
    platform: process.platform,
    bunNoOrphans: true,
    pidNamespace: false,
    landlockAbi: 0,
    sandboxExec: false,
    missing: {
      bwrap: 'none (test)',
      landlock: 'none (test)',
      seccomp: 'none (test)',
      pids: 'none (test)',
    },
  };

  test('refuses to start the runtime, naming the missing layer and why', async () => {
    const t = await startTestHost('sandbox', { enable: ['probe'], sandboxCapabilities: none });
    const info = t.host.get('probe');
    expect(info?.state).toBe('failed');
    expect(info?.error).toContain(
      'sandbox: unavailable (bwrap: none (test); landlock: none (test); seccomp: none (test); pids: none (test))',
    );
    expect(info?.error).toContain('--allow-weaker-sandbox');
  });

  test('runs when a weaker sandbox is allowed, but loudly: error-level lines, "unavailable"', async () => {
    const t = await startTestHost('sandbox', {
      enable: ['probe'],
      sandboxCapabilities: none,
      allowWeakerSandbox: true,
    });
    const info = t.host.get('probe');
    expect(info?.state).toBe('running');
    expect(info?.sandbox).toBe('unavailable');
    const loud = t.logs.filter((l) => l.extensionId === 'probe' && l.level === 'error');
    expect(loud.map((l) => l.message)).toEqual([
      expect.stringContaining('SANDBOX UNAVAILABLE'),
      'sandbox: unavailable',
    ]);
  });
});
