/** Installing the native launcher: where, with which mode, and what happens to a foreign file. */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { installNativeLauncher, nativeLauncherElf } from '../../src/launch/index.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'spindle-native-install-'));
  dirs.push(dir);
  return dir;
}

describe('installNativeLauncher', () => {
  it('writes the executable once, named by its content, mode 0755', () => {
    const dir = join(tempDir(), 'nested', 'cache');
    const path = installNativeLauncher(dir, 'linux', 'x64');
    expect(path).toMatch(/\/nested\/cache\/landlock-launcher-[0-9a-f]{16}$/);
    expect(Buffer.from(nativeLauncherElf()).equals(readFileSync(path!))).toBe(true);
    expect(statSync(path!).mode & 0o777).toBe(0o755);
    expect(installNativeLauncher(dir, 'linux', 'x64')).toBe(path);
  });

  it('replaces a file of the same name that holds other bytes', () => {
    const first = tempDir();
    const name = installNativeLauncher(first, 'linux', 'x64')!.slice(first.length + 1);
    const second = tempDir();
    writeFileSync(join(second, name), 'not the launcher', { mode: 0o755 });
    const path = installNativeLauncher(second, 'linux', 'x64');
    expect(path).toBe(join(second, name));
    expect(Buffer.from(nativeLauncherElf()).equals(readFileSync(path!))).toBe(true);
  });

  it('writes nothing off x86-64 Linux, or where it cannot write', () => {
    const dir = tempDir();
    expect(installNativeLauncher(join(dir, 'a'), 'linux', 'arm64')).toBeUndefined();
    expect(installNativeLauncher(join(dir, 'b'), 'darwin', 'x64')).toBeUndefined();
    const file = join(dir, 'a-file');
    writeFileSync(file, '');
    expect(installNativeLauncher(join(file, 'below'), 'linux', 'x64')).toBeUndefined();
  });
});
