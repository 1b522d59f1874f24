/**
 * The runtime floors' room and child: the child loads its job's entry before it reports ready,
 * in `process` and in `sandbox` mode, and the room is removed whole. Real Bun children, as the
 * benchmarks start them; every child is killed and reaped in the test.
 */
import { afterEach, describe, expect, test } from 'bun:test';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import {
  BENCH_USER,
  type FloorRoom,
  floorCommand,
  openFloorRoom,
} from '../src/benchmarks/lib/bare-children.ts';
import { detectSandbox } from '../src/benchmarks/lib/bun-host.ts';
import { IDLE_BACKEND, READY_ENTRY } from '../src/benchmarks/lib/temp-extensions.ts';
import { resolveBunBinary } from '../src/harness/bun-path.ts';

const rooms: FloorRoom[] = [];
afterEach(() => {
  for (const room of rooms.splice(0)) room.remove();
});

/** Starts `cmd` and collects its messages until `count` arrived; the child is reaped after. */
async function firstMessages(cmd: string[], cwd: string, count: number): Promise<unknown[]> {
  const messages: unknown[] = [];
  let done: () => void = () => {};
  const enough = new Promise<void>((resolve) => {
    done = resolve;
  });
  const proc = Bun.spawn({
    cmd,
    cwd,
    detached: true,
    ...(BENCH_USER ? { uid: BENCH_USER.uid, gid: BENCH_USER.gid } : {}),
    ipc: (message) => {
      messages.push(message);
      if (messages.length >= count) done();
    },
    serialization: 'json',
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
  });
  try {
    const exited = proc.exited.then(async (code) => {
      const stderr = await new Response(proc.stderr).text();
      throw new Error(
        `floor child exited with ${code} after ${messages.length} messages: ${stderr}`,
      );
    });
    // Killed below once enough arrived: that exit is no failure.
    exited.catch(() => {});
    await Promise.race([enough, exited]);
    return messages;
  } finally {
    proc.kill('SIGKILL');
    await proc.exited;
  }
}

describe('floor rooms', () => {
  test('a runtime room holds the idle backend entry and a storage folder; remove() deletes it', () => {
    const room = openFloorRoom('runtime');
    rooms.push(room);
    expect(readFileSync(room.entry, 'utf8')).toBe(IDLE_BACKEND);
    expect(room.readOnly).toEqual([room.cwd]);
    expect(room.readWrite).toHaveLength(1);
    expect(statSync(room.readWrite[0]!).isDirectory()).toBe(true);
    // The runtime user of a root machine must be able to read the entry.
    expect(statSync(room.entry).mode & 0o004).toBe(0o004);
    room.remove();
    expect(existsSync(room.cwd)).toBe(false);
  });

  test('a backend-process room holds the ready-at-once entry and no storage', () => {
    const room = openFloorRoom('process');
    rooms.push(room);
    expect(readFileSync(room.entry, 'utf8')).toBe(READY_ENTRY);
    expect(room.readWrite).toEqual([]);
  });
});

const sandboxUsable = async () => {
  const caps = await detectSandbox(BENCH_USER);
  return Boolean(caps.bwrapPath && caps.perlPath && caps.landlockAbi > 0);
};

describe.each(['process', 'sandbox'] as const)('the runtime floor child (%s)', (mode) => {
  test('loads its entry before it reports ready', async () => {
    if (mode === 'sandbox' && !(await sandboxUsable())) {
      console.warn('[floor-room] SKIPPED: bwrap, Perl or Landlock missing, no sandbox floor here');
      return;
    }
    const room = openFloorRoom('runtime');
    rooms.push(room);
    // An entry whose loading can be seen: it speaks first.
    writeFileSync(room.entry, 'process.send({ loaded: true });\n');
    const cmd = await floorCommand(resolveBunBinary(), mode, room);
    const messages = await firstMessages(cmd, room.cwd, 2);
    expect(messages).toEqual([{ loaded: true }, { ready: true }]);
  }, 30_000);
});
