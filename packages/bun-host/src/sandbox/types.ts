/**
 * Types of launch planning: what a caller asks for (`LaunchSpec`), what it gets back
 * (`LaunchPlan`) and what this machine can enforce (`SandboxCapabilities`).
 */
import type { SandboxStatus } from '@spindle/types';

/** Paths a sandboxed child may see, besides the system directories and the runtime sources. */
export interface LaunchSandboxPaths {
  /** Extra paths visible read-only (the extension folder goes here). */
  readOnly: string[];
  /** Paths visible read-write (the storage folder goes here). They must exist. */
  readWrite: string[];
  /**
   * Runtime sources the child imports, visible read-only. Replaces the default set.
   * @default [dirname(script), <repo>/packages, <repo>/node_modules]
   */
  runtimeSources?: string[];
}

/** What to start: one Bun script, in `process` or `sandbox` mode. */
export interface LaunchSpec {
  /** Absolute path of the .ts/.js file Bun runs. */
  script: string;
  /** Arguments after the script. @default [] */
  args?: string[];
  /** Working directory of the child; in `sandbox` mode it must be one of the visible paths. */
  cwd: string;
  mode: 'process' | 'sandbox';
  /** Extra paths visible in the sandbox (ignored in `process` mode). */
  sandbox?: LaunchSandboxPaths;
  /** Extra variables, added after scrubbing (the caller vouches for them). */
  env?: Record<string, string>;
  /**
   * Environment that is scrubbed into the child's, and that `LUMIVERSE_BUN_*` are read from.
   * @default process.env
   */
  baseEnv?: Record<string, string | undefined>;
}

/** How to start the child: pass `cmd`, `env` and the spec's `cwd` to `Bun.spawn`. */
export interface LaunchPlan {
  /** Full command line: guard / sandbox wrapper, the Bun command, the script, its args. */
  cmd: string[];
  /** The scrubbed environment plus `spec.env` (plus the sandbox policy in `sandbox` mode). */
  env: Record<string, string>;
  /** Active layers in `sandbox` mode, or `'unavailable'`; absent in `process` mode. */
  sandbox?: SandboxStatus;
  /**
   * How the child gets its own process group (so a forced stop can signal everything it
   * started, and a terminal's Ctrl-C reaches only the host): `'launcher'` when `cmd` starts
   * with the group launcher (`group-native.ts`: setpgid, then exec), `'session'` when the caller
   * must spawn it with `detached: true` (a new session). @default 'session'
   */
  group?: 'launcher' | 'session';
}

/** Isolation features found on this machine (`detectSandbox`). */
export interface SandboxCapabilities {
  /** `bwrap` ran a trivial command with the flags the sandbox uses. */
  bwrap: boolean;
  /** The kernel has Landlock and this process can reach it through `bun:ffi`. */
  landlock: boolean;
  /** `sandbox-exec` (macOS) is present. */
  sandboxExec: boolean;
  /** `setpriv --pdeathsig KILL` works (parent-death guard when Bun cannot guard itself). */
  setpriv: boolean;
  /**
   * The Bun binary has `--no-orphans`: it asks the kernel for a SIGKILL when its parent dies
   * (before any JavaScript runs, so a blocked event loop cannot dodge it) and kills its own
   * descendants when it exits. Preferred over setpriv: no extra exec on every start.
   * @default false
   */
  bunNoOrphans?: boolean;
  /** Why a layer is missing, one clause per layer. */
  reason?: string;
  /** Landlock ABI version when `landlock` is true. */
  landlockAbi?: number;
  /** Absolute path of `bwrap`. @default 'bwrap' */
  bwrapPath?: string;
  /** Absolute path of `setpriv`. @default 'setpriv' */
  setprivPath?: string;
  /**
   * Perl ran `landlock-exec.pl --abi` and saw Landlock: sandboxed children then start through
   * the Perl launcher instead of a second Bun. @default false
   */
  perlLandlock?: boolean;
  /** Absolute path of `perl`. @default 'perl' */
  perlPath?: string;
  /**
   * The native launcher (`landlock-native.ts`, x86-64 Linux) was written and its `--abi` agreed
   * with the kernel: sandboxed children then start through it, the cheapest launcher.
   * @default false
   */
  nativeLandlock?: boolean;
  /** Absolute path of the native launcher when `nativeLandlock` is true. */
  nativeLandlockPath?: string;
  /**
   * The process-group launcher (`group-native.ts`, x86-64 Linux) was written and its `--check`
   * passed: children then get their own process group through it instead of a new session.
   * @default false
   */
  groupLauncher?: boolean;
  /** Absolute path of the process-group launcher when `groupLauncher` is true. */
  groupLauncherPath?: string;
}

/**
 * What `process` mode needs of `SandboxCapabilities`: the parent-death guard and the
 * process-group launcher.
 */
export type GuardCapabilities = Pick<
  SandboxCapabilities,
  'setpriv' | 'setprivPath' | 'bunNoOrphans' | 'groupLauncher' | 'groupLauncherPath'
>;
