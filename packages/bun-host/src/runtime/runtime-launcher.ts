/**
 * How one extension's runtime is launched, start after start: the backend entry must exist (a
 * frontend-only extension gets a runtime without a backend, `no-backend.ts`), the
 * storage is seeded once per wiring (the seed depends on the manifest's version only, so a wake
 * from hibernation does not repeat it), then a Worker in `worker` mode, else a subprocess from
 * the extension's one launch plan (made at its first start and reused by every restart and wake;
 * a failed plan is not kept).
 */
import { resolve } from 'node:path';
import {
  DEFAULT_ENTRY_FRONTEND,
  type HostToWorker,
  type LogLevel,
  SpindleError,
  type SpindleManifest,
  type SpindleRuntimeMode,
} from '@spindle/types';
import { isFileSync } from '../extensions/discovery.ts';
import { seedStorage } from '../extensions/seed.ts';
import type { LaunchPlan, LaunchSettings, SandboxCapabilities } from '../sandbox/index.ts';
import { createStorage, type ResolvedStorageLimits } from '../storage/index.ts';
import type { RuntimeLimits } from './limits.ts';
import { launchWithoutBackend } from './no-backend.ts';
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
  /** The operator's launch settings (runtime user, cache folder, …). */
  settings: LaunchSettings;
  /** Bounds of the storage the seed files are copied into. */
  storageLimits: ResolvedStorageLimits;
  /** The runtime's limits (its output lines are cut to `maxLogLineBytes`). */
  limits: RuntimeLimits;
  /** An unlimited line: lifecycle and sandbox lines of the host. */
  log(level: LogLevel, message: string, source: 'runtime' | 'stdout' | 'stderr' | 'host'): void;
  /** A line of the runtime's own output, rate-limited by the caller. */
  output(level: LogLevel, message: string, source: 'runtime'): void;
  /** Counts one output line of a subprocess before it is decoded; false drops it. */
  admitLine(): boolean;
  /** A message of the runtime was refused (logged by the caller). */
  refused(reason: string): void;
  /** A warning of the host about the runtime, rate-limited by the caller. */
  warn(level: LogLevel, message: string): void;
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

  /**
   * A frontend-only extension: no `entry_backend` in its manifest and a frontend bundle (its
   * default backend entry is missing; checked by the caller). See `no-backend.ts`.
   */
  const frontendOnly = (): boolean =>
    extension.manifest.entry_backend === undefined &&
    isFileSync(
      resolve(extension.path, extension.manifest.entry_frontend ?? DEFAULT_ENTRY_FRONTEND),
    );

  return async (init) => {
    if (!isFileSync(extension.backendEntryPath)) {
      if (frontendOnly()) {
        o.log('info', 'no backend half: the frontend half runs alone', 'host');
        return launchWithoutBackend({
          mode: runtimeMode,
          onDropped: () =>
            o.warn('warn', 'dropped a frontend message: this extension has no backend half'),
        });
      }
      throw new SpindleError(
        'IMPORT_FAILED',
        `backend entry ${extension.backendEntryPath} does not exist`,
      );
    }
    if (!seededOnce) {
      const seeded = await seedStorage({
        manifest: extension.manifest,
        extensionPath: extension.path,
        storage: createStorage(o.storagePath, {
          maxFileBytes: o.storageLimits.maxFileBytes,
          quotaBytes: o.storageLimits.quotaBytes,
        }),
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
        cacheDir: o.settings.cacheDir,
        onError: (text) => o.output('error', `uncaught: ${text}`, 'runtime'),
        onRefused: o.refused,
        onWarn: (message) => o.warn('warn', message),
      });
    }
    const planSpec: ProcessRuntimePlanSpec = {
      mode: runtimeMode,
      extensionPath: extension.path,
      storagePath: o.storagePath,
      baseEnv: o.env,
      sandboxCapabilities: o.sandboxCapabilities,
      settings: o.settings,
    };
    const planned = await planOnce(planSpec);
    if (planned.protections) {
      o.log('info', `process: ${planned.protections.join(' + ') || 'no protections'}`, 'host');
    }
    const runtime = await launchProcessRuntime({
      ...planSpec,
      plan: planned,
      init,
      maxLineBytes: o.limits.maxLogLineBytes,
      admitLine: o.admitLine,
      onLine: (stream, line) => o.log(stream === 'stderr' ? 'warn' : 'info', line, stream),
      onRefused: o.refused,
      onWarn: (message) => o.warn('error', message),
    });
    if (runtime.sandbox !== undefined) {
      const layers =
        runtime.sandbox === 'unavailable' ? 'unavailable' : runtime.sandbox.join(' + ');
      o.log(runtime.sandbox === 'unavailable' ? 'error' : 'info', `sandbox: ${layers}`, 'host');
    }
    return runtime;
  };
}
