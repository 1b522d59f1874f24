/**
 * Each sandbox layer on its own, then all together: a Bun child started exactly as a runtime is
 * (planLaunch + spawnPlanned, the child guard first) tries what the layer must stop. One layer
 * alone must stop its own share, so a regression in one cannot hide behind another; the README
 * of `src/sandbox` maps each row of its table to the test here.
 */
import { afterEach, beforeEach, describe, expect, test } from 'bun:test';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SandboxLayer } from '@spindle/types';
import { detectSandbox } from '../../src/sandbox/detect.ts';
import { planLaunch } from '../../src/sandbox/plan.ts';
import { spawnPlanned } from '../../src/sandbox/spawn.ts';
import { type ChildFolders, childFolders, onlyLayers } from './helpers.ts';
import { killAll } from './proc.ts';

const PROBE = fileURLToPath(new URL('./fixtures/sandbox-probe.ts', import.meta.url));
const caps = await detectSandbox();
const has = (layer: SandboxLayer) => !(layer in caps.missing);

interface Attempt {
  kind: 'read' | 'write' | 'fetch' | 'tcp' | 'exec' | 'syscall' | 'fork';
  target: string;
}

const started = new Set<number>();
const cleanup: string[] = [];
let f: ChildFolders;
let server: ReturnType<typeof Bun.serve>;
let hits = 0;

beforeEach(() => {
  f = childFolders();
  writeFileSync(join(f.ext, 'data.txt'), 'extension data');
  hits = 0;
  server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    fetch: () => {
      hits += 1;
      return new Response('reachable');
    },
  });
});

afterEach(() => {
  killAll(started);
  started.clear();
  server.stop(true);
  f.remove();
  for (const path of cleanup.splice(0)) rmSync(path, { recursive: true, force: true });
});

/** A secret file in `dir` the test itself can read. */
function secretIn(dir: string): string {
  const folder = mkdtempSync(join(dir, 'spindle-secret-'));
  cleanup.push(folder);
  writeFileSync(join(folder, 'secret.txt'), 'host secret');
  return join(folder, 'secret.txt');
}

async function probe(layers: SandboxLayer[], attempts: Attempt[]): Promise<string[]> {
  const plan = planLaunch(
    {
      script: PROBE,
      cwd: f.ext,
      mode: 'sandbox',
      settings: f.settings,
      sandbox: { readOnly: [f.ext], readWrite: [f.storage] },
    },
    onlyLayers(caps, layers),
  );
  expect(plan.sandbox).toEqual(layers);
  const { promise: answer, resolve } = Promise.withResolvers<{ results: string[] }>();
  const { promise: ready, resolve: onReady } = Promise.withResolvers<void>();
  const child = spawnPlanned(plan, {
    cwd: f.ext,
    serialization: 'json',
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
    ipc(message: { ready?: boolean; results: string[] }) {
      if (message.ready) onReady();
      else resolve(message);
    },
  });
  started.add(child.pid);
  const exited = child.exited.then(async (code) => {
    throw new Error(`probe exited early (${code}): ${await new Response(child.stderr).text()}`);
  });
  await Promise.race([ready, exited]);
  child.send(attempts);
  const { results } = await Promise.race([answer, exited]);
  child.kill('SIGKILL');
  return results;
}

describe.skipIf(process.platform !== 'linux')('sandbox layers', () => {
  test('this machine has every Linux layer (the CI image installs them)', () => {
    expect(caps.missing).toEqual({});
  });

  test.if(has('bwrap'))(
    'bwrap: a read-only view of the policy, a private /tmp, no network, no host processes',
    async () => {
      const [inVarTmp, inHome] = [secretIn('/var/tmp'), secretIn(homedir())];
      const hostTmp = join(tmpdir(), `evil-${process.pid}-${Date.now()}.txt`);
      const results = await probe(
        ['bwrap'],
        [
          { kind: 'read', target: join(f.ext, 'data.txt') },
          { kind: 'write', target: join(f.storage, 'out.txt') },
          { kind: 'read', target: inVarTmp },
          { kind: 'read', target: inHome },
          { kind: 'write', target: join(f.ext, 'evil.txt') },
          { kind: 'write', target: hostTmp },
          { kind: 'fetch', target: `http://127.0.0.1:${server.port}/` },
          { kind: 'read', target: `/proc/${process.pid}/cmdline` },
        ],
      );
      expect(results.slice(0, 2)).toEqual(['ok', 'ok']);
      expect(readFileSync(join(f.storage, 'out.txt'), 'utf8')).toBe(
        'written by the sandboxed child',
      );
      for (const r of [results[2], results[3], results[4], results[6], results[7]]) {
        expect(r).toStartWith('denied');
      }
      // The private /tmp takes the write; nothing reaches the host's.
      expect(existsSync(hostTmp)).toBe(false);
      expect(hits).toBe(0);
    },
  );

  test.if(has('landlock') && caps.landlockAbi >= 4)(
    'Landlock: no read or write outside the policy, no TCP, no exec even of a system binary',
    async () => {
      const [inTmp, inHome] = [secretIn(tmpdir()), secretIn(homedir())];
      const results = await probe(
        ['landlock'],
        [
          { kind: 'read', target: join(f.ext, 'data.txt') },
          { kind: 'write', target: join(f.storage, 'out.txt') },
          { kind: 'read', target: inTmp },
          { kind: 'read', target: inHome },
          { kind: 'write', target: join(f.ext, 'evil.txt') },
          { kind: 'tcp', target: `127.0.0.1:${server.port}` },
          { kind: 'exec', target: '/usr/bin/true' },
        ],
      );
      expect(results.slice(0, 2)).toEqual(['ok', 'ok']);
      for (const r of results.slice(2)) expect(r).toStartWith('denied');
      expect(hits).toBe(0);
    },
  );

  test.if(has('seccomp'))(
    'seccomp: no exec (through the loader neither), no io_uring, bpf, user namespace or IP socket',
    async () => {
      const loader =
        caps.platform === 'linux' && process.arch === 'x64'
          ? '/lib64/ld-linux-x86-64.so.2'
          : '/lib/ld-linux-aarch64.so.1';
      const results = await probe(
        ['seccomp'],
        [
          { kind: 'syscall', target: 'getpid' },
          { kind: 'syscall', target: 'socket_unix' },
          { kind: 'exec', target: '/bin/sh -c true' },
          { kind: 'exec', target: `${loader} /bin/sh -c true` },
          { kind: 'syscall', target: 'io_uring_setup' },
          { kind: 'syscall', target: 'bpf' },
          { kind: 'syscall', target: 'unshare_user' },
          { kind: 'syscall', target: 'socket_inet' },
          { kind: 'syscall', target: 'socket_netlink' },
          { kind: 'tcp', target: `127.0.0.1:${server.port}` },
        ],
      );
      expect(results.slice(0, 2)).toEqual(['ok', 'ok']);
      for (const r of results.slice(2)) expect(r).toStartWith('denied');
      expect(hits).toBe(0);
    },
  );

  test.if(has('pids'))('pids: a fork bomb stops at the cap', async () => {
    const [result] = await probe(['pids'], [{ kind: 'fork', target: '300' }]);
    // The cap counts the child's threads too: fewer forks than the cap succeed.
    const made = Number(/after (\d+)/.exec(result ?? '')?.[1]);
    expect(result).toMatch(/^denied after \d+: errno 11$/); // EAGAIN
    expect(made).toBeLessThan(f.settings.pidsMax);
  });

  test('all layers together: each wall holds', async () => {
    const results = await probe(
      ['bwrap', 'landlock', 'seccomp', 'pids'],
      [
        { kind: 'read', target: join(f.ext, 'data.txt') },
        { kind: 'read', target: secretIn('/var/tmp') },
        { kind: 'write', target: join(f.ext, 'evil.txt') },
        { kind: 'fetch', target: `http://127.0.0.1:${server.port}/` },
        { kind: 'exec', target: '/bin/sh -c true' },
        { kind: 'syscall', target: 'io_uring_setup' },
        { kind: 'fork', target: '300' },
      ],
    );
    expect(results[0]).toBe('ok');
    for (const r of results.slice(1)) expect(r).toStartWith('denied');
    expect(hits).toBe(0);
  });
});
