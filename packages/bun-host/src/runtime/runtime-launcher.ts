/**
 * How one extension's runtime is launched, start after start: the backend entry must exist, the
 * storage is seeded once per wiring (the seed depends on the manifest's version only, so a wake
 * from hibernation does not repeat it), then a Worker in `worker` mode, else a subprocess from
 * the extension's one launch plan (made at its first start and reused by every restart and wake;
 * a failed plan is not kept).
 */
import {
  type HostToWorker,
  type LogLevel,
  SpindleError,
  type SpindleManifest,
  type SpindleRuntimeMode,
} from '@spindle/types';
import { isFileSync } from '../extensions/discovery.ts';
import { seedStorage } from '../extensions/seed.ts';
import type { SandboxCapabilities } from '../launch/index.ts';
import type { LaunchPlan } from '../launch/types.ts';
import { createStorage } from '../storage/index.ts';
import {
  launchProcessRuntime,
  type ProcessRuntimePlanSpec,
  planProcessRuntime,
} from './process-runtime.ts';
import type { RuntimeInstance } from './types.ts';
import { launchWorkerRuntime } from './worker-runtime.ts';

/** What the launcher of one extension needs. */
export interface RuntimeLauncherOptions {
  extension: { path: string; manifest: SpindleManifest; backendEntryPath: string };
  runtimeMode: SpindleRuntimeMode;
  storagePath: string;
  seedStatePath: string;
  env: Record<string, string | undefined>;
  sandboxCapabilities?: SandboxCapabilities | undefined;
  log(level: LogLevel, message: string, source: 'runtime' | 'stdout' | 'stderr' | 'host'): void;
  /** A message of the runtime was refused (logged by the caller). */
  refused(reason: string): void;
  warn(message: string): void;
}

/** The `launch(init)` of an extension's controller. */
export function createRuntimeLauncher(
  o: RuntimeLauncherOptions,
): (init: HostToWorker) => Promise<RuntimeInstance> {
  const { extension, runtimeMode } = o;
  let plan: Promise<LaunchPlan> | undefined;
  const planOnce = (spec: ProcessRuntimePlanSpec): Promise<LaunchPlan> => {
    if (plan === undefined) {
      const attempt = planProcessRuntime(spec);
      plan = attempt;
      attempt.catch(() => {
        if (plan === attempt) plan = undefined;
      });
    }
    return plan;
  };
  let seededOnce = false;

  return async (init) => {
    if (!isFileSync(extension.backendEntryPath)) {
      throw new SpindleError(
        'IMPORT_FAILED',
        `backend entry ${extension.backendEntryPath} does not exist`,
      );
    }
    if (!seededOnce) {
      const seeded = await seedStorage({
        manifest: extension.manifest,
        extensionPath: extension.path,
        storage: createStorage(o.storagePath),
        statePath: o.seedStatePath,
      });
      seededOnce = true;
      if (seeded.copied.length > 0) {
        o.log(
          'info',
          `seeded storage: ${seeded.copied.length} file(s) for version ${extension.manifest.version}`,
          'host',
        );
      }
    }
    if (runtimeMode === 'worker') {
      return launchWorkerRuntime({
        onError: (text) => o.log('error', `uncaught: ${text}`, 'runtime'),
        onRefused: o.refused,
        onWarn: o.warn,
      });
    }
    const planSpec: ProcessRuntimePlanSpec = {
      mode: runtimeMode,
      extensionPath: extension.path,
      storagePath: o.storagePath,
      baseEnv: o.env,
      sandboxCapabilities: o.sandboxCapabilities,
    };
    const runtime = await launchProcessRuntime({
      ...planSpec,
      plan: await planOnce(planSpec),
      init,
      onLine: (stream, line) => o.log(stream === 'stderr' ? 'warn' : 'info', line, stream),
      onRefused: o.refused,
      onWarn: (message) => o.log('error', message, 'host'),
    });
    if (runtime.sandbox !== undefined) {
      const layers =
        runtime.sandbox === 'unavailable' ? 'unavailable' : runtime.sandbox.join(' + ');
      o.log(runtime.sandbox === 'unavailable' ? 'error' : 'info', `sandbox: ${layers}`, 'host');
    }
    return runtime;
  };
}
