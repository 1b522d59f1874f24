/**
 * Bare floors built from the sandbox room's own pieces, for the start figures: what the design
 * requires of a child, started by the standard tools alone. `process`: Bun in its own process
 * group and session (`detached`) with its parent-death guard (`--no-orphans`), inside a PID
 * namespace of its own made by bwrap with the process mode's flags (no survivor outlives the
 * host; that is what `process` mode requires since the sandbox room was rebuilt). `sandbox`: bwrap
 * with the sandbox's flags and view, Landlock applied by the Perl launcher with the same rules,
 * then Bun; no seccomp filter and no pids cgroup, the two layers the figure adds. The view is the
 * one the host gives the same job (`FloorRoom`): a runtime sees its extension's folder read-only
 * and its storage read-write, a backend process its extension's folder read-only. In both modes
 * the child first loads its job's minimal entry with `require` (`runtime-child.ts`): no runtime
 * or backend process can report ready before its extension's entry is loaded. Idle bare
 * children are also read for their resident memory. Same spawn options as the seed floors (JSON
 * IPC, piped output). Bun-only.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SpindleError } from '@spindle/types';
import { checkEcho, pingMessage, ROUND_TRIP_DEADLINE_MS } from '../../floors/ipc.ts';
import { openLoopback } from '../../floors/ws.ts';
import { withDeadline } from '../../harness/deadline.ts';
import type { Sampler } from '../../harness/types.ts';
import {
  BUN_RUNTIME_FLAGS,
  bwrapArgs,
  childPolicy,
  detectSandbox,
  landlockPrefix,
  PID_NAMESPACE_ARGS,
  systemPaths,
} from './bun-host.ts';
import { treeRssMiB } from './procfs.ts';
import { IDLE_BACKEND, READY_ENTRY } from './temp-extensions.ts';

/** The seed floor's child: sends one message at once, then idles. */
export const READY_CHILD = fileURLToPath(
  new URL('../../floors/children/ready-child.ts', import.meta.url),
);

/** Bound on the first message of a bare child. */
const FIRST_MESSAGE_MS = 20_000;

/**
 * The user children run as: on a root machine (the reference VM) the runtime user a root host
 * must have, `nobody`, for the floors and the figures alike; else the benchmark's own.
 */
export const BENCH_USER: { name: string; uid: number; gid: number } | undefined =
  process.geteuid?.() === 0 ? { name: 'nobody', uid: 65534, gid: 65534 } : undefined;

/** The IPC echo floor's child: sends one message at once, then echoes every message back. */
export const ECHO_CHILD = fileURLToPath(
  new URL('../../floors/children/echo-child.ts', import.meta.url),
);

/**
 * The runtime floors' child: loads the entry named by its argument, reports ready, then echoes
 * every message back.
 */
export const RUNTIME_CHILD = fileURLToPath(
  new URL('../../floors/children/runtime-child.ts', import.meta.url),
);

/**
 * `bun --no-orphans <runtime flags> <script>`, spawned `detached`: the `process` floor's command
 * (the runtime flags, no auto-install and no `.env` files, are what every runtime starts with).
 */
export function guardedBunCommand(
  bunPath: string,
  script = READY_CHILD,
  args: readonly string[] = [],
): string[] {
  return [bunPath, '--no-orphans', ...BUN_RUNTIME_FLAGS, script, ...args];
}

/**
 * The `process` floor's command: `bwrap <process-mode flags: PID namespace, die with parent>
 * prlimit --nproc bun --no-orphans <script>` (the pids cap by the cheapest standard
 * means, where `prlimit` is installed), or without bwrap where it cannot make a PID namespace
 * (the host then runs its runtimes without one too).
 */
export async function processFloorCommand(
  bunPath: string,
  script = READY_CHILD,
  args: readonly string[] = [],
): Promise<string[]> {
  const caps = await detectSandbox(BENCH_USER);
  const limiter = caps.prlimitPath ? [caps.prlimitPath, '--nproc=256:256', '--'] : [];
  const guarded = [...limiter, ...guardedBunCommand(bunPath, script, args)];
  return caps.pidNamespace && caps.bwrapPath
    ? [caps.bwrapPath, ...PID_NAMESPACE_ARGS, ...guarded]
    : guarded;
}

/** Which child a floor stands for: a backend runtime or a backend process. */
export type FloorJob = 'runtime' | 'process';

/**
 * What a floor child of one job has that the host gives the same child: its extension's folder
 * (read-only in the sandbox, and its working folder) holding the job's minimal entry, which the
 * child loads before it reports ready, and for a runtime its storage (read-write in the
 * sandbox). Files in a private temp tree; `remove()` deletes it.
 */
export interface FloorRoom {
  readonly readOnly: readonly string[];
  readonly readWrite: readonly string[];
  readonly cwd: string;
  /** The entry the child loads: a runtime's idle backend entry, a process's ready-at-once entry. */
  readonly entry: string;
  remove(): void;
}

/** Creates the `FloorRoom` of `job`. */
export function openFloorRoom(job: FloorJob): FloorRoom {
  const root = mkdtempSync(join(tmpdir(), 'spindle-bench-room-'));
  try {
    // The runtime user (see BENCH_USER) must be able to cross it.
    chmodSync(root, 0o755);
    const extension = join(root, 'extension');
    const storage = join(root, 'storage');
    mkdirSync(join(extension, 'dist'), { recursive: true, mode: 0o755 });
    const entry = join(extension, 'dist', job === 'runtime' ? 'backend.js' : 'ready.js');
    writeFileSync(entry, job === 'runtime' ? IDLE_BACKEND : READY_ENTRY, { mode: 0o644 });
    if (job === 'runtime') mkdirSync(storage, { mode: 0o755 });
    return {
      readOnly: [extension],
      readWrite: job === 'runtime' ? [storage] : [],
      cwd: extension,
      entry,
      remove: () => rmSync(root, { recursive: true, force: true }),
    };
  } catch (error) {
    rmSync(root, { recursive: true, force: true });
    throw error;
  }
}

/**
 * `bwrap <the sandbox's flags and the room's view> perl <the Landlock launcher and rules> -- bun
 * runtime-child.ts <the room's entry>`: the `sandbox` floor's command.
 */
export async function sandboxFloorCommand(
  bunPath: string,
  room: Omit<FloorRoom, 'remove'>,
): Promise<string[]> {
  const caps = await detectSandbox(BENCH_USER);
  if (!caps.bwrapPath || !caps.perlPath || caps.landlockAbi === 0) {
    const why = JSON.stringify(caps.missing);
    throw new SpindleError('INTERNAL', `bwrap and Landlock are not both usable here: ${why}`);
  }
  const policy = childPolicy({
    script: RUNTIME_CHILD,
    bun: bunPath,
    readOnly: [...room.readOnly],
    readWrite: [...room.readWrite],
  });
  const landlock = landlockPrefix(policy, {
    abi: caps.landlockAbi,
    prctl: caps.syscalls?.prctl ?? 0,
    perl: caps.perlPath,
    insideBwrap: true,
    systemPaths: systemPaths(),
  });
  const view = { readOnly: policy.readOnly, readWrite: policy.readWrite, cwd: room.cwd };
  return [
    caps.bwrapPath,
    ...bwrapArgs(view),
    ...landlock,
    bunPath,
    ...BUN_RUNTIME_FLAGS,
    RUNTIME_CHILD,
    room.entry,
  ];
}

/** The floor command of a `job` child in `mode`, in `room`: the runtime child on the room's entry. */
export function floorCommand(
  bunPath: string,
  mode: 'process' | 'sandbox',
  room: Omit<FloorRoom, 'remove'>,
): Promise<string[]> {
  return mode === 'sandbox'
    ? sandboxFloorCommand(bunPath, room)
    : processFloorCommand(bunPath, RUNTIME_CHILD, [room.entry]);
}

/** A started bare child that sent its first message. */
export interface BareChild {
  readonly pid: number;
  /** Milliseconds from `Bun.spawn` to the first IPC message. */
  readonly firstMessageMs: number;
  /** Resident memory of the child and its descendants (bwrap keeps a parent process), MiB. */
  rss(): number;
  /** SIGKILLs it and awaits its exit. */
  close(): Promise<void>;
}

/** Starts `cmd` and waits for its first IPC message; `detached` gives it its own group. */
export async function startBareChild(
  cmd: string[],
  detached = false,
  /** Working folder of the child. @default the floor children's folder */
  cwd = dirname(READY_CHILD),
): Promise<BareChild> {
  let onFirst: (ms: number) => void = () => {};
  const first = new Promise<number>((resolve) => {
    onFirst = resolve;
  });
  const t0 = performance.now();
  const proc = Bun.spawn({
    cmd,
    detached,
    ...(BENCH_USER ? { uid: BENCH_USER.uid, gid: BENCH_USER.gid } : {}),
    cwd,
    ipc: () => onFirst(performance.now() - t0),
    serialization: 'json',
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
  });
  const close = async () => {
    proc.kill('SIGKILL');
    await proc.exited;
  };
  try {
    const exited = proc.exited.then((code) => {
      throw new SpindleError('EXITED_BEFORE_READY', `bare child exited with code ${code}`);
    });
    const firstMessageMs = await withDeadline(
      Promise.race([first, exited]),
      FIRST_MESSAGE_MS,
      `first message of ${cmd[0]}`,
    );
    return { pid: proc.pid, firstMessageMs, rss: () => treeRssMiB(proc.pid), close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Milliseconds to the first message of a child started with `cmd`; killed before resolving. */
export async function timeToFirstMessage(
  cmd: string[],
  detached = true,
  cwd?: string,
): Promise<number> {
  const child = await startBareChild(cmd, detached, cwd);
  await child.close();
  return child.firstMessageMs;
}

/**
 * The wake floor: one message through a raw relay to a child that does not exist yet. Client →
 * WebSocket → `Bun.serve`, which starts `cmd` (a child that reports ready, then echoes; spawned
 * as `startBareChild` does), hands it the message over IPC once it reported ready, and sends the
 * echo back over the WebSocket. Each sample times one such round trip; the child is killed and
 * reaped after it, outside the timing. This is what waking a runtime for a message is with none of
 * our code: the message's first IPC trip into a just-started Bun is part of it (it costs several
 * times a warm trip), as is the WebSocket hop.
 */
export async function openColdStartRelay(
  cmd: string[],
  /** Working folder of the child. @default the floor children's folder */
  cwd = dirname(READY_CHILD),
): Promise<Sampler> {
  const reaped: Promise<unknown>[] = [];
  const lo = await openLoopback((ws, frame) => {
    const message: unknown = JSON.parse(String(frame));
    let ready = false;
    const proc = Bun.spawn({
      cmd,
      detached: true,
      ...(BENCH_USER ? { uid: BENCH_USER.uid, gid: BENCH_USER.gid } : {}),
      cwd,
      ipc: (reply) => {
        if (!ready) {
          ready = true;
          proc.send(message);
          return;
        }
        ws.send(JSON.stringify(reply));
        proc.kill('SIGKILL');
      },
      serialization: 'json',
      stdin: 'ignore',
      stdout: 'pipe',
      stderr: 'pipe',
    });
    reaped.push(proc.exited);
  });
  let seq = 0;
  const reap = async () => {
    await Promise.all(reaped.splice(0));
  };
  return {
    async sample() {
      const sent = seq++;
      const t0 = performance.now();
      const reply = lo.next('cold-start relay', FIRST_MESSAGE_MS + ROUND_TRIP_DEADLINE_MS);
      lo.client.send(JSON.stringify(pingMessage(sent)));
      const got: unknown = JSON.parse(await reply);
      const ms = performance.now() - t0;
      checkEcho(got, sent, 'cold-start relay');
      await reap();
      return ms;
    },
    async close() {
      try {
        await lo.close();
      } finally {
        await reap();
      }
    },
  };
}
