/**
 * `createBackendTestHost`: one extension's backend half on the real host code path
 * (`startSpindleHost` on loopback, a real runtime in the chosen mode with the real global
 * `spindle`), storage in a temporary folder, real backend processes under the same supervision
 * and watchdogs, a frontend double of real tabs (`frontend.ts`), app services the test registers,
 * compressed deadlines, and `dispose()` that stops everything and removes every file, also after
 * a failed start or a throwing test (`await using`).
 */

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type ExtensionScope,
  SpindleError,
  type SpindleRuntimeMode,
  type SpindleStorage,
} from '@spindle/types';
import { type ProcessRow, type StartedSpindleHost, startSpindleHost } from '../assemble.ts';
import type { HostExtensionInfo, HostLogEntry, SpindleHost } from '../host.ts';
import type { SupervisorTimers } from '../processes/machine/index.ts';
import { createTokenAuthenticator } from '../server/auth.ts';
import { type PermissionPolicy, ServiceRegistry } from '../services/index.ts';
import { createStorage, userStorageRoot } from '../storage/index.ts';
import { type ExtensionSource, prepareExtension } from './extension-dir.ts';
import { createFrontendDouble, type TestFrontend, type WaitOptions } from './frontend.ts';
import { waitFor } from './wait.ts';

/** Deadlines of a test host; all compressed by default so failures show quickly. */
export interface TestDeadlines {
  /** Runtime start (import included) → `ready`. @default 10000 */
  readyMs?: number;
  /** `shutdown` sent → the runtime exited by itself. @default 2000 */
  shutdownMs?: number;
  /** Stop → forced end, for backend and frontend processes alike. @default 1000 */
  stopGraceMs?: number;
  /** Smallest startup deadline a process may ask for (the host's own minimum is 1000). @default 50 */
  minStartupMs?: number;
  /** Largest startup deadline: longer requests are cut to it. @default 120000 (the host's) */
  maxStartupMs?: number;
  /**
   * Largest heartbeat deadline: longer requests are cut to it, so an extension's real 15 s
   * watchdog can fire in a test within this. @default 120000 (the host's)
   */
  maxHeartbeatMs?: number;
  /** A disconnected tab's resume window. @default 1000 */
  resumeGraceMs?: number;
}

/** Options of `createBackendTestHost`. */
export interface BackendTestHostOptions extends ExtensionSource {
  /** Runtime mode. @default "process" */
  mode?: SpindleRuntimeMode;
  /** Users with a tab open at start, in order (the first is the default user). @default ["alice"] */
  users?: string[];
  /** The extension's scope. @default operator scope */
  scope?: ExtensionScope;
  /**
   * App services: a registry, or a function that fills the host's registry before the backend
   * starts (`registry.register('chat', { … })`). @default none
   */
  services?: ServiceRegistry | ((registry: ServiceRegistry) => void);
  /** Permission grants. @default what the manifest asks for */
  permissions?: PermissionPolicy;
  /**
   * Clock of the process watchdogs (startup, heartbeat, stop grace, exit settling), for both
   * process kinds. A test clock lets a test pass a deadline without waiting for it.
   * @default the real clock
   */
  clock?: SupervisorTimers;
  /** Deadlines (see `TestDeadlines`). */
  deadlines?: TestDeadlines;
  /** Also receives every host log line. @default lines are kept in `logs` only */
  logger?: (entry: HostLogEntry) => void;
}

/** Both kinds of process of the extension, as the host supervises them. */
export interface TestProcesses {
  /** Every process, live or recently ended, newest last. */
  list(): ProcessRow[];
  get(processId: string): ProcessRow | undefined;
  /** The first process (present or to come) that `match` accepts. */
  waitFor(match: (row: ProcessRow) => boolean, options?: WaitOptions): Promise<ProcessRow>;
}

/** A running test host (see the module comment). */
export interface BackendTestHost extends AsyncDisposable {
  readonly extensionId: string;
  /** The extension folder the host runs (a private copy). */
  readonly dir: string;
  /** The host's data folder (temporary). */
  readonly dataDir: string;
  /** The runtime mode. */
  readonly mode: SpindleRuntimeMode;
  /** The host (`restart`, `get`, `events`, `services`, `permissions`, …). */
  readonly host: SpindleHost;
  /** The host with its parts (hub, supervisors). */
  readonly started: StartedSpindleHost;
  /** Real tabs playing the frontend half. */
  readonly frontend: TestFrontend;
  /** The extension's storage, through the same API `spindle.storage` has. */
  readonly storage: SpindleStorage;
  /** The storage of `userId` (`spindle.userStorage` for that user). */
  userStorage(userId: string): SpindleStorage;
  /** The host's app services (register test doubles, emit events). */
  readonly services: ServiceRegistry;
  /** Fires an app event (`spindle.on(event)` in the backend). */
  emit(event: string, payload: unknown, options?: { userId?: string }): void;
  /** Every log line about the extension, in order. */
  readonly logs: readonly HostLogEntry[];
  /** The first log line (present or to come) whose message matches. */
  waitForLog(match: string | RegExp, options?: WaitOptions): Promise<HostLogEntry>;
  readonly processes: TestProcesses;
  /** The extension as the host sees it (state, pid, …). */
  info(): HostExtensionInfo;
  /** Restarts the runtime (storage and tabs stay). */
  restart(): Promise<HostExtensionInfo>;
  /** Stops everything and removes every file. Idempotent; never throws. */
  dispose(): Promise<void>;
}

const DEFAULT_USERS = ['alice'];

/**
 * Starts the extension on a test host; resolves once it is `running` and every user's tab has it
 * mounted.
 * @throws SpindleError `INVALID_OPTIONS` for bad options, `IMPORT_FAILED` when the extension does
 *   not build or start (with its log), after cleaning everything up
 */
export async function createBackendTestHost(
  options: BackendTestHostOptions,
): Promise<BackendTestHost> {
  if (typeof (globalThis as { Bun?: unknown }).Bun === 'undefined') {
    throw new SpindleError(
      'INVALID_OPTIONS',
      'createBackendTestHost needs the Bun runtime: run the tests with `bun test`, or vitest on Bun with `bun --bun vitest run`',
    );
  }
  const users = options.users ?? DEFAULT_USERS;
  if (users.length === 0 || new Set(users).size !== users.length) {
    throw new SpindleError(
      'INVALID_OPTIONS',
      'createBackendTestHost: users must be distinct and at least one',
    );
  }
  const base = mkdtempSync(join(tmpdir(), 'spindle-test-host-'));
  const cleanups: Array<() => unknown> = [() => rmSync(base, { recursive: true, force: true })];
  let disposed: Promise<void> | undefined;
  const dispose = () => {
    disposed ??= (async () => {
      for (const cleanup of cleanups.splice(0).reverse()) {
        try {
          await cleanup();
        } catch {
          // Keep going: every later cleanup still runs.
        }
      }
    })();
    return disposed;
  };
  try {
    const extensionsDir = join(base, 'extensions');
    const dataDir = join(base, 'data');
    const { dir, manifest } = await prepareExtension(options, extensionsDir);
    const extensionId = manifest.identifier;
    const logs: HostLogEntry[] = [];
    const services =
      options.services instanceof ServiceRegistry ? options.services : new ServiceRegistry();
    if (typeof options.services === 'function') options.services(services);
    const tokens = new Map(users.map((user) => [user, randomBytes(24).toString('base64url')]));
    const deadlines = options.deadlines ?? {};
    const stopGraceMs = deadlines.stopGraceMs ?? 1_000;
    const clock = options.clock ? { timers: options.clock } : {};
    const started = await startSpindleHost({
      extensionsDir,
      dataDir,
      runtimeMode: options.mode ?? 'process',
      enable: [extensionId],
      services,
      ...(options.scope ? { scopes: { [extensionId]: options.scope } } : {}),
      ...(options.permissions ? { permissions: options.permissions } : {}),
      authenticate: createTokenAuthenticator({
        tokens: Object.fromEntries([...tokens].map(([userId, token]) => [token, { userId }])),
      }),
      logger: (entry) => {
        if (entry.extensionId === extensionId || entry.extensionId === undefined) logs.push(entry);
        options.logger?.(entry);
      },
      timing: {
        readyTimeoutMs: deadlines.readyMs ?? 10_000,
        shutdownTimeoutMs: deadlines.shutdownMs ?? 2_000,
        killGraceMs: 1_000,
        unloadTimeoutMs: stopGraceMs + 1_000,
      },
      processOptions: {
        ...clock,
        logger: () => {},
        limits: {
          stopGraceMs,
          deadlines: {
            startup: { min: deadlines.minStartupMs ?? 50, max: deadlines.maxStartupMs ?? 120_000 },
            startupDefault: 15_000,
            heartbeat: { min: 0, max: deadlines.maxHeartbeatMs ?? 120_000 },
            heartbeatDefault: 15_000,
          },
        },
      },
      frontendProcessOptions: { stopGraceMs, disconnectGraceMs: deadlines.resumeGraceMs ?? 1_000 },
      serverOptions: { hub: { limits: { resumeGraceMs: deadlines.resumeGraceMs ?? 1_000 } } },
    });
    cleanups.push(() => started.close());
    const info = started.host.get(extensionId);
    if (info?.state !== 'running') {
      const lines = logs.map((l) => `  ${l.level} ${l.message}`).join('\n');
      throw new SpindleError(
        'IMPORT_FAILED',
        `the extension ${extensionId} is ${info?.state ?? 'missing'}${info?.error ? `: ${info.error}` : ''}\n${lines}`,
        { details: { state: info?.state, error: info?.error } },
      );
    }
    const frontend = createFrontendDouble({
      wsUrl: `ws://127.0.0.1:${started.host.port}/ws`,
      tokens,
      extensionId,
      onCleanup: (cleanup) => cleanups.push(cleanup),
    });
    for (const user of users) await frontend.open(user);

    const storageRoot = join(dataDir, 'storage', extensionId);
    const rows = () => started.listProcesses().filter((row) => row.extensionId === extensionId);
    const testHost: BackendTestHost = {
      extensionId,
      dir,
      dataDir,
      mode: started.host.runtimeMode,
      host: started.host,
      started,
      frontend,
      storage: createStorage(storageRoot),
      userStorage: (userId) => createStorage(userStorageRoot(storageRoot, userId)),
      services,
      emit: (event, payload, emitOptions = {}) => services.emit(event, payload, emitOptions),
      logs,
      async waitForLog(match, waitOptions = {}) {
        const test = (entry: HostLogEntry) =>
          typeof match === 'string' ? entry.message.includes(match) : match.test(entry.message);
        await waitFor(() => logs.some(test), `a log line matching ${String(match)}`, {
          timeoutMs: waitOptions.timeoutMs ?? 10_000,
          describe: () => `logged:\n${logs.map((l) => `  ${l.message}`).join('\n')}`,
        });
        return logs.find(test) as HostLogEntry;
      },
      processes: {
        list: rows,
        get: (processId) => rows().find((row) => row.processId === processId),
        async waitFor(match, waitOptions = {}) {
          await waitFor(() => rows().some(match), 'a matching process', {
            timeoutMs: waitOptions.timeoutMs ?? 10_000,
            describe: () => `processes: ${JSON.stringify(rows().map((r) => [r.kind, r.state]))}`,
          });
          return rows().find(match) as ProcessRow;
        },
      },
      info: () => started.host.get(extensionId) as HostExtensionInfo,
      restart: () => started.host.restart(extensionId),
      dispose,
      [Symbol.asyncDispose]: dispose,
    };
    return testHost;
  } catch (error) {
    await dispose();
    throw error;
  }
}
