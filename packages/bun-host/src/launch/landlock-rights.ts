/**
 * Landlock access rights (`linux/landlock.h`) and what each kind of rule grants, shared by every
 * launcher (`landlock.ts` through `bun:ffi`, the native one, and the numbers the Perl script
 * spells out itself). Node-loadable: constants and arithmetic only.
 */

/** Filesystem access rights, one bit each. */
export const FS = {
  EXECUTE: 1 << 0,
  WRITE_FILE: 1 << 1,
  READ_FILE: 1 << 2,
  READ_DIR: 1 << 3,
  REMOVE_DIR: 1 << 4,
  REMOVE_FILE: 1 << 5,
  MAKE_CHAR: 1 << 6,
  MAKE_DIR: 1 << 7,
  MAKE_REG: 1 << 8,
  MAKE_SOCK: 1 << 9,
  MAKE_FIFO: 1 << 10,
  MAKE_BLOCK: 1 << 11,
  MAKE_SYM: 1 << 12,
  REFER: 1 << 13,
  TRUNCATE: 1 << 14,
  IOCTL_DEV: 1 << 15,
} as const;

/** Rights that apply to a regular file (a rule on a file may hold only these). */
export const FILE_RIGHTS = FS.EXECUTE | FS.WRITE_FILE | FS.READ_FILE | FS.TRUNCATE | FS.IOCTL_DEV;

/** What each kind of rule grants: read-only, read-write, device, execute. */
export const RULE_RIGHTS = {
  read: FS.READ_FILE | FS.READ_DIR,
  write:
    FS.READ_FILE |
    FS.READ_DIR |
    FS.WRITE_FILE |
    FS.REMOVE_DIR |
    FS.REMOVE_FILE |
    FS.MAKE_DIR |
    FS.MAKE_REG |
    FS.MAKE_SOCK |
    FS.MAKE_FIFO |
    FS.MAKE_SYM |
    FS.REFER |
    FS.TRUNCATE,
  device: FS.READ_FILE | FS.WRITE_FILE | FS.TRUNCATE | FS.IOCTL_DEV,
  execute: FS.EXECUTE | FS.READ_FILE,
} as const;

/**
 * The ruleset's handled fields for a kernel of Landlock ABI `abi`: every filesystem right it
 * knows (so whatever no rule grants is denied), TCP bind and connect from ABI 4 (no network
 * rule is ever added, so both are denied), and abstract Unix sockets and signals scoped to the
 * sandbox from ABI 6.
 */
export function handledAccess(abi: number): { fs: number; net: number; scoped: number } {
  let fs = (1 << 13) - 1;
  if (abi >= 2) fs |= FS.REFER;
  if (abi >= 3) fs |= FS.TRUNCATE;
  if (abi >= 5) fs |= FS.IOCTL_DEV;
  return { fs, net: abi >= 4 ? 3 : 0, scoped: abi >= 6 ? 3 : 0 };
}
