/**
 * Bare floors built from the launch module's own command lines, for the `sandbox` figures: a
 * Bun child started with exactly the bwrap flags `planLaunch` uses (its `cmd`, with the Landlock
 * and process-group launchers left out so the floor is "bare bwrap + Bun"), and idle bare children whose resident
 * memory is read. Same spawn options as the seed floors (JSON IPC, piped output). Bun-only.
 */
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SpindleError } from '@spindle/types';
import { withDeadline } from '../../harness/deadline.ts';
import { detectSandbox, type LaunchPlan, planLaunch } from './bun-host.ts';
import { treeRssMiB } from './procfs.ts';

/** The seed floor's child: sends one message at once, then idles. */
export const READY_CHILD = fileURLToPath(
  new URL('../../floors/children/ready-child.ts', import.meta.url),
);

/** Bound on the first message of a bare child. */
const FIRST_MESSAGE_MS = 20_000;

/**
 * `bwrap <the launch module's flags> -- bun ready-child.ts`, without the Landlock launcher or
 * the process-group launcher.
 */
export async function bareBwrapPlan(): Promise<LaunchPlan> {
  const caps = await detectSandbox();
  if (!caps.bwrap) {
    throw new SpindleError('INTERNAL', `bwrap is not usable here: ${caps.reason ?? 'unknown'}`);
  }
  const plan = planLaunch(
    { script: READY_CHILD, cwd: dirname(READY_CHILD), mode: 'sandbox' },
    { ...caps, landlock: false, groupLauncher: false },
  );
  if (plan.cmd[0] !== (caps.bwrapPath ?? 'bwrap')) {
    throw new SpindleError('INTERNAL', `expected a bwrap command, got ${plan.cmd[0]}`);
  }
  return plan;
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

/** Starts `cmd` (default: bare Bun on the ready child) and waits for its first IPC message. */
export async function startBareChild(
  cmd: string[],
  env?: Record<string, string>,
): Promise<BareChild> {
  let onFirst: (ms: number) => void = () => {};
  const first = new Promise<number>((resolve) => {
    onFirst = resolve;
  });
  const t0 = performance.now();
  const proc = Bun.spawn({
    cmd,
    ...(env ? { env } : {}),
    cwd: dirname(READY_CHILD),
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

/** Milliseconds to the first message of a child started with `plan`; killed before resolving. */
export async function timePlanToFirstMessage(plan: LaunchPlan): Promise<number> {
  const child = await startBareChild(plan.cmd, plan.env);
  await child.close();
  return child.firstMessageMs;
}
