/**
 * `process` and `sandbox` runtimes: one Bun subprocess per extension, started from the launch
 * plan (scrubbed environment, parent-death guard, sandbox layers), in its own process group,
 * with a JSON IPC channel and its stdout/stderr read line by line.
 */
import type { HostToWorker } from '@spindle/types';
import {
  childUser,
  detectSandbox,
  type LaunchPlan,
  type LaunchSettings,
  planLaunch,
  resolveLaunchSettings,
  type SandboxCapabilities,
  spawnPlanned,
} from '../sandbox/index.ts';
import { INIT_ENV_MAX_BYTES, RUNTIME_INIT_ENV } from './init-env.ts';
import { IpcChannel } from './ipc-channel.ts';
import { LineTail, readLines } from './lines.ts';
import { CHILD_BOOTSTRAP_PATH } from './paths.ts';
import { bundledScript } from './script-bundle.ts';
import type { RuntimeExitStatus, RuntimeInstance, RuntimeSignal } from './types.ts';
import { reportUnwritable } from './unwritable.ts';

/** What the launch plan of a subprocess runtime depends on: the same for every start. */
export interface ProcessRuntimePlanSpec {
  mode: 'process' | 'sandbox';
  extensionPath: string;
  storagePath: string;
  /** Sandbox layers to use. @default detected once per host process (`detectSandbox`) */
  sandboxCapabilities?: SandboxCapabilities | undefined;
  /** Environment scrubbed into the runtime's. @default process.env */
  baseEnv?: Record<string, string | undefined>;
  /** The operator's launch settings. @default resolved from `baseEnv` */
  settings?: LaunchSettings | undefined;
}

/** What a subprocess runtime is started with. */
export interface ProcessRuntimeSpec extends ProcessRuntimePlanSpec {
  /** One line the runtime wrote to stdout or stderr (a piece of a line cut to `maxLineBytes`). */
  onLine(stream: 'stdout' | 'stderr', line: string): void;
  /** Longest line handed to `onLine`, in bytes; longer ones are cut into marked pieces. @default 16384 */
  maxLineBytes?: number | undefined;
  /**
   * Asked once per line before it is decoded: false drops it (a rate limit counting it); the
   * stderr tail still gets it. @default every line is admitted
   */
  admitLine?: (() => boolean) | undefined;
  /** An inbound message was refused (unbranded or not an object). */
  onRefused(reason: string): void;
  /** Host-side warnings (sandbox unavailable, a handler threw). */
  onWarn(message: string): void;
  /** The `init` message, handed over in the environment when small enough (`init-env.ts`). */
  init?: HostToWorker;
  /**
   * A plan made by `planProcessRuntime` for this same spec, reused instead of planning again
   * (the `init` is added to its environment at each start). @default planned for this start
   */
  plan?: LaunchPlan | undefined;
}

/**
 * Plans the command and environment of a subprocess runtime, without its `init`: the bundled
 * bootstrap, the scrubbed environment, the parent-death guard, its own process group and, in
 * `sandbox` mode, the sandbox layers. Nothing in it changes from one start of an extension to
 * the next, so a caller that starts the same extension again may keep it (frozen) and pass it
 * to `launchProcessRuntime`.
 */
export async function planProcessRuntime(spec: ProcessRuntimePlanSpec): Promise<LaunchPlan> {
  const settings = spec.settings ?? resolveLaunchSettings({}, spec.baseEnv ?? process.env);
  const caps = spec.sandboxCapabilities ?? (await detectSandbox(childUser(settings)));
  const script = await bundledScript(CHILD_BOOTSTRAP_PATH, settings.cacheDir);
  const plan = planLaunch(
    {
      script,
      cwd: spec.extensionPath,
      mode: spec.mode,
      sandbox: { readOnly: [spec.extensionPath], readWrite: [spec.storagePath] },
      settings,
      ...(spec.baseEnv ? { baseEnv: spec.baseEnv } : {}),
    },
    caps,
  );
  Object.freeze(plan.env);
  Object.freeze(plan.cmd);
  return Object.freeze(plan);
}

/** Starts a subprocess runtime. The entry is imported only after `init`. */
export async function launchProcessRuntime(spec: ProcessRuntimeSpec): Promise<RuntimeInstance> {
  const plan = spec.plan ?? (await planProcessRuntime(spec));
  const initJson = spec.init === undefined ? undefined : JSON.stringify(spec.init);
  const initInEnv = initJson !== undefined && initJson.length <= INIT_ENV_MAX_BYTES;
  const env = initInEnv ? { ...plan.env, [RUNTIME_INIT_ENV]: initJson } : plan.env;
  if (spec.mode === 'sandbox' && (plan.sandbox === undefined || plan.sandbox === 'unavailable')) {
    spec.onWarn(
      'SANDBOX UNAVAILABLE: no sandbox layer works on this machine; this runtime runs WITHOUT isolation (sandbox: "unavailable")',
    );
  }
  const channel: IpcChannel = new IpcChannel(
    spec.onRefused,
    (error) => spec.onWarn(`a runtime message handler threw: ${String(error)}`),
    { onUnwritable: reportUnwritable(spec.onWarn, (message) => channel.send(message)) },
  );
  // Its own process group and cgroup, as the plan's user (see `spawnPlanned`).
  const child = spawnPlanned(plan, {
    env,
    cwd: spec.extensionPath,
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
    serialization: 'json',
    ipc: (message) => channel.receive(message),
  });
  channel.connect((message) => child.send(message));
  let reaped = false;
  void child.exited.then(() => {
    reaped = true;
  });
  const tail = new LineTail();
  const lineOptions = {
    ...(spec.maxLineBytes === undefined ? {} : { maxLineBytes: spec.maxLineBytes }),
    ...(spec.admitLine === undefined ? {} : { admit: spec.admitLine }),
  };
  const stdoutDone = readLines(child.stdout, (line) => spec.onLine('stdout', line), lineOptions);
  const stderrDone = readLines(child.stderr, (line) => spec.onLine('stderr', line), {
    ...lineOptions,
    tail,
  });
  const exited = child.exited.then(async (code): Promise<RuntimeExitStatus> => {
    // The pipes drain after the exit; the stderr tail must be complete before anyone reads it.
    await Promise.race([
      Promise.all([stdoutDone, stderrDone]),
      new Promise((resolve) => setTimeout(resolve, 500)),
    ]);
    const signal = child.signalCode == null ? null : String(child.signalCode);
    return { code: signal ? null : code, signal };
  });
  return {
    mode: spec.mode,
    pid: child.pid,
    ...(plan.sandbox === undefined ? {} : { sandbox: plan.sandbox }),
    channel,
    exited,
    kill(signal: RuntimeSignal) {
      // A reaped pid may already belong to someone else.
      if (reaped) return;
      try {
        process.kill(-child.pid, signal);
      } catch {
        // The group is gone already, or was never formed: signal the child itself.
        try {
          child.kill(signal);
        } catch {
          // Already exited.
        }
      }
    },
    stderrTail: () => tail.toString(),
    initDelivered: initInEnv,
  };
}
