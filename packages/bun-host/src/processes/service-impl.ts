/**
 * `createProcessService`: the `ProcessService` the runtime layer hands its process requests to.
 * Backend processes are supervised here (`backend/`); frontend processes by the supervision
 * plugged in through `frontend-hook.ts`.
 */
import { SpindleError } from '@spindle/types';
import type { FrontendGateway } from '../frontend/gateway.ts';
import { rateLimitedProcessLogger } from '../util/limited-loggers.ts';
import { type BackendLauncher, defaultBackendLauncher } from './backend/launcher.ts';
import { BackendSupervisor } from './backend/supervisor.ts';
import {
  type FrontendProcessMessage,
  type FrontendSupervisionFactory,
  unavailableFrontendSupervision,
} from './frontend-hook.ts';
import { consoleProcessLogger, type ProcessLogger, safeLogger } from './logger.ts';
import {
  realTimers,
  resolveLimits,
  type SupervisorLimits,
  type SupervisorTimers,
} from './machine/index.ts';
import type { ExtensionProcessContext, ProcessRequestMessage, ProcessService } from './service.ts';

/** Options of `createProcessService`. */
export interface ProcessServiceOptions {
  /** Frontend sessions, for frontend processes. */
  frontendGateway?: FrontendGateway;
  /** @default the real timers, captured at load */
  timers?: SupervisorTimers;
  /** @default one line per record on stderr */
  logger?: ProcessLogger;
  /** Limits and deadline rules (tests compress them). @default DEFAULT_SUPERVISOR_LIMITS */
  limits?: Partial<SupervisorLimits>;
  /** How backend children are launched. @default planLaunch of src/sandbox */
  launcher?: BackendLauncher;
  /** Malformed child messages tolerated before a backend process is failed. @default 16 */
  maxMalformedMessages?: number;
  /** After its terminal message, how long a backend child may take to exit. @default 2000 */
  terminalLingerMs?: number;
  /** Frontend process supervision. @default requests reject with `INTERNAL` */
  frontend?: FrontendSupervisionFactory;
}

/** A `ProcessService` with a handle on its backend supervisor (diagnostics, tests). */
export interface SpindleProcessService extends ProcessService {
  readonly backend: BackendSupervisor;
}

function isFrontendMessage(message: ProcessRequestMessage): message is FrontendProcessMessage {
  return message.type.startsWith('frontend_process_');
}

/** Builds the process service of one host. */
export function createProcessService(options: ProcessServiceOptions = {}): SpindleProcessService {
  const timers = options.timers ?? realTimers;
  // Backend processes are extension code: their output and the warnings they cause are
  // rate-limited per source, so that a flood costs one summary line per window.
  const logger = rateLimitedProcessLogger(
    safeLogger(options.logger ?? consoleProcessLogger),
    timers,
  );
  const limits = resolveLimits(options.limits);
  const backend = new BackendSupervisor({
    timers,
    logger,
    limits,
    launcher: options.launcher ?? defaultBackendLauncher,
    ...(options.maxMalformedMessages === undefined
      ? {}
      : { maxMalformedMessages: options.maxMalformedMessages }),
    ...(options.terminalLingerMs === undefined
      ? {}
      : { terminalLingerMs: options.terminalLingerMs }),
  });
  const frontend = (options.frontend ?? unavailableFrontendSupervision)({
    gateway: options.frontendGateway,
    timers,
    logger,
    limits,
  });
  let closing: Promise<void> | undefined;

  async function handle(
    ext: ExtensionProcessContext,
    message: ProcessRequestMessage,
  ): Promise<unknown> {
    if (closing) throw new SpindleError('HOST_CLOSING', 'the host is closing');
    if (isFrontendMessage(message)) return frontend.handle(ext, message);
    switch (message.type) {
      case 'backend_process_spawn':
        return backend.spawn(ext, message.options);
      case 'backend_process_list':
        return backend.list(ext, message.filter);
      case 'backend_process_get':
        return backend.get(ext, message.processId);
      case 'backend_process_stop':
        return backend.stop(ext, message.processId, message.options);
      case 'backend_process_send':
        backend.send(ext, message.processId, message.payload, message.userId);
        return undefined;
      default:
        throw new SpindleError(
          'UNKNOWN_TYPE',
          `not a process message: ${(message as { type: string }).type}`,
        );
    }
  }

  return {
    backend,
    handle,
    liveCount: (extensionId) =>
      backend.liveCount(extensionId) + (frontend.liveCount?.(extensionId) ?? 0),
    async unloadExtension(extensionId) {
      await Promise.all([
        backend.unloadExtension(extensionId),
        frontend.unloadExtension(extensionId),
      ]);
    },
    close() {
      closing ??= Promise.all([backend.close(), frontend.close()]).then(() => undefined);
      return closing;
    },
  };
}
