/**
 * A sandboxed Bun child, started exactly as the runtime starts it (planLaunch + Bun.spawn with
 * IPC), cannot reach the network, write outside its storage, or read outside its allowed set.
 * Each layer is tested alone and combined, so a regression in one cannot hide behind another,
 * and Landlock through each of its launchers (native, Perl, and Bun with `bun:ffi`).
 */
import { afterEach, beforeEach, describe, expect, test } from 'bun:test';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SandboxLayer } from '@spindle/types';
import {
  detectSandbox,
  LANDLOCK_EXEC,
  LANDLOCK_EXEC_PERL,
  planLaunch,
  type SandboxCapabilities,
} from '../../src/launch/index.ts';
import { REPO_ROOT } from '../../src/launch/paths.ts';
import { killAll } from './proc.ts';

const PROBE = fileURLToPath(new URL('./fixtures/sandbox-probe.ts', import.meta.url));
const caps = await detectSandbox();

interface Attempt {
  kind: 'read' | 'write' | 'fetch' | 'tcp' | 'exec';
  target: string;
}
interface Answer {
  results: string[];
  pid: number;
  tmpdir: string | null;
}

type Launcher = 'native' | 'perl' | 'bun' | 'none';
const variants: Array<{
  name: string;
  caps: SandboxCapabilities;
  layers: SandboxLayer[];
  launcher: Launcher;
}> = [];
const perlLauncher = { ...caps, nativeLandlock: false };
const bunLauncher = { ...perlLauncher, perlLandlock: false };
if (caps.bwrap && caps.landlock) {
  if (caps.nativeLandlock) {
    variants.push({
      name: 'bwrap + landlock (native launcher)',
      caps,
      layers: ['bwrap', 'landlock'],
      launcher: 'native',
    });
  }
  if (caps.perlLandlock) {
    variants.push({
      name: 'bwrap + landlock (Perl launcher)',
      caps: perlLauncher,
      layers: ['bwrap', 'landlock'],
      launcher: 'perl',
    });
  }
  variants.push({
    name: 'bwrap + landlock (Bun launcher)',
    caps: bunLauncher,
    layers: ['bwrap', 'landlock'],
    launcher: 'bun',
  });
}
if (caps.bwrap) {
  variants.push({
    name: 'bwrap alone',
    caps: { ...caps, landlock: false },
    layers: ['bwrap'],
    launcher: 'none',
  });
}
if (caps.landlock && (caps.landlockAbi ?? 0) >= 4) {
  if (caps.nativeLandlock) {
    variants.push({
      name: 'landlock alone (native launcher)',
      caps: { ...caps, bwrap: false },
      layers: ['landlock'],
      launcher: 'native',
    });
  }
  if (caps.perlLandlock) {
    variants.push({
      name: 'landlock alone (Perl launcher)',
      caps: { ...perlLauncher, bwrap: false },
      layers: ['landlock'],
      launcher: 'perl',
    });
  }
  variants.push({
    name: 'landlock alone (Bun launcher)',
    caps: { ...bunLauncher, bwrap: false },
    layers: ['landlock'],
    launcher: 'bun',
  });
}

describe.skipIf(process.platform !== 'linux')('sandbox on Linux', () => {
  test('this machine has at least one Linux sandbox layer', () => {
    expect(caps.bwrap || caps.landlock).toBe(true);
  });

  for (const variant of variants) {
    describe(variant.name, () => {
      const cleanup: string[] = [];
      const pids = new Set<number>();
      let server: ReturnType<typeof Bun.serve>;
      let hits = 0;
      let base: string;
      let ext: string;
      let storage: string;

      beforeEach(() => {
        hits = 0;
        server = Bun.serve({
          hostname: '127.0.0.1',
          port: 0,
          fetch: () => {
            hits += 1;
            return new Response('reachable');
          },
        });
        base = mkdtempSync(join(tmpdir(), 'spindle-sbx-'));
        ext = join(base, 'ext');
        storage = join(base, 'storage');
        mkdirSync(ext);
        mkdirSync(storage);
        writeFileSync(join(ext, 'data.txt'), 'extension data');
        writeFileSync(join(storage, 'kept.txt'), 'stored before');
        cleanup.push(base);
      });

      afterEach(() => {
        killAll(pids);
        pids.clear();
        server.stop(true);
        for (const path of cleanup.splice(0)) rmSync(path, { recursive: true, force: true });
      });

      /** A secret file in `dir`, readable by the test itself. */
      function secretIn(dir: string): string {
        const folder = mkdtempSync(join(dir, 'spindle-secret-'));
        cleanup.push(folder);
        const file = join(folder, 'secret.txt');
        writeFileSync(file, 'host secret');
        expect(readFileSync(file, 'utf8')).toBe('host secret');
        return file;
      }

      async function runProbe(attempts: Attempt[]): Promise<Answer> {
        const plan = planLaunch(
          {
            script: PROBE,
            cwd: ext,
            mode: 'sandbox',
            sandbox: { readOnly: [ext], readWrite: [storage] },
          },
          variant.caps,
        );
        expect(plan.sandbox).toEqual(variant.layers);
        expect(plan.cmd.includes(LANDLOCK_EXEC_PERL)).toBe(variant.launcher === 'perl');
        expect(plan.cmd.includes(caps.nativeLandlockPath ?? '')).toBe(
          variant.launcher === 'native',
        );
        expect(plan.cmd.includes(LANDLOCK_EXEC)).toBe(variant.launcher === 'bun');
        const { promise: answer, resolve } = Promise.withResolvers<Answer>();
        const { promise: ready, resolve: onReady } = Promise.withResolvers<void>();
        const child = Bun.spawn({
          cmd: plan.cmd,
          env: plan.env,
          cwd: ext,
          serialization: 'json',
          stdout: 'pipe',
          stderr: 'pipe',
          ipc(message: { ready?: boolean } & Answer) {
            if (message.ready) onReady();
            else resolve(message);
          },
        });
        pids.add(child.pid);
        const exited = child.exited.then(async (code) => {
          throw new Error(
            `probe exited early (${code}): ${await new Response(child.stderr).text()}`,
          );
        });
        await Promise.race([ready, exited]);
        child.send(attempts);
        return Promise.race([answer, exited]);
      }

      test('cannot open a TCP connection or fetch from a loopback server', async () => {
        const url = `http://127.0.0.1:${server.port}/`;
        expect(await (await fetch(url)).text()).toBe('reachable');
        hits = 0;
        const { results } = await runProbe([
          { kind: 'fetch', target: url },
          { kind: 'tcp', target: `127.0.0.1:${server.port}` },
        ]);
        expect(results[0]).toStartWith('denied');
        expect(results[1]).toStartWith('denied');
        expect(hits).toBe(0);
      });

      test('writes only inside its storage folder', async () => {
        const tag = `${process.pid}-${Date.now()}`;
        const outside = [
          join(ext, 'evil.txt'),
          join(REPO_ROOT, `evil-${tag}.txt`),
          join(homedir(), `evil-${tag}.txt`),
        ];
        const hostTmp = join(tmpdir(), `evil-${tag}.txt`);
        const { results } = await runProbe([
          { kind: 'write', target: join(storage, 'out.txt') },
          ...outside.map((target) => ({ kind: 'write' as const, target })),
          { kind: 'write', target: hostTmp },
        ]);
        expect(results[0]).toBe('ok');
        expect(readFileSync(join(storage, 'out.txt'), 'utf8')).toBe(
          'written by the sandboxed child',
        );
        outside.forEach((path, i) => {
          // Under bwrap the sandbox's /tmp is a private tmpfs: when the repo itself lives under
          // the host's /tmp (a CI clone), a write there succeeds inside the sandbox but lands in
          // the throwaway tmpfs. What matters is that nothing reaches the host.
          const inPrivateTmp =
            variant.layers.includes('bwrap') &&
            path.startsWith(REPO_ROOT + sep) &&
            (REPO_ROOT + sep).startsWith(tmpdir() + sep);
          if (!inPrivateTmp) expect(results[i + 1]).toStartWith('denied');
          expect(existsSync(path)).toBe(false);
        });
        // Under bwrap /tmp is private (the write lands in a throwaway tmpfs); without it, denied.
        if (!variant.layers.includes('bwrap')) expect(results[4]).toStartWith('denied');
        expect(existsSync(hostTmp)).toBe(false);
      });

      test('reads its extension and storage, nothing outside the allowed set', async () => {
        const inVarTmp = secretIn('/var/tmp');
        const inTmp = secretIn(tmpdir());
        const inHome = secretIn(homedir());
        const { results } = await runProbe([
          { kind: 'read', target: join(ext, 'data.txt') },
          { kind: 'read', target: join(storage, 'kept.txt') },
          { kind: 'read', target: inVarTmp },
          { kind: 'read', target: inTmp },
          { kind: 'read', target: inHome },
          { kind: 'read', target: join(REPO_ROOT, 'package.json') },
          { kind: 'read', target: '/etc/shadow' },
        ]);
        expect(results.slice(0, 2)).toEqual(['ok', 'ok']);
        for (const result of results.slice(2)) expect(result).toStartWith('denied');
      });

      test('runs programs only when Landlock is active', async () => {
        const { results, tmpdir: childTmp } = await runProbe([
          { kind: 'exec', target: '/usr/bin/true' },
        ]);
        if (variant.layers.includes('landlock')) expect(results[0]).toStartWith('denied');
        else expect(results[0]).toBe('ok');
        if (variant.layers.includes('bwrap')) expect(childTmp).toBe('/tmp');
      });
    });
  }
});
