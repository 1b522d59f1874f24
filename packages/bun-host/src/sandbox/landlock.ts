/**
 * Landlock's system interface (`linux/landlock.h`): syscall numbers, flags, access rights and
 * what each kind of rule grants, shared by the launchers that make the calls themselves
 * (`landlock.ts` through `bun:ffi`, and the native one; the Perl script spells out its own).
 * Node-loadable: constants and arithmetic only.
 */

/** Syscall numbers, shared by every architecture that has Landlock (asm-generic numbering). */
export const SYS_LANDLOCK_CREATE_RULESET = 444;
export const SYS_LANDLOCK_ADD_RULE = 445;
export const SYS_LANDLOCK_RESTRICT_SELF = 446;
/** `landlock_create_ruleset` flag: return the ABI version instead of a ruleset. */
export const LANDLOCK_CREATE_RULESET_VERSION = 1;
/** `landlock_add_rule` rule type of a path rule. */
export const LANDLOCK_RULE_PATH_BENEATH = 1;
/** `prctl` option required before an unprivileged process restricts itself. */
export const PR_SET_NO_NEW_PRIVS = 38;
/** `open` flags of a rule's path: a reference, not an open file, closed on exec. */
export const O_PATH = 0o10000000;
export const O_CLOEXEC = 0o2000000;

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
