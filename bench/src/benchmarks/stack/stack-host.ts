/**
 * The whole host stack inside the benchmark's Bun child, wired as the host command wires it:
 * token authentication, `createFrontendSide` (hub + Bun.serve WebSocket server on
 * 127.0.0.1:0), the process service with frontend supervision, and `createSpindleHost` running
 * the echo extension in the chosen runtime mode. `close()` closes the host (server, runtimes,
 * supervision), then checks in /proc that no process it started survived (any survivor is
 * SIGKILLed and reported as an error). Bun-only: import
 * lazily.
 */
import type { SpindleRuntimeMode } from '@spindle/types';
import { SpindleError } from '@spindle/types';
import { withDeadline } from '../../harness/deadline.ts';
import { BENCH_USER } from '../lib/bare-children.ts';
import { writeEchoExtension } from './echo-extension.ts';
import { ECHO_EXTENSION_ID } from './messages.ts';
import {
  createFrontendSide,
  createFrontendSupervision,
  createProcessService,
  createSpindleHost,
  createTokenAuthenticator,
  type FrontendSupervisor,
  type SpindleHost,
} from './packages.ts';
import { expectNoSurvivors, snapshotDescendants } from './survivors.ts';

/** Bound on the host starting with the echo extension running. */
export const HOST_START_DEADLINE_MS = 60_000;
/** Bound on `host.close()` and on its children being gone after it. */
export const HOST_CLOSE_DEADLINE_MS = 60_000;

/** Options of `openStackHost`. */
export interface StackHostOptions {
  mode: SpindleRuntimeMode;
  /** Distinct users; user `i` has token `tokenOf(i)`. @default 1 */
  users?: number;
  /**
   * Per-connection frame rate limit of the server, or undefined for the shipped default
   * (`DEFAULT_WIRE_LIMITS.maxFramesPerSecond`).
   */
  maxFramesPerSecond?: number;
  log(message: string): void;
}

/** A running stack. */
export interface StackHost {
  readonly host: SpindleHost;
  /** `ws://127.0.0.1:<port>/ws`. */
  readonly wsUrl: string;
  /** `http://127.0.0.1:<port>`. */
  readonly httpUrl: string;
  /** Token of user `index` (0-based). */
  tokenOf(index: number): string;
  /** Closes everything and checks that no child survived. */
  close(): Promise<void>;
}

/** Token of user `index`: long enough for the host's token rules, unique per user. */
function benchToken(index: number): string {
  return `bench-stack-token-${index.toString().padStart(4, '0')}-0123456789`;
}

/** Starts the stack; everything started is closed again when a later step throws. */
export async function openStackHost(options: StackHostOptions): Promise<StackHost> {
  const users = options.users ?? 1;
  const before = snapshotDescendants();
  const tree = writeEchoExtension();
  const tokens: Record<string, { userId: string }> = {};
  for (let i = 0; i < users; i++) tokens[benchToken(i)] = { userId: `bench-user-${i}` };
  let warnings = 0;
  const quietLog = (level: string, message: string) => {
    if (level === 'info' || warnings >= 20) return;
    warnings += 1;
    options.log(`[stack ${level}] ${message}`);
  };
  const frontend = createFrontendSide({
    authenticate: createTokenAuthenticator({ tokens }),
    port: 0,
    ...(options.maxFramesPerSecond === undefined
      ? {}
      : { limits: { maxFramesPerSecond: options.maxFramesPerSecond } }),
    reportError: (error) => quietLog('error', `server: ${String(error)}`),
  });
  let supervisor: FrontendSupervisor | undefined;
  const processService = createProcessService({
    frontendGateway: frontend.hub,
    logger: (record) => quietLog(record.level, `process: ${record.message}`),
    frontend: (deps) => {
      supervisor = createFrontendSupervision()(deps);
      return supervisor;
    },
  });
  frontend.hub.setProcessAuthorizer(
    (session, processId, message) =>
      supervisor?.authorizeProcessFrame(session, processId, message) ?? false,
  );
  let host: SpindleHost | undefined;
  const closeAll = async () => {
    try {
      // The host closes the server and the process service it was handed.
      if (host) await withDeadline(host.close(), HOST_CLOSE_DEADLINE_MS, 'host close');
      else await processService.close();
    } finally {
      try {
        await expectNoSurvivors(before, HOST_CLOSE_DEADLINE_MS, 'processes after host.close()');
      } finally {
        tree.remove();
      }
    }
  };
  try {
    host = await withDeadline(
      createSpindleHost({
        extensionsDir: tree.extensionsDir,
        dataDir: tree.dataDir,
        runtimeMode: options.mode,
        enable: [ECHO_EXTENSION_ID],
        frontendGateway: frontend.hub,
        processService,
        server: frontend.server,
        // On a root machine, the runtime user a root host must have (as every bench row).
        ...(BENCH_USER ? { runtimeUser: BENCH_USER.name } : {}),
        logger: (entry) => quietLog(entry.level, `${entry.extensionId ?? ''} ${entry.message}`),
      }),
      HOST_START_DEADLINE_MS,
      `host start (${options.mode})`,
    );
    const info = host.get(ECHO_EXTENSION_ID);
    if (info?.state !== 'running' || info.runtimeMode !== options.mode) {
      throw new SpindleError(
        'INTERNAL',
        `echo extension is ${info?.state} (${info?.runtimeMode}), not running in ${options.mode} mode: ${info?.error ?? ''}`,
      );
    }
    const port = host.port;
    if (port === undefined) throw new SpindleError('INTERNAL', 'the host started no server');
  } catch (error) {
    await closeAll();
    throw error;
  }
  const port = host.port as number;
  return {
    host,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    httpUrl: `http://127.0.0.1:${port}`,
    tokenOf: (index) => benchToken(index % users),
    close: closeAll,
  };
}
