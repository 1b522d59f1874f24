# Landlock launcher of sandboxed children, in the Perl every Debian-like system ships (perl-base
# is an Essential package): restricts itself with Landlock, then execs Bun, which inherits the
# restriction from its first instruction. It does what landlock-exec.ts does, without starting
# a second Bun and loading bun:ffi on every sandboxed start. See landlock.ts for the policy.
#
#   perl landlock-exec.pl --abi
#       prints the kernel's Landlock ABI version (0 without Landlock) and exits.
#   perl landlock-exec.pl <prctl syscall nr> <rule>... -- /abs/program [args...]
#       rule: r:<path> read, w:<path> read-write, d:<path> device, x:<path> execute.
#
# Missing paths get no rule. Any failure exits 78 (EX_CONFIG) with a [spindle] line on stderr:
# the planner reported 'landlock' as active, so the child must not run without it. The
# environment (NODE_CHANNEL_FD included) and the inherited descriptors pass through exec.
# No `use strict` / `use warnings`: loading them costs more than the script itself (0.4 ms and
# 2 ms of every sandboxed start). Every variable is declared with `my` all the same, and the tests
# run each path.

# asm-generic numbering, shared by every architecture that has Landlock.
my ($CREATE_RULESET, $ADD_RULE, $RESTRICT_SELF) = (444, 445, 446);

sub fail {
  print STDERR "[spindle] sandbox: Landlock is required but was not applied: $_[0]\n";
  exit 78;
}

my $abi = syscall($CREATE_RULESET, 0, 0, 1);
if (@ARGV == 1 && $ARGV[0] eq '--abi') {
  print($abi > 0 ? $abi : 0, "\n");
  exit 0;
}
fail('the kernel has no Landlock (or it is disabled)') if $abi < 1;

my $prctl = shift @ARGV;
fail('usage: landlock-exec.pl <prctl nr> <rule>... -- /abs/program [args...]')
  unless defined $prctl && $prctl =~ /^\d+$/;
my @rules;
push @rules, shift @ARGV while @ARGV && $ARGV[0] ne '--';
shift @ARGV;
fail('usage: no absolute program after --') unless @ARGV && $ARGV[0] =~ m{^/};

my %FS = (
  EXECUTE => 1 << 0, WRITE_FILE => 1 << 1, READ_FILE => 1 << 2, READ_DIR => 1 << 3,
  REMOVE_DIR => 1 << 4, REMOVE_FILE => 1 << 5, MAKE_CHAR => 1 << 6, MAKE_DIR => 1 << 7,
  MAKE_REG => 1 << 8, MAKE_SOCK => 1 << 9, MAKE_FIFO => 1 << 10, MAKE_BLOCK => 1 << 11,
  MAKE_SYM => 1 << 12, REFER => 1 << 13, TRUNCATE => 1 << 14, IOCTL_DEV => 1 << 15,
);
my $handled = (1 << 13) - 1;
$handled |= $FS{REFER} if $abi >= 2;
$handled |= $FS{TRUNCATE} if $abi >= 3;
$handled |= $FS{IOCTL_DEV} if $abi >= 5;
my $file_rights = $FS{EXECUTE} | $FS{WRITE_FILE} | $FS{READ_FILE} | $FS{TRUNCATE} | $FS{IOCTL_DEV};
my $read = $FS{READ_FILE} | $FS{READ_DIR};
my %RIGHTS = (
  r => $read,
  w => $read | $FS{WRITE_FILE} | $FS{REMOVE_DIR} | $FS{REMOVE_FILE} | $FS{MAKE_DIR}
    | $FS{MAKE_REG} | $FS{MAKE_SOCK} | $FS{MAKE_FIFO} | $FS{MAKE_SYM} | $FS{REFER}
    | $FS{TRUNCATE},
  d => $FS{READ_FILE} | $FS{WRITE_FILE} | $FS{TRUNCATE} | $FS{IOCTL_DEV},
  x => $FS{EXECUTE} | $FS{READ_FILE},
);

# No network rule is ever added, so handling TCP (ABI 4+) denies every bind and connect;
# abstract Unix sockets and signals stay inside the sandbox (ABI 6+). The ruleset fd is
# close-on-exec.
my $attr = pack('QQQ', $handled, $abi >= 4 ? 3 : 0, $abi >= 6 ? 3 : 0);
my $ruleset = syscall($CREATE_RULESET, $attr, length($attr), 0);
fail("landlock_create_ruleset failed ($!)") if $ruleset < 0;

my $O_PATH_CLOEXEC = 010000000 | 02000000;
for my $rule (@rules) {
  my ($kind, $path) = $rule =~ /^([rwdx]):(\/.*)$/s or fail("bad rule \"$rule\"");
  next unless -e $path;
  my $allowed = $RIGHTS{$kind} & $handled;
  $allowed &= $file_rights unless -d _;
  next unless $allowed;
  sysopen(my $fh, $path, $O_PATH_CLOEXEC) or fail("cannot open \"$path\" for a rule: $!");
  # struct landlock_path_beneath_attr is packed: u64 allowed_access, s32 parent_fd.
  my $beneath = pack('Ql', $allowed, fileno($fh));
  syscall($ADD_RULE, $ruleset, 1, $beneath, 0) == 0
    or fail("landlock_add_rule failed for \"$path\" ($!)");
  close($fh);
}
# PR_SET_NO_NEW_PRIVS (38): required before restricting an unprivileged process.
syscall($prctl + 0, 38, 1, 0, 0, 0) == 0 or fail("prctl(PR_SET_NO_NEW_PRIVS) failed ($!)");
syscall($RESTRICT_SELF, $ruleset, 0) == 0 or fail("landlock_restrict_self failed ($!)");
exec { $ARGV[0] } @ARGV or fail("execve(\"$ARGV[0]\") failed ($!)");
