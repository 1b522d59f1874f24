/**
 * `spindle.backendProcesses`, host side: validates spawns, starts each process as a Bun child
 * (sandboxed in `sandbox` mode, whatever the extension's own runtime mode), and runs it through
 * the shared state machine. Lifecycle events and messages go back through `ext.post`.
 */
import { fileURLToPath } from 'node:url';
import {
  type BackendProcessInfoDTO,
  type BackendProcessLifecycleEventDTO,
  type BackendProcessListOptionsDTO,
  type BackendProcessSpawnOptionsDTO,
  type BackendProcessStopOptionsDTO,
  isSpindleError,
  SpindleError,
} from '@spindle/types';
import { bundledScript } from '../../runtime/script-bundle.ts';
import { type LaunchPlan, resolveLaunchSettings } from '../../sandbox/index.ts';
import { assertAccess, resolveUser } from '../authority.ts';
import { validateBackendProcessSpawnOptions } from '../contracts.ts';
import type { ProcessLogger } from '../logger.ts';
import {
  clampHeartbeatTimeoutMs,
  clampStartupTimeoutMs,
  type ProcessInfo,
  type ProcessLifecycleEvent,
  ProcessMachine,
  ProcessTable,
  type SupervisorLimits,
  type SupervisorTimers,
  type TableEntry,
} from '../machine/index.ts';
import type { ExtensionProcessContext } from '../service.ts';
import { ChildLink } from './child-link.ts';
import { resolveBackendEntry } from './entry.ts';
import type { BackendLauncher } from './launcher.ts';

/** Absolute path of the child runtime every backend process starts with. */
export const BACKEND_CHILD_SCRIPT = fileURLToPath(new URL('./child/main.ts', import.meta.url));

/** What a `BackendSupervisor` is built with. */
export interface BackendSupervisorOptions {
  timers: SupervisorTimers;
  logger: ProcessLogger;
  limits: SupervisorLimits;
  launcher: BackendLauncher;
  /** Malformed child messages tolerated before the process is failed. @default 16 */
  maxMalformedMessages?: number;
  /** After its terminal message, how long a child may take to exit by itself. @default 2000 */
  terminalLingerMs?: number;
}

interface BackendEntry extends TableEntry {
  readonly ext: ExtensionProcessContext;
  readonly entry: string;
  readonly processId: string;
  readonly userId: string | undefined;
  link: ChildLink | undefined;
}

let sequence = 0;
/** Processes kept for `snapshot()`. */
const RECENT_LIMIT = 200;

function nextProcessId(): string {
  sequence += 1;
  return `bp-${sequence.toString(36)}-${crypto.randomUUID().slice(0, 8)}`;
}

/** The backend process supervisor of one host. */
export class BackendSupervisor {
  readonly #opts: BackendSupervisorOptions;
  readonly #table: ProcessTable<BackendEntry>;
  /** Bumped by every unload: a spawn that began before it is refused (`EXTENSION_UNLOADED`). */
  readonly #epochs = new Map<string, number>();
  readonly #unloading = new Set<string>();
  /**
   * Launch plan per extension: the same for every process it spawns (the script, the extension
   * folder, the mode, the host's environment), so only the first spawn pays for planning.
   * Dropped when the extension is unloaded.
   */
  readonly #plans = new Map<string, { key: string; plan: Promise<LaunchPlan> }>();
  /** Recent processes, live or ended, for operator views (bounded). */
  readonly #recent: BackendEntry[] = [];
  #closing = false;

  constructor(options: BackendSupervisorOptions) {
    this.#opts = options;
    this.#table = new ProcessTable(options.limits.historyPerExtension);
  }

  /** Starts a process; resolves with its info once it called `ready()`. */
  async spawn(ext: ExtensionProcessContext, raw: unknown): Promise<BackendProcessInfoDTO> {
    const epoch = this.#epochs.get(ext.extensionId) ?? 0;
    this.#assertOpen(ext, epoch);
    const valid = validateBackendProcessSpawnOptions(raw);
    if (!valid.ok) {
      throw new SpindleError(
        'INVALID_OPTIONS',
        `invalid backend process spawn options: ${valid.error.message}`,
        {
          details: { path: valid.error.path, extensionId: ext.extensionId },
        },
      );
    }
    const options: BackendProcessSpawnOptionsDTO = valid.value;
    const userId = this.#guard(ext, undefined, () => resolveUser(ext, options.userId));
    const entryPath = resolveBackendEntry(ext.extensionPath, options.entry);
    const kind = options.kind ?? options.entry;
    const admission = await this.#table.admit(
      {
        extensionId: ext.extensionId,
        userId,
        kind,
        key: options.key,
        replaceExisting: options.replaceExisting,
        limit: this.#opts.limits.maxProcessesPerExtension,
      },
      (old) => this.#end(old, { exitReason: 'replaced', reason: 'replaced' }),
    );
    let plan: LaunchPlan;
    try {
      this.#assertOpen(ext, epoch);
      plan = await this.#plan(ext);
      this.#assertOpen(ext, epoch);
    } catch (error) {
      admission.release();
      throw error;
    }
    const processId = nextProcessId();
    const deadlines = this.#opts.limits.deadlines;
    const machine = new ProcessMachine({
      processId,
      kind,
      key: options.key,
      userId,
      metadata: options.metadata,
      startupTimeoutMs: clampStartupTimeoutMs(options.startupTimeoutMs, deadlines),
      heartbeatTimeoutMs: clampHeartbeatTimeoutMs(options.heartbeatTimeoutMs, deadlines),
      stopGraceMs: this.#opts.limits.stopGraceMs,
      exitSettleMs: this.#opts.limits.exitSettleMs,
      timers: this.#opts.timers,
      noun: 'backend process',
      onLifecycle: (event) =>
        ext.post({
          type: 'backend_process_lifecycle',
          event: eventWithEntry(event, options.entry),
        }),
    });
    const entry: BackendEntry = {
      extensionId: ext.extensionId,
      machine,
      ext,
      entry: options.entry,
      processId,
      userId,
      link: undefined,
    };
    this.#table.add(entry);
    this.#recent.push(entry);
    if (this.#recent.length > RECENT_LIMIT)
      this.#recent.splice(0, this.#recent.length - RECENT_LIMIT);
    admission.release();
    machine.start((m) => {
      entry.link = new ChildLink({
        machine: m,
        plan,
        cwd: ext.extensionPath,
        timers: this.#opts.timers,
        maxMalformedMessages: this.#opts.maxMalformedMessages ?? 16,
        terminalLingerMs: this.#opts.terminalLingerMs ?? 2000,
        init: {
          processId,
          entry: options.entry,
          entryPath,
          kind,
          ...(options.key === undefined ? {} : { key: options.key }),
          ...('payload' in options ? { payload: options.payload } : {}),
          ...(options.metadata === undefined ? {} : { metadata: options.metadata }),
          ...(userId === undefined ? {} : { userId }),
        },
        onMessage: (payload) =>
          ext.post({ type: 'backend_process_message', processId, payload, userId: userId ?? '' }),
        log: (level, message, stream) =>
          this.#opts.logger({
            level,
            message,
            extensionId: ext.extensionId,
            processId,
            ...(stream ? { stream } : {}),
          }),
      });
      return entry.link;
    });
    return withEntry(await machine.spawned, options.entry);
  }

  /** The caller's processes matching `filter`. */
  list(
    ext: ExtensionProcessContext,
    filter: BackendProcessListOptionsDTO = {},
  ): BackendProcessInfoDTO[] {
    const userId = this.#guard(ext, undefined, () => resolveUser(ext, filter.userId));
    return this.#table
      .list(ext.extensionId, { ...filter, ...(userId === undefined ? {} : { userId }) })
      .map((info) => withEntry(info, this.#table.get(info.processId)?.entry ?? ''));
  }

  /** One of the caller's processes, or null (also for another extension's process). */
  get(ext: ExtensionProcessContext, processId: string): BackendProcessInfoDTO | null {
    try {
      return this.#info(this.#access(ext, processId));
    } catch (error) {
      if (isSpindleError(error, 'PROCESS_NOT_FOUND')) return null;
      throw error;
    }
  }

  /** Stops one of the caller's processes; resolves with its final info once the child is gone. */
  async stop(
    ext: ExtensionProcessContext,
    processId: string,
    options: BackendProcessStopOptionsDTO = {},
  ): Promise<BackendProcessInfoDTO> {
    const entry = this.#access(ext, processId, options.userId);
    await this.#end(entry, { exitReason: 'stopped', reason: options.reason });
    return this.#info(entry);
  }

  /** Sends a message to one of the caller's processes; false when it was dropped (ended). */
  send(
    ext: ExtensionProcessContext,
    processId: string,
    payload: unknown,
    userId?: string,
  ): boolean {
    const entry = this.#access(ext, processId, userId);
    if (entry.link === undefined) {
      entry.machine.acceptToProcess();
      return false;
    }
    return entry.link.send(payload);
  }

  /** Ends every process of the extension with `backend_unloaded`; resolves once all are gone. */
  async unloadExtension(extensionId: string): Promise<void> {
    this.#unloading.add(extensionId);
    this.#epochs.set(extensionId, (this.#epochs.get(extensionId) ?? 0) + 1);
    this.#plans.delete(extensionId);
    try {
      await Promise.all(
        this.#table
          .live(extensionId)
          .map((entry) =>
            this.#end(entry, { exitReason: 'backend_unloaded', reason: 'extension unloaded' }),
          ),
      );
      this.#table.forgetHistory(extensionId);
    } finally {
      this.#unloading.delete(extensionId);
    }
  }

  /** Ends everything at once (`HOST_CLOSING`) and waits for every child to be reaped. */
  async close(): Promise<void> {
    this.#closing = true;
    await Promise.all(
      this.#table.live().map(async (entry) => {
        await entry.machine.terminate('backend_unloaded', 'HOST_CLOSING');
        await entry.link?.exited;
      }),
    );
  }

  /** Dropped and malformed message counts of a process, live or recently ended. */
  countersOf(
    processId: string,
  ): { droppedFromProcess: number; droppedToProcess: number; malformed: number } | undefined {
    const entry = this.#table.get(processId);
    if (entry === undefined) return undefined;
    return { ...entry.machine.counters, malformed: entry.link?.malformed ?? 0 };
  }

  /** Pid of a process's child, live or recently ended (diagnostics, tests). */
  pidOf(processId: string): number | undefined {
    return this.#table.get(processId)?.link?.pid;
  }

  /** Recent processes of every extension, live or ended, oldest first (operator views). */
  snapshot(): Array<BackendProcessInfoDTO & { extensionId: string }> {
    return this.#recent.map((entry) => ({ ...this.#info(entry), extensionId: entry.extensionId }));
  }

  /** Processes of the extension that have not ended. */
  liveCount(extensionId: string): number {
    return this.#table.liveCount(extensionId);
  }

  /** Live child pids (for diagnostics and tests). */
  pids(): number[] {
    return this.#table.live().flatMap((entry) => (entry.link ? [entry.link.pid] : []));
  }

  async #end(
    entry: BackendEntry,
    how: { exitReason: 'stopped' | 'replaced' | 'backend_unloaded'; reason: string | undefined },
  ): Promise<void> {
    await entry.machine.stop({ exitReason: how.exitReason, reason: how.reason });
    // The child is SIGKILLed at the latest after the grace; wait until it is reaped.
    await entry.link?.exited;
  }

  async #plan(ext: ExtensionProcessContext): Promise<LaunchPlan> {
    const mode = ext.runtimeMode === 'sandbox' ? 'sandbox' : 'process';
    const key = `${mode}\0${ext.extensionPath}`;
    let cached = this.#plans.get(ext.extensionId);
    if (cached?.key !== key) {
      cached = { key, plan: this.#newPlan(ext, mode) };
      this.#plans.set(ext.extensionId, cached);
      // A failed plan is not kept: the next spawn tries again.
      const attempt = cached;
      attempt.plan.catch(() => {
        if (this.#plans.get(ext.extensionId) === attempt) this.#plans.delete(ext.extensionId);
      });
    }
    const plan = await cached.plan;
    if (mode === 'sandbox' && (plan.sandbox === undefined || plan.sandbox === 'unavailable')) {
      this.#opts.logger({
        level: 'warn',
        extensionId: ext.extensionId,
        message:
          'SANDBOX UNAVAILABLE: this backend process runs WITHOUT isolation (sandbox: "unavailable")',
      });
    }
    return plan;
  }

  async #newPlan(ext: ExtensionProcessContext, mode: 'process' | 'sandbox'): Promise<LaunchPlan> {
    try {
      const settings = ext.launch ?? resolveLaunchSettings({}, process.env);
      const plan = await this.#opts.launcher.plan({
        script: await bundledScript(BACKEND_CHILD_SCRIPT, settings.cacheDir),
        cwd: ext.extensionPath,
        mode,
        settings,
        ...(mode === 'sandbox'
          ? { sandbox: { readOnly: [ext.extensionPath], readWrite: [] } }
          : {}),
      });
      // Shared by every spawn of the extension: nobody may change it.
      Object.freeze(plan.cmd);
      Object.freeze(plan.env);
      return Object.freeze(plan);
    } catch (error) {
      // A refusal keeps its code: the caller learns a protection is missing, not a bug.
      if (error instanceof SpindleError && error.code === 'LAUNCH_REFUSED') throw error;
      throw new SpindleError(
        'INTERNAL',
        `cannot plan the backend process launch: ${String(error)}`,
        {
          cause: error,
          details: { extensionId: ext.extensionId, mode },
        },
      );
    }
  }

  #access(ext: ExtensionProcessContext, processId: string, userId?: string): BackendEntry {
    const entry = this.#table.get(processId);
    this.#guard(ext, processId, () => assertAccess(ext, entry, processId, userId));
    return entry as BackendEntry;
  }

  /** Runs an authority check; a refusal is logged before it propagates. */
  #guard<T>(ext: ExtensionProcessContext, processId: string | undefined, check: () => T): T {
    try {
      return check();
    } catch (error) {
      if (isSpindleError(error)) {
        this.#opts.logger({
          level: 'warn',
          extensionId: ext.extensionId,
          ...(processId === undefined ? {} : { processId }),
          message: `refused (${error.code}): ${error.message}`,
        });
      }
      throw error;
    }
  }

  /**
   * Refuses a spawn once the host closes, while its extension unloads, and when an unload
   * happened since the spawn began. After the unload, the extension (re-enabled, same context
   * object) may spawn again.
   */
  #assertOpen(ext: ExtensionProcessContext, epoch: number): void {
    if (this.#closing) throw new SpindleError('HOST_CLOSING', 'the host is closing');
    const current = this.#epochs.get(ext.extensionId) ?? 0;
    if (this.#unloading.has(ext.extensionId) || current !== epoch) {
      throw new SpindleError(
        'EXTENSION_UNLOADED',
        `extension ${ext.extensionId} is unloading or was unloaded since this spawn began`,
        {
          details: { extensionId: ext.extensionId },
        },
      );
    }
  }

  #info(entry: BackendEntry): BackendProcessInfoDTO {
    return withEntry(entry.machine.info(), entry.entry);
  }
}

/** Adds the `entry` of a backend process to a kind-agnostic info. */
function withEntry(info: ProcessInfo, entry: string): BackendProcessInfoDTO {
  return { ...info, entry } as BackendProcessInfoDTO;
}

/** Adds the `entry` of a backend process to a kind-agnostic lifecycle event. */
function eventWithEntry(
  event: ProcessLifecycleEvent,
  entry: string,
): BackendProcessLifecycleEventDTO {
  return { ...event, entry } as BackendProcessLifecycleEventDTO;
}
