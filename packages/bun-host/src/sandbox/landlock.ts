/**
 * The Landlock layer (Linux 5.13+), applied by the one standard launcher every Debian-like
 * system has: Perl (`perl-base` is Essential), whose `syscall` reaches Landlock directly. The
 * host computes every number here (the rights table below is the only one); the Perl program
 * only opens the paths, makes the calls and execs Bun, which inherits the restriction from its
 * first instruction, so every Bun thread is covered (a restriction made inside Bun would miss
 * the threads Bun starts before any of our code runs). Any failure exits 78 with a `[spindle]`
 * line: the plan reported `landlock` as active, so the child must not run without it.
 */
import { statSync } from 'node:fs';
import type { ChildPolicy } from './policy.ts';
import { PROC_VIEW, SANDBOX_DEVICES } from './policy.ts';

/** Filesystem access rights (`linux/landlock.h`), one bit each. */
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

/** Rights a rule on a regular file (not a folder) may hold. */
export const FILE_RIGHTS = FS.EXECUTE | FS.WRITE_FILE | FS.READ_FILE | FS.TRUNCATE | FS.IOCTL_DEV;

const READ = FS.READ_FILE | FS.READ_DIR;

/** Creating and removing entries (no device or block nodes). */
const MAKE = FS.MAKE_DIR | FS.MAKE_REG | FS.MAKE_SOCK | FS.MAKE_FIFO | FS.MAKE_SYM;

/** What each kind of rule grants. */
export const RULE_RIGHTS = {
  read: READ,
  write: READ | FS.WRITE_FILE | FS.REMOVE_DIR | FS.REMOVE_FILE | MAKE | FS.REFER | FS.TRUNCATE,
  device: FS.READ_FILE | FS.WRITE_FILE | FS.TRUNCATE | FS.IOCTL_DEV,
  execute: FS.EXECUTE | FS.READ_FILE,
} as const;

/**
 * The ruleset's handled rights for Landlock ABI `abi`: every filesystem right the kernel knows
 * (what no rule grants is denied), TCP bind and connect from ABI 4 (no network rule is ever
 * added, so both are denied), abstract Unix sockets and signals scoped to the sandbox from ABI 6.
 */
export function handledAccess(abi: number): { fs: number; net: number; scoped: number } {
  let fs = FS.REFER - 1;
  if (abi >= 2) fs |= FS.REFER;
  if (abi >= 3) fs |= FS.TRUNCATE;
  if (abi >= 5) fs |= FS.IOCTL_DEV;
  return { fs, net: abi >= 4 ? 3 : 0, scoped: abi >= 6 ? 3 : 0 };
}

/**
 * The launcher: `perl -e LANDLOCK_PERL -- --abi` prints the kernel's ABI (0 without Landlock);
 * `perl -e LANDLOCK_PERL -- <prctl nr> <fs> <net> <scoped> <rights>:<path>… -- /abs/program
 * args…` restricts itself and execs the program. Paths missing inside the sandbox get no rule.
 * A prctl number of 0 skips `PR_SET_NO_NEW_PRIVS` (bwrap has set it already).
 */
export const LANDLOCK_PERL = `
my ($CREATE, $ADD, $RESTRICT) = (444, 445, 446);
sub fail { print STDERR "[spindle] sandbox: Landlock is required but was not applied: $_[0]\\n"; exit 78 }
my $abi = syscall($CREATE, 0, 0, 1);
if ("@ARGV" eq '--abi') { print(($abi > 0 ? $abi : 0), "\\n"); exit 0 }
fail('the kernel has no Landlock (or it is disabled)') if $abi < 1;
my ($prctl, $fs, $net, $scoped) = splice(@ARGV, 0, 4);
my @rules; push @rules, shift @ARGV while @ARGV && $ARGV[0] ne '--'; shift @ARGV;
fail('usage: no absolute program after --') unless @ARGV && $ARGV[0] =~ m{^/};
my $attr = pack('QQQ', $fs, $net, $scoped);
my $ruleset = syscall($CREATE, $attr, length($attr), 0);
fail("landlock_create_ruleset failed ($!)") if $ruleset < 0;
for my $rule (@rules) {
  my ($rights, $path) = $rule =~ /^(\\d+):(\\/.*)$/s or fail("bad rule $rule");
  next unless -e $path;
  sysopen(my $fh, $path, 010000000 | 02000000) or fail("cannot open $path for a rule: $!");
  syscall($ADD, $ruleset, 1, pack('Ql', $rights, fileno($fh)), 0) == 0
    or fail("landlock_add_rule failed for $path ($!)");
  close($fh);
}
$prctl == 0 or syscall($prctl + 0, 38, 1, 0, 0, 0) == 0 or fail("prctl(NO_NEW_PRIVS) failed ($!)");
syscall($RESTRICT, $ruleset, 0) == 0 or fail("landlock_restrict_self failed ($!)");
exec { $ARGV[0] } @ARGV or fail("execve($ARGV[0]) failed ($!)");
`;

/**
 * Where the rules apply: the kernel's `abi`, `prctl(2)`'s number (libseccomp's; 0 inside bwrap,
 * which sets no-new-privs), the `perl` to run, whether bwrap is around (a private `/tmp`, its
 * own `/proc`) and the system paths visible to the child (`systemPaths()`).
 */
export interface LandlockTarget {
  abi: number;
  prctl: number;
  perl: string;
  insideBwrap: boolean;
  systemPaths: string[];
}

/** `perl -e LANDLOCK_PERL …` restricting to `policy`, up to and including `--`; Bun follows. */
export function landlockPrefix(policy: ChildPolicy, target: LandlockTarget): string[] {
  const handled = handledAccess(target.abi);
  const rule = (rights: number) => (path: string) =>
    `${rights & handled.fs & maskFor(path)}:${path}`;
  const bwrap = target.insideBwrap;
  const rules = [
    ...[...target.systemPaths, ...(bwrap ? ['/proc'] : PROC_VIEW), ...policy.readOnly].map(
      rule(RULE_RIGHTS.read),
    ),
    ...[...(bwrap ? ['/tmp'] : []), ...policy.readWrite].map(rule(RULE_RIGHTS.write)),
    ...SANDBOX_DEVICES.map(rule(RULE_RIGHTS.device)),
    ...policy.execute.map(rule(RULE_RIGHTS.execute)),
  ];
  const numbers = [target.prctl, handled.fs, handled.net, handled.scoped].map(String);
  return [target.perl, '-e', LANDLOCK_PERL, '--', ...numbers, ...rules, '--'];
}

/** A rule on anything but a folder may hold only file rights. */
function maskFor(path: string): number {
  try {
    return statSync(path).isDirectory() ? -1 : FILE_RIGHTS;
  } catch {
    return FILE_RIGHTS;
  }
}
