/**
 * The escape suite: on a real host, an extension (`extensions/attacker`) tries every wall of its
 * runtime mode from its runtime and from a `backendProcesses` child (`attacks.js`), while the
 * host's canaries count what reaches them. `sandbox` mode: every attempt is denied, nothing
 * reaches a canary, and the layers the host reports are the ones proven here. `process` mode:
 * what it promises (no host environment or memory, not root, a pids cap) holds, and what it
 * does not promise (the network) is shown open, so the attempts are known to be real.
 */
import { afterEach, beforeEach, describe, expect, test } from 'bun:test';
import { chmodSync, existsSync, writeFileSync } from 'node:fs';
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
      // Not promised in process mode, and shown open: the attempts are real.
      expect(results.tcp).toStartWith('ok');
      expect(results.exec_shell).toStartWith('ok');
    }
    expect(canaries.counts.tcp).toBeGreaterThan(0);
    expect(canaries.counts.signals).toBe(0);
  }, 90_000);
});

beforeEach(() => {
  if (isRoot) chmodSync(join(import.meta.dir, 'extensions'), 0o755);
});
