/**
 * The escape suite: on a real host, an extension (`extensions/attacker`) tries every wall of its
 * runtime mode from its runtime and from a `backendProcesses` child (`attacks.js`), while the
 * host's canaries count what reaches them. `sandbox` mode: every attempt is denied, nothing
 * reaches a canary, and the layers the host reports are the ones proven here. `process` mode:
 * what it promises (no host environment or memory, not root, a pids cap) holds, and what it
 * does not promise (the network) is shown open, so the attempts are known to be real.
 */
import { afterEach, beforeEach, describe, expect, test } from 'bun:test';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SpindleHost } from '@spindle/bun-host';
import type { SandboxLayer } from '@spindle/types';
import {
  attackerAnswers,
  type Canaries,
  type Folder,
  isRoot,
  makeFolder,
  openCanaries,
  openHost,
  PIDS_MAX,
} from './rig.ts';

const bwrap = Bun.which('bwrap');
if (!bwrap) {
  console.warn(
    '[spindle] SKIPPED: the sandbox escape suite needs bubblewrap (Debian package "bubblewrap"); scripts/ensure-system-deps.mjs installs it when run as root',
  );
}

let folder: Folder;
let canaries: Awaited<ReturnType<typeof openCanaries>>;
let host: SpindleHost | undefined;

async function start(mode: 'process' | 'sandbox') {
  canaries = await openCanaries();
  folder = makeFolder(mode, canaries.ports);
  canaries.listenUnix(folder.target.unixSocket, folder.target.abstractName);
  const opened = await openHost(folder, mode);
  host = opened.host;
  writeFileSync(folder.target.victimSecret, "the victim extension's secret", { mode: 0o600 });
  const info = await host.enable('attacker');
  expect(info.state).toBe('running');
  return { ...opened, answers: await attackerAnswers(folder, opened.log) };
}

afterEach(async () => {
  await host?.close();
  host = undefined;
  canaries?.close();
  folder?.remove();
});

/**
 * Answers checked on their own: the user, the pids cap, and writes below /tmp, which land in the
 * sandbox's private /tmp (what counts is that none reaches the host: `nothingGotOut`).
 */
const CHECKED_APART = new Set(['uid', 'pids', 'write_data_dir', 'write_host_tmp']);

/**
 * What the seccomp filter answers each raw system call with. Their arguments make every one of
 * them succeed where nothing blocks it (bpf: EINVAL for an unknown command; unshare: EINVAL in
 * a multi-threaded process), as `process` mode shows below, so these errors are the filter's.
 */
const FILTERED: Record<string, number> = {
  io_uring_setup: 1,
  bpf: 1,
  ptrace: 1,
  unshare_user: 1,
  socket_netlink: 97,
  socket_inet: 97,
};

/** io_uring is open to every user here (`kernel.io_uring_disabled` 0). */
const ioUringOpen = (() => {
  try {
    return readFileSync('/proc/sys/kernel/io_uring_disabled', 'utf8').trim() === '0';
  } catch {
    return true;
  }
})();

/** Nothing reached the host: no canary counted, no file was planted. */
function nothingGotOut(counts: Canaries) {
  expect(counts).toEqual({ tcp: 0, udp: 0, unix: 0, abstract: 0, signals: 0 });
  for (const file of ['extFile', 'dataDirFile', 'hostTmpFile', 'victimPlant'] as const) {
    expect(existsSync(folder.target[file])).toBe(false);
  }
}

describe.skipIf(process.platform !== 'linux' || !bwrap)('sandbox mode', () => {
  test('every wall holds, from the runtime and from its child, and the reported layers are these', async () => {
    const { answers, stats } = await start('sandbox');
    const layers: SandboxLayer[] = ['bwrap', 'landlock', 'seccomp', 'pids'];
    expect(host?.get('attacker')?.sandbox).toEqual(layers);
    expect(stats.find((e) => e.phase === 'startup' && e.extension === 'attacker')?.sandbox).toEqual(
      layers,
    );
    for (const [where, results] of Object.entries(answers)) {
      const { uid, pids } = results;
      for (const [wall, outcome] of Object.entries(results)) {
        if (CHECKED_APART.has(wall)) continue;
        expect({ where, wall, outcome: outcome?.split(':')[0] }).toEqual({
          where,
          wall,
          outcome: 'denied',
        });
      }
      for (const [call, errno] of Object.entries(FILTERED)) {
        expect({ where, call, outcome: results[call] }).toEqual({
          where,
          call,
          outcome: `denied: errno ${errno}`,
        });
      }
      // 300 tasks stop at the cap (EAGAIN), which also counts the child's own threads.
      expect(pids).toMatch(/^denied after \d+: errno 11$/);
      expect(Number(/after (\d+)/.exec(pids ?? '')?.[1])).toBeLessThan(PIDS_MAX);
      if (isRoot) expect(uid).toBe('65534');
    }
    nothingGotOut(canaries.counts);
  }, 90_000);
});

describe.skipIf(process.platform !== 'linux' || !bwrap)('process mode', () => {
  test('no host environment or memory, not root, a pids cap; the network stays open', async () => {
    const { answers, log } = await start('process');
    expect(log.some((line) => /process: .*pids \+ pid namespace/.test(line))).toBe(true);
    for (const results of Object.values(answers)) {
      expect(results.uid).not.toBe('0');
      for (const wall of ['read_host_environ', 'open_host_mem', 'read_token_file', 'signal_host']) {
        expect(results[wall]).toStartWith('denied');
      }
      expect(results.pids).toMatch(/^denied after \d+: EAGAIN/);
      expect(Number(/after (\d+)/.exec(results.pids ?? '')?.[1])).toBeLessThan(PIDS_MAX);
      // Not promised in process mode, and shown open: the attempts are real.
      expect(results.tcp).toStartWith('ok');
      expect(results.exec_shell).toStartWith('ok');
      expect(results.exec_from_worker).toStartWith('ok');
      // The raw system calls the sandbox's filter refuses go through here.
      if (ioUringOpen) expect(results.io_uring_setup).toStartWith('ok');
      expect(results.bpf).toBe('denied: errno 22');
      expect(results.ptrace).toStartWith('ok');
      expect(results.socket_netlink).toStartWith('ok');
      expect(results.socket_inet).toStartWith('ok');
      expect(results.unshare_user).toBe('denied: errno 22');
    }
    expect(canaries.counts.tcp).toBeGreaterThan(0);
    expect(canaries.counts.signals).toBe(0);
  }, 90_000);
});

beforeEach(() => {
  if (isRoot) chmodSync(join(import.meta.dir, 'extensions'), 0o755);
});
