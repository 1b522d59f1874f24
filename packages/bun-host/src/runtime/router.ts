/**
 * Host side of one extension's runtime traffic (everything but the lifecycle messages): logs,
 * messages to frontends (scope enforced), storage confined to the extension's folder, and
 * process requests handed to process supervision. Every request gets exactly one `response`.
 */
import {
  type ExtensionScope,
  errorMessage,
  type HostToWorker,
  type LogLevel,
  SpindleError,
  serializeError,
  type WorkerToHost,
} from '@spindle/types';
import type { FrontendGateway } from '../frontend/gateway.ts';
import type {
  ExtensionProcessContext,
  ProcessRequestMessage,
  ProcessService,
} from '../processes/service.ts';
import { createStorage, userStorageRoot } from '../storage/index.ts';

type StorageMessage = Extract<WorkerToHost, { type: 'storage' | 'user_storage' }>;
type Storage = ReturnType<typeof createStorage>;

/** What the router needs to know and reach. */
export interface RuntimeRouterOptions {
  extensionId: string;
  scope: ExtensionScope;
  storagePath: string;
  gateway: FrontendGateway;
  processService: ProcessService;
  processContext: ExtensionProcessContext;
  /** Posts to the runtime. */
  post(message: HostToWorker): void;
  /** A line for the host log, tagged with the extension by the caller. */
  log(level: LogLevel, message: string, source: 'runtime' | 'host'): void;
}

/** Routes one extension's runtime messages. */
export class RuntimeRouter {
  readonly #o: RuntimeRouterOptions;
  #storage: Storage | undefined;
  readonly #userStorage = new Map<string, Storage>();

  constructor(options: RuntimeRouterOptions) {
    this.#o = options;
  }

  /** Handles one validated message. */
  handle(message: WorkerToHost): void {
    switch (message.type) {
      case 'log':
        this.#o.log(message.level, message.message, 'runtime');
        return;
      case 'send_to_frontend':
        this.#sendToFrontend(message);
        return;
      case 'storage':
      case 'user_storage':
        this.#answer(message.requestId, () => this.#storageOp(message));
        return;
      case 'ready':
      case 'init_failed':
      case 'shutdown_complete':
      // Pongs belong to the runtime's watchdog, which takes them before the router.
      case 'pong':
        return;
      default:
        this.#process(message);
    }
  }

  /**
   * Delivers a frontend's `sendToBackend` payload, enforcing the extension's scope. Returns why
   * it was refused (for the sender's error), or `undefined` once it is sent.
   */
  deliverFrontendMessage(
    payload: unknown,
    userId: string,
    frontendSessionId: string,
  ): string | undefined {
    const { scope } = this.#o;
    if (scope.kind === 'user' && scope.userId !== userId) {
      const why = `the extension is installed for ${scope.userId} only`;
      this.#o.log('warn', `dropped a frontend message from user ${userId}: ${why}`, 'host');
      return why;
    }
    this.#o.post({ type: 'frontend_message', payload, userId, frontendSessionId });
    return undefined;
  }

  #sendToFrontend(message: Extract<WorkerToHost, { type: 'send_to_frontend' }>): void {
    const { gateway, scope, extensionId } = this.#o;
    const refuse = (why: string) => this.#o.log('warn', `sendToFrontend refused: ${why}`, 'host');
    let userId = message.userId;
    if (scope.kind === 'user') {
      if (userId !== undefined && userId !== scope.userId) {
        refuse(`user ${userId} is not ${scope.userId}, the only user of this extension`);
        return;
      }
      userId = scope.userId;
    }
    const downlink = { type: 'backend_message', extensionId, payload: message.payload } as const;
    if (message.frontendSessionId !== undefined) {
      const session = gateway.getSession(message.frontendSessionId);
      if (!session) {
        refuse(`no frontend session ${message.frontendSessionId}`);
        return;
      }
      if (userId !== undefined && session.userId !== userId) {
        refuse(`frontend session ${message.frontendSessionId} does not belong to user ${userId}`);
        return;
      }
      gateway.send(session.sessionId, downlink);
      return;
    }
    if (userId === undefined) {
      refuse('an operator-scoped extension must name a userId or a frontendSessionId');
      return;
    }
    gateway.broadcast(downlink, { userId, extensionId });
  }

  async #storageOp(message: StorageMessage): Promise<unknown> {
    const storage = message.type === 'storage' ? this.#shared() : this.#forUser(message.userId);
    switch (message.op) {
      case 'read':
        return await storage.read(message.path);
      case 'write':
        if (typeof message.data !== 'string') {
          throw new SpindleError('INVALID_OPTIONS', `write of ${message.path} carries no data`);
        }
        await storage.write(message.path, message.data);
        return null;
      case 'delete':
        await storage.delete(message.path);
        return null;
      case 'exists':
        return await storage.exists(message.path);
      case 'list':
        return await storage.list(message.path === '' ? undefined : message.path);
    }
  }

  #shared(): Storage {
    this.#storage ??= createStorage(this.#o.storagePath);
    return this.#storage;
  }

  #forUser(requested: string | undefined): Storage {
    const { scope } = this.#o;
    let userId: string;
    if (scope.kind === 'user') {
      if (requested !== undefined && requested !== scope.userId) {
        throw new SpindleError(
          'FORBIDDEN',
          `userStorage: user ${requested} is not ${scope.userId}, the only user of this extension`,
        );
      }
      userId = scope.userId;
    } else {
      if (requested === undefined) {
        throw new SpindleError(
          'INVALID_OPTIONS',
          'userStorage: an operator-scoped extension must pass { userId }',
        );
      }
      userId = requested;
    }
    let storage = this.#userStorage.get(userId);
    if (!storage) {
      storage = createStorage(userStorageRoot(this.#o.storagePath, userId));
      this.#userStorage.set(userId, storage);
    }
    return storage;
  }

  #process(message: ProcessRequestMessage): void {
    const { processService, processContext } = this.#o;
    const run = () => processService.handle(processContext, message);
    if ('requestId' in message) {
      this.#answer(message.requestId, run);
      return;
    }
    run().catch((error) =>
      this.#o.log('warn', `${message.type} failed: ${errorMessage(error)}`, 'host'),
    );
  }

  #answer(requestId: string, job: () => Promise<unknown>): void {
    let settled: Promise<unknown>;
    try {
      settled = job();
    } catch (error) {
      settled = Promise.reject(error);
    }
    settled.then(
      (result) => this.#o.post({ type: 'response', requestId, result: result ?? null }),
      (error) => this.#o.post({ type: 'response', requestId, error: serializeError(error) }),
    );
  }
}

/** Process supervision stand-in used until the host is given a real one. */
export const unconfiguredProcessService: ProcessService = {
  async handle() {
    throw new SpindleError('INTERNAL', 'process supervision is not configured');
  },
  async unloadExtension() {},
  async close() {},
};
