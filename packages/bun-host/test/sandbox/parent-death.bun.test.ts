/**
 * No orphans: a child whose event loop is blocked still dies within 1 s when its parent is
 * SIGKILLed (bwrap --die-with-parent in both modes; `bun --no-orphans` in `process` mode
 * without a PID namespace).
 */
import { afterEach, describe, expect, test } from 'bun:test';
import { fileURLToPath } from 'node:url';
import { type ChildFolders, childFolders } from './helpers.ts';
import { descendants, isDead, killAll, pollUntil, procStat } from './proc.ts';

const INTERMEDIATE = fileURLToPath(new URL('./fixtures/intermediate.ts', import.meta.url));
const started = new Set<number>();
const folders: ChildFolders[] = [];

afterEach(() => {
  killAll(started);
  started.clear();
  for (const f of folders.splice(0)) f.remove();
});

async function firstLine(stream: ReadableStream<Uint8Array>): Promise<string> {
  const reader = stream.getReader();
  let text = '';
  while (!text.includes('\n')) {
    const { value, done } = await reader.read();
    if (done) break;
    text += new TextDecoder().decode(value);
  }
  reader.releaseLock();
  return text.split('\n')[0]!;
}

describe.skipIf(process.platform !== 'linux')('parent death', () => {
  const cases = [
    { mode: 'process', guard: 'pidns', cmd: ['/usr/bin/bwrap', '--unshare-pid'] },
    { mode: 'process', guard: 'no-pidns', cmd: [process.execPath, '--no-orphans'] },
    { mode: 'sandbox', guard: 'bwrap', cmd: ['/usr/bin/bwrap', '--unshare-all'] },
  ] as const;
  for (const { mode, guard, cmd } of cases) {
    test(`${mode} mode, ${guard} guard: a blocked child dies within 1 s of its parent's SIGKILL`, async () => {
      const f = childFolders('spindle-death-');
      folders.push(f);
      const parent = Bun.spawn({
        cmd: [process.execPath, INTERMEDIATE, mode, guard, f.base],
        stdout: 'pipe',
        stderr: 'pipe',
      });
      started.add(parent.pid);
      const line = await firstLine(parent.stdout);
      if (!line)
        throw new Error(
          `intermediate printed nothing: ${await new Response(parent.stderr).text()}`,
        );
      const info = JSON.parse(line) as { pid: number; cmd: string[]; sandbox: unknown };
      expect(info.cmd.slice(0, cmd.length)).toEqual([...cmd]);
      if (mode === 'sandbox') expect(info.sandbox).toContain('bwrap');

      const tree = descendants(parent.pid);
      for (const pid of tree) started.add(pid);
      expect(tree).toContain(info.pid);
      // The Bun child is running (spinning), not waiting on anything it could wake from.
      const spinning = await pollUntil(
        () => tree.some((pid) => procStat(pid)?.state === 'R'),
        1000,
      );
      expect(spinning).toBe(true);

      parent.kill('SIGKILL');
      await parent.exited;
      const allDead = await pollUntil(() => tree.every(isDead), 1000);
      expect(tree.filter((pid) => !isDead(pid))).toEqual([]);
      expect(allDead).toBe(true);
    });
  }
});
