/**
 * What a caller asks for (`LaunchSpec`), what it gets back (`LaunchPlan`) and what this machine
 * can enforce (`SandboxCapabilities`).
 */
import type { SandboxLayer, SandboxStatus } from '@spindle/types';
import type { SyscallNumbers } from './child-guard.ts';
import type { PidsCgroup } from './pids.ts';
import type { LaunchSettings, RuntimeUser } from './settings.ts';

/** What to start: one Bun script, in `process` or `sandbox` mode. */
export interface LaunchSpec {
  /** Absolute path of the .ts/.js file Bun runs. */
  script: string;
  /** Arguments after the script. @default [] */
  args?: string[];
  /** Working directory of the child; in `sandbox` mode it must be one of the visible paths. */
  cwd: string;
  mode: 'process' | 'sandbox';
  /**
   * The child's folders besides the system's, its Bun's and its script's: the extension
   * read-only, the storage read-write (they must exist). `sandbox` mode shows only these; in
   * both modes the read-write ones are handed to the runtime user, when there is one.
   */
  sandbox?: { readOnly: string[]; readWrite: string[] };
  /** Extra variables, added after scrubbing (the caller vouches for them). */
  env?: Record<string, string>;
  /**
   * Environment that is scrubbed into the child's, and that `LUMIVERSE_*` are read from.
   * @default process.env
   */
  baseEnv?: Record<string, string | undefined>;
  /** The operator's launch settings. @default resolved from `baseEnv` */
  settings?: LaunchSettings;
}

/** The pids cap: a cgroup of the child's own, or `RLIMIT_NPROC` (per child in its own user namespace). */
export type PidsPlan = { cgroup: PidsCgroup; max: number } | { rlimit: number };

/** How to start the child: hand it to `spawnPlanned` (or `cmd`, `env`, `user`… to Bun.spawn). */
export interface LaunchPlan {
  /** Full command line: sandbox wrappers, the Bun command, the script, its args. */
  cmd: string[];
  /** The scrubbed environment plus `spec.env` (plus the child guard in `sandbox` mode). */
  env: Record<string, string>;
  /** Active layers in `sandbox` mode, or `'unavailable'`; absent in `process` mode. */
  sandbox?: SandboxStatus;
  /** The user the child runs as; absent: the host's. */
  user?: RuntimeUser;
  /** The pids cap; absent when this machine offers none. */
  pids?: PidsPlan;
  /** What protects a `process` mode child (for the log): `pid namespace`, `pids`, `user …`. */
  protections?: string[];
}

/** Isolation features found on this machine for one child user (`detectSandbox`). */
export interface SandboxCapabilities {
  platform: NodeJS.Platform;
  /** The Bun binary lists `--no-orphans` (parent-death signal, set before any JavaScript). */
  bunNoOrphans: boolean;
  /** `bwrap`, when it ran Bun with the sandbox's own flags as the child user. */
  bwrapPath?: string;
  /** bwrap ran Bun in a PID namespace of its own as the child user (`process` mode). */
  pidNamespace: boolean;
  /** bwrap gives its child a user namespace (run by a non-root user): `RLIMIT_NPROC` is per child. */
  ownUserNamespace?: boolean;
  /** The kernel's Landlock ABI as the Perl launcher saw it; 0 without Landlock or Perl. */
  landlockAbi: number;
  /** `perl`, when found. */
  perlPath?: string;
  /** util-linux `prlimit`: sets a `process` child's `RLIMIT_NPROC` cheaper than the guard's FFI. */
  prlimitPath?: string;
  /** This architecture's numbers of the calls the launcher and the guard make (libseccomp). */
  syscalls?: SyscallNumbers;
  /** The seccomp filter built with libseccomp: classic BPF, base64. */
  seccompFilter?: string;
  /** The host's cgroup of the pids controller. */
  pidsCgroup?: PidsCgroup;
  /** `/usr/bin/sandbox-exec` exists (macOS). */
  sandboxExec: boolean;
  /** Why each missing layer is missing. */
  missing: Partial<Record<SandboxLayer | 'pid namespace', string>>;
}
