/**
 * The bwrap layer. In `sandbox` mode the child sees a fresh, read-only root that holds only the
 * policy's paths (`policy.ts`): the system directories, the loader's `/etc` files, its read-only
 * and read-write folders, a private `/tmp`, fresh `/proc` and `/dev`. Every namespace is
 * unshared (so no network and no view of the host's processes), every capability dropped, and
 * the child killed when the host dies. In `process` mode bwrap only gives the child a PID
 * namespace of its own, with the file system left as it is.
 */
import { existsSync, lstatSync, readlinkSync } from 'node:fs';
import { resolve } from 'node:path';
import { SpindleError } from '@spindle/types';
import { isWithin } from './paths.ts';
import { ETC_ENTRIES, list, SYSTEM_DIRS } from './policy.ts';

/** Filesystem view of a sandboxed child (absolute paths, identical inside and outside). */
export interface SandboxView {
  readOnly: string[];
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
 * `process` mode: a PID namespace of its own (bwrap's init reaps orphans, and when the child or
 * the host dies every process in it is killed, however it detached), the host's file system
 * unchanged but a `/proc` that shows only the namespace's processes.
 */
export const PID_NAMESPACE_ARGS = list(
  '--unshare-pid --die-with-parent --dev-bind / / --proc /proc --',
);

/**
 * Arguments of `bwrap` in `sandbox` mode, up to and including `--`; the command follows.
 * @throws SpindleError `INVALID_OPTIONS` when a path is relative or missing, or `cwd` is not
 *   visible inside the sandbox.
 */
export function bwrapArgs(view: SandboxView, fs: FsProbe = realFs): string[] {
  const args = ['--unshare-all', '--die-with-parent', '--new-session', '--cap-drop', 'ALL'];
  args.push('--hostname', 'spindle-sandbox');
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
    ...[...new Set(view.readOnly)].map((path) => ({ path, flag: '--ro-bind' })),
    ...[...new Set(view.readWrite)].map((path) => ({ path, flag: '--bind' })),
  ];
  for (const { path } of binds) checkUserPath(path, fs);
  // Parents before children, so a nested bind is not hidden by its parent's.
  binds.sort((a, b) => a.path.split('/').length - b.path.split('/').length);
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
      { details: { path } },
    );
  }
  if (fs === realFs ? !existsSync(path) : fs.kind(path) === undefined) {
    throw new SpindleError('INVALID_OPTIONS', `sandbox path "${path}" does not exist`, {
      details: { path },
    });
  }
}
