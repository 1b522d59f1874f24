/**
 * The bubblewrap command line of `sandbox` mode on Linux. The child sees a fresh root that holds
 * only: the system directories read-only, a few `/etc` files the loader and libc read, the
 * runtime sources and the extension read-only, its storage read-write, a private `/tmp`, and
 * fresh `/proc` and `/dev`; the root itself is read-only. All namespaces are unshared (so no network), every capability is
 * dropped (a root host must not hand `CAP_SYS_ADMIN` to a child that could remount), and the
 * child is killed when the host dies.
 */
import { existsSync, lstatSync, readlinkSync } from 'node:fs';
import { resolve } from 'node:path';
import { SpindleError } from '@spindle/types';
import { isWithin } from './paths.ts';

/** System directories, bound read-only (or recreated as the symlinks they are, merged-/usr). */
export const SYSTEM_DIRS: readonly string[] = [
  '/usr',
  '/bin',
  '/sbin',
  '/lib',
  '/lib32',
  '/lib64',
  '/libx32',
];

/** The `/etc` entries the dynamic loader, libc and time zones read; nothing else of `/etc`. */
export const ETC_ENTRIES: readonly string[] = [
  '/etc/ld.so.cache',
  '/etc/ld.so.conf',
  '/etc/ld.so.conf.d',
  '/etc/passwd',
  '/etc/group',
  '/etc/nsswitch.conf',
  '/etc/hosts',
  '/etc/localtime',
  '/etc/timezone',
];

/** Filesystem view of a sandboxed child (absolute paths, identical inside and outside). */
export interface SandboxView {
  /** Visible read-only: runtime sources, the Bun binary's directory, the extension. */
  readOnly: string[];
  /** Visible read-write: the storage folder. */
  readWrite: string[];
  /** Working directory; must lie in one of the visible paths. */
  cwd: string;
}

/** Hooks for the file system, so tests can describe a machine. */
export interface FsProbe {
  /** `'dir'`, `'file'`, `{ symlink: target }` or `undefined` when absent. */
  kind(path: string): 'dir' | 'file' | { symlink: string } | undefined;
}

/** The real file system. */
export const realFs: FsProbe = {
  kind(path) {
    try {
      const st = lstatSync(path);
      if (st.isSymbolicLink()) return { symlink: readlinkSync(path) };
      return st.isDirectory() ? 'dir' : 'file';
    } catch {
      return undefined;
    }
  },
};

/** System paths present on this machine, as they are mounted into the sandbox. */
export function systemPaths(fs: FsProbe = realFs): string[] {
  return [...SYSTEM_DIRS, ...ETC_ENTRIES].filter((p) => fs.kind(p) !== undefined);
}

/**
 * Arguments of `bwrap` up to and including `--`; the Bun command follows.
 * @throws SpindleError `INVALID_OPTIONS` when a user path is relative or missing, or `cwd` is
 *   not visible inside the sandbox.
 */
export function bwrapArgs(view: SandboxView, fs: FsProbe = realFs): string[] {
  const args = [
    '--unshare-all',
    '--die-with-parent',
    '--new-session',
    '--cap-drop',
    'ALL',
    '--hostname',
    'spindle-sandbox',
  ];
  for (const dir of SYSTEM_DIRS) {
    const kind = fs.kind(dir);
    if (kind === undefined) continue;
    if (typeof kind === 'object') args.push('--symlink', kind.symlink, dir);
    else args.push('--ro-bind', dir, dir);
  }
  for (const entry of ETC_ENTRIES) args.push('--ro-bind-try', entry, entry);
  // The private /tmp comes before the user binds: a bind below /tmp must land on top of it.
  args.push('--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp');

  const binds = [
    ...unique(view.readOnly).map((path) => ({ path, flag: '--ro-bind' })),
    ...unique(view.readWrite).map((path) => ({ path, flag: '--bind' })),
  ];
  for (const { path } of binds) checkUserPath(path, fs);
  // Parents before children, so a nested bind is not hidden by its parent's.
  binds.sort((a, b) => depth(a.path) - depth(b.path));
  for (const { path, flag } of binds) args.push(flag, path, path);

  const cwd = resolve(view.cwd);
  const visible = [...view.readOnly, ...view.readWrite, '/tmp'];
  if (!visible.some((p) => isWithin(cwd, resolve(p)))) {
    throw new SpindleError(
      'INVALID_OPTIONS',
      `sandbox cwd "${cwd}" is not inside any path visible in the sandbox`,
      { details: { cwd, visible } },
    );
  }
  // The new root is a tmpfs bwrap builds the mount points in; once they exist it is made
  // read-only, so the only writable places are the storage binds and the private /tmp.
  args.push('--remount-ro', '/', '--chdir', cwd, '--');
  return args;
}

function checkUserPath(path: string, fs: FsProbe): void {
  if (!path.startsWith('/') || resolve(path) !== path) {
    throw new SpindleError(
      'INVALID_OPTIONS',
      `sandbox path "${path}" must be absolute and normalised`,
      {
        details: { path },
      },
    );
  }
  if (fs === realFs ? !existsSync(path) : fs.kind(path) === undefined) {
    throw new SpindleError('INVALID_OPTIONS', `sandbox path "${path}" does not exist`, {
      details: { path },
    });
  }
}

function unique(paths: string[]): string[] {
  return [...new Set(paths)];
}

function depth(path: string): number {
  return path === '/' ? 0 : path.split('/').length;
}
