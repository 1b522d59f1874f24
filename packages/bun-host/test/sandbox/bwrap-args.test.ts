import { describe, expect, it } from 'vitest';
import { bwrapArgs, type FsProbe, systemPaths } from '../../src/sandbox/bwrap.ts';

function machine(entries: Record<string, 'dir' | 'file' | { symlink: string }>): FsProbe {
  return { kind: (path) => entries[path] };
}

const view = { readOnly: ['/srv/ext'], readWrite: ['/srv/data'], cwd: '/srv/ext' };

describe('bwrapArgs', () => {
  it('recreates merged-/usr symlinks instead of binding them', () => {
    const fs = machine({
      '/usr': 'dir',
      '/bin': { symlink: 'usr/bin' },
      '/lib': { symlink: 'usr/lib' },
      '/srv/ext': 'dir',
      '/srv/data': 'dir',
    });
    const args = bwrapArgs(view, fs);
    const joined = args.join(' ');
    expect(joined).toContain('--ro-bind /usr /usr');
    expect(joined).toContain('--symlink usr/bin /bin');
    expect(joined).toContain('--symlink usr/lib /lib');
    expect(joined).not.toContain('/sbin');
    expect(args.slice(-3)).toEqual(['--chdir', '/srv/ext', '--']);
  });

  it('binds real system directories of a split-/usr machine read-only', () => {
    const fs = machine({
      '/usr': 'dir',
      '/bin': 'dir',
      '/lib64': 'dir',
      '/srv/ext': 'dir',
      '/srv/data': 'dir',
    });
    const joined = bwrapArgs(view, fs).join(' ');
    expect(joined).toContain('--ro-bind /bin /bin');
    expect(joined).toContain('--ro-bind /lib64 /lib64');
    expect(joined).toContain('--ro-bind /srv/ext /srv/ext');
    expect(joined).toContain('--bind /srv/data /srv/data');
  });

  it('mounts /etc only entry by entry, and /tmp before the user binds', () => {
    const fs = machine({ '/usr': 'dir', '/srv/ext': 'dir', '/srv/data': 'dir' });
    const args = bwrapArgs(view, fs);
    expect(args).not.toContain('/etc');
    expect(args.join(' ')).toContain('--ro-bind-try /etc/ld.so.cache /etc/ld.so.cache');
    expect(args.indexOf('--tmpfs')).toBeLessThan(args.indexOf('/srv/ext'));
  });

  it('allows a cwd inside the private /tmp', () => {
    const fs = machine({ '/usr': 'dir' });
    expect(bwrapArgs({ readOnly: [], readWrite: [], cwd: '/tmp' }, fs)).toContain('/tmp');
  });

  it('rejects unnormalised paths', () => {
    const fs = machine({ '/srv/ext': 'dir', '/srv/data': 'dir' });
    expect(() => bwrapArgs({ ...view, readOnly: ['/srv/ext/../etc'] }, fs)).toThrow(/normalised/);
  });

  it('systemPaths lists only what exists', () => {
    expect(systemPaths(machine({ '/usr': 'dir', '/etc/passwd': 'file' }))).toEqual([
      '/usr',
      '/etc/passwd',
    ]);
  });
});
