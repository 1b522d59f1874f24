/**
 * THE sandbox policy: the only place that decides what a sandboxed child may read, write,
 * execute and reach. Every layer enforces a projection of it: bwrap binds exactly these paths
 * (`bwrap.ts`), Landlock grants exactly these rights (`landlock.ts`), seccomp takes away exec
 * and every socket but a Unix one (`seccomp.ts`), Seatbelt mirrors it on macOS (`seatbelt.ts`).
 *
 * - read: the system directories, the loader's and libc's `/etc` files, the Bun binary's folder,
 *   the bootstrap the child runs, the extension folder;
 * - read and write: its storage folder, a private `/tmp` (bwrap) and a few character devices;
 * - execute: the Bun binary and its ELF loader, once, for the launcher's exec of Bun;
 * - reach: nothing (no network namespace, no TCP in Landlock, no IP or netlink socket).
 */
import { dirname } from 'node:path';
import { elfInterpreter } from './elf.ts';
import { collapse, realOrSelf } from './paths.ts';

/** The words of `text`: a list written as one string. */
export const list = (text: string): readonly string[] => text.trim().split(/\s+/);

/** System directories, visible read-only (bwrap recreates the merged-/usr links). */
export const SYSTEM_DIRS = list('/usr /bin /sbin /lib /lib32 /lib64 /libx32');

/** The `/etc` entries the dynamic loader, libc and time zones read; nothing else of `/etc`. */
export const ETC_ENTRIES = list(`
  /etc/ld.so.cache /etc/ld.so.conf /etc/ld.so.conf.d /etc/passwd /etc/group
  /etc/nsswitch.conf /etc/hosts /etc/localtime /etc/timezone`);

/** Character devices every child may read and write. */
export const SANDBOX_DEVICES = list('/dev/null /dev/zero /dev/full /dev/random /dev/urandom');

/** Procfs and sysfs entries a child without its own `/proc` (no bwrap) may read. */
export const PROC_VIEW = list(`
  /proc/self /proc/thread-self /proc/stat /proc/meminfo /proc/cpuinfo /proc/uptime
  /sys/devices/system/cpu`);

/** What one sandboxed child may use (absolute paths, the same inside and outside bwrap). */
export interface ChildPolicy {
  /** Readable: the bootstrap, the Bun binary's folders, the extension, extra sources. */
  readOnly: string[];
  /** Readable and writable: the storage folder. */
  readWrite: string[];
  /** The only executable files: the Bun binary, its real path and its ELF loader. */
  execute: string[];
}

/**
 * The policy of one child (see the module comment for the rule): `script` (its folder becomes
 * readable), the Bun binary the launcher execs, and the folders the caller adds read-only (the
 * extension; the bootstrap sources when unbundled) and read-write (the storage).
 */
export function childPolicy(input: {
  script: string;
  bun: string;
  readOnly: string[];
  readWrite: string[];
}): ChildPolicy {
  const realBun = realOrSelf(input.bun);
  const loader = elfInterpreter(realBun);
  const folders = [input.script, input.bun, realBun].map((path) => dirname(path));
  return {
    readOnly: collapse([...folders, ...input.readOnly]),
    readWrite: collapse(input.readWrite),
    execute: [...new Set([input.bun, realBun, ...(loader ? [loader] : [])])],
  };
}
