/**
 * Process mode: no descendant of a runtime survives the host, not even a daemon that started a
 * session of its own and left its parent (`extensions/daemon`): the runtime's PID namespace
 * ends with it, and the runtime ends with the host (bwrap --die-with-parent), even when the
 * host is killed with SIGKILL and cleans up nothing.
 */
import { afterEach, describe, expect, test } from 'bun:test';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Folder, makeFolder } from './rig.ts';

const HOST = fileURLToPath(new URL('./kill-host.ts', import.meta.url));
let folder: Folder | undefined;
const started: number[] = [];

afterEach(() => {
  for (const pid of [...started.splice(0), ...withMarker(folder?.target.marker ?? '-')]) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  folder?.remove();
  folder = undefined;
});

/** Live processes whose command line is `sleep <marker>`. */
function withMarker(marker: string): number[] {
  return readdirSync('/proc').flatMap((name) => {
    try {
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8');
      const state = readFileSync(`/proc/${name}/stat`, 'utf8').split(') ')[1]?.[0];
      return cmdline === `sleep\0${marker}\0` && state !== 'Z' ? [Number(name)] : [];
    } catch {
      return [];
    }
  });
}

async function until(check: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (check()) return true;
    await Bun.sleep(20);
  }
  return check();
}

describe.skipIf(process.platform !== 'linux' || !Bun.which('bwrap'))('process mode', () => {
  test('a detached daemon of a runtime dies with the host, even when the host is SIGKILLed', async () => {
    folder = makeFolder('process', { tcp: 0, udp: 0 });
    const host = Bun.spawn({
      cmd: [process.execPath, HOST, folder.base],
      env: folder.env,
      stdout: 'pipe',
      stderr: 'inherit',
    });
    started.push(host.pid);
    const reader = host.stdout.getReader();
    const { value } = await reader.read();
    expect(JSON.parse(new TextDecoder().decode(value))).toEqual({
      pid: host.pid,
      state: 'running',
      error: null,
    });
    const marker = folder.target.marker;
    expect(await until(() => withMarker(marker).length === 1, 10_000)).toBe(true);
    host.kill('SIGKILL');
    await host.exited;
    expect(await until(() => withMarker(marker).length === 0, 2_000)).toBe(true);
  }, 30_000);
});
