/**
 * The hostile-storage suite (issue 20's storage rows, scaled down, same mechanism), in every
 * runtime mode: the `digger` extension reads a FIFO and a huge sparse file planted in its
 * storage, reads a hard link to a file outside it, floods the host with concurrent listings, and
 * writes past its quotas. For each: the attacker gets the documented error (docs/limits.md,
 * "Storage"), the host's resident set and descriptors stay bounded, the admin API keeps
 * answering, and the `echo` extension keeps answering and using its storage.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { linkSync, readdirSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RUNTIME_MODES, type SpindleRuntimeMode } from '@spindle/types';
import { ask, othersStillWork } from './ask.ts';
import { WireClient } from './client.ts';
import { type HostileHost, startHostileHost } from './harness.ts';

const MIB = 1024 * 1024;
/** Slowest admin API answer allowed while an attack runs. */
const API_BOUND_MS = 2000;

function config(mode: SpindleRuntimeMode) {
  return {
    mode,
    timing: { shutdownTimeoutMs: 1000, killGraceMs: 500 },
    storageLimits: { quotaBytes: 32 * MIB, userQuotaBytes: 8 * MIB, maxQueued: 2000 },
    serverOptions: { limits: { maxFramesPerSecond: 1_000_000 } },
    enable: ['echo', 'digger'],
  };
}

/** Bytes of the regular files below `dir`. */
function bytesBelow(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) total += statSync(join(entry.parentPath, entry.name)).size;
  }
  return total;
}

for (const mode of RUNTIME_MODES) {
  describe(`hostile storage (${mode})`, () => {
    let host: HostileHost;
    let alice: WireClient;
    let bob: WireClient;
    let storage: string;

    beforeAll(async () => {
      host = await startHostileHost(config(mode));
      storage = join(host.dataDir, 'storage', 'digger');
      alice = await WireClient.open(host.wsUrl, 'alice');
      bob = await WireClient.open(host.wsUrl, 'bob');
      await othersStillWork(bob);
    });

    afterAll(async () => {
      alice?.close();
      bob?.close();
      await host?.close();
    });

    test('a FIFO in its storage: the read is refused at once (not_a_file), nothing hangs', async () => {
      const made = Bun.spawnSync(['mkfifo', join(storage, 'pipe')]);
      expect(made.exitCode).toBe(0);
      const watched = await host.watch(`${mode}: FIFO read`, async () => {
        const [answer] = await Promise.all([
          ask(alice, 'digger', 'read', { path: 'pipe' }),
          othersStillWork(bob),
        ]);
        return answer;
      });
      expect(watched.result.outcome).toBe('STORAGE_IO:not_a_file');
      expect(watched.apiMaxMs).toBeLessThan(API_BOUND_MS);
    });

    test('a 400 MB sparse file: refused from its size (too_large) without being read', async () => {
      writeFileSync(join(storage, 'sparse.bin'), '');
      truncateSync(join(storage, 'sparse.bin'), 400 * MIB);
      const watched = await host.watch(`${mode}: sparse read`, () =>
        ask(alice, 'digger', 'read', { path: 'sparse.bin' }),
      );
      expect(watched.result.outcome).toBe('STORAGE_IO:too_large');
      expect(watched.peakRssMb - watched.baseRssMb).toBeLessThan(32);
      expect(watched.apiMaxMs).toBeLessThan(API_BOUND_MS);
      await othersStillWork(bob);
      // Deleted through storage, so the quota's count lets go of its 400 MB as well.
      expect(await ask(alice, 'digger', 'delete', { path: 'sparse.bin' })).toMatchObject({
        outcome: 'ok',
      });
    });

    test('a hard link to a file outside its storage is refused like a symlink', async () => {
      const outside = join(host.dataDir, `secret-${mode}.txt`);
      writeFileSync(outside, 'not yours');
      linkSync(outside, join(storage, 'linked.txt'));
      expect(await ask(alice, 'digger', 'read', { path: 'linked.txt' })).toMatchObject({
        outcome: 'STORAGE_PATH',
      });
    });

    test('6,000 concurrent listings: at most 16 run, 2,000 wait, the rest get QUEUE_FULL; descriptors stay bounded', async () => {
      await ask(alice, 'digger', 'seed', { n: 50 });
      const fds = () => readdirSync(`/proc/${host.pid}/fd`).length;
      const baseFds = fds();
      let peakFds = baseFds;
      const sampler = setInterval(() => {
        peakFds = Math.max(peakFds, fds());
      }, 5);
      try {
        const watched = await host.watch(`${mode}: 6,000 listings`, async () => {
          const [answer] = await Promise.all([
            ask(alice, 'digger', 'list_flood', { n: 6000 }),
            othersStillWork(bob),
          ]);
          return answer;
        });
        const {
          ok = 0,
          QUEUE_FULL: full = 0,
          ...others
        } = watched.result.counts as Record<string, number>;
        // Every call settled, each as ok or QUEUE_FULL: none failed for want of descriptors.
        expect(others).toEqual({});
        expect(ok + full).toBe(6000);
        // A refusal only comes while 16 run and 2,000 wait, all of which then succeed.
        expect(full).toBeGreaterThan(0);
        expect(ok).toBeGreaterThanOrEqual(2016);
        expect(watched.peakRssMb - watched.baseRssMb).toBeLessThan(96);
        expect(watched.apiMaxMs).toBeLessThan(API_BOUND_MS);
      } finally {
        clearInterval(sampler);
      }
      // 16 listings at once hold a few descriptors each; never thousands.
      expect(peakFds - baseFds).toBeLessThan(100);
      await othersStillWork(bob);
    });

    test('writes past its quota get STORAGE_QUOTA; the disk holds at most the quota', async () => {
      const watched = await host.watch(`${mode}: 12 × 4 MB writes`, () =>
        ask(alice, 'digger', 'write_flood', { n: 12, mb: 4 }),
      );
      const {
        ok = 0,
        STORAGE_QUOTA: over = 0,
        ...others
      } = watched.result.counts as Record<string, number>;
      expect(others).toEqual({});
      expect(ok).toBeLessThanOrEqual(8);
      expect(over).toBeGreaterThanOrEqual(4);
      expect(bytesBelow(join(storage, 'big'))).toBeLessThanOrEqual(32 * MIB);
      // The writes' data passes through the host (in a worker, the runtime's heap is the host's
      // too); without the quota the same attack wrote a gigabyte.
      expect(watched.peakRssMb - watched.baseRssMb).toBeLessThan(mode === 'worker' ? 200 : 120);
      expect(watched.apiMaxMs).toBeLessThan(API_BOUND_MS);
      // A user's storage has its own, smaller quota.
      expect(await ask(alice, 'digger', 'user_write', { mb: 6, path: 'a.bin' })).toMatchObject({
        outcome: 'ok',
      });
      expect(await ask(alice, 'digger', 'user_write', { mb: 6, path: 'b.bin' })).toMatchObject({
        outcome: 'STORAGE_QUOTA',
      });
      await othersStillWork(bob);
    });
  });
}
