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
import {
  createStorage,
  OperationGate,
  type ResolvedStorageLimits,
  STORAGE_LIMIT_DEFAULTS,
  userStorageRoot,
} from '../storage/index.ts';

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
  /** App services and the extension's grants (absent: no service is registered). */
  services?: RouterServices;
  /** Bounds of the extension's storage. @default STORAGE_LIMIT_DEFAULTS */
  storageLimits?: ResolvedStorageLimits;
  /** The runtime's own `activity` report (idle hibernation). @default ignored */
  onActivity?(timers: number, events: string[]): void;
  /** Requests of the runtime being handled now, after each change. @default ignored */
  onPending?(count: number): void;
}

/** What the router needs of app services. */
export interface RouterServices {
  /** Runs one `service_call`; settles once (see `services/call.ts`). */
  call(request: { namespace: string; method: string; args: unknown[] }): Promise<unknown>;
  /** Permissions granted now. */
  granted(): string[];
}

/** Routes one extension's runtime messages. */
export class RuntimeRouter {
  readonly #o: RuntimeRouterOptions;
  #storage: Storage | undefined;
  readonly #userStorage = new Map<string, Storage>();
  readonly #scopeMismatchLogged = new Set<string>();
  readonly #limits: ResolvedStorageLimits;
  readonly #gate: OperationGate;
  #pending = 0;

  constructor(options: RuntimeRouterOptions) {
    this.#o = options;
    this.#limits = options.storageLimits ?? STORAGE_LIMIT_DEFAULTS;
    this.#gate = new OperationGate(this.#limits.concurrency, this.#limits.maxQueued);
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
        this.#answer(message.requestId, () => this.#gate.run(() => this.#storageOp(message)));
        return;
      case 'service_call': {
        const { services } = this.#o;
        this.#answer(message.requestId, async () => {
          if (!services) {
            throw new SpindleError(
              'SERVICE_UNAVAILABLE',
              `${message.namespace}.${message.method} is not a registered service method`,
            );
          }
          return services.call(message);
        });
        return;
      }
      case 'permissions_get':
        this.#answer(message.requestId, async () => this.#o.services?.granted() ?? []);
        return;
      case 'activity':
        this.#o.onActivity?.(message.timers, message.events);
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

  /**
   * `spindle.sendToFrontend`, with upstream's routing: no user → every session that has the
   * extension mounted; a user → that user's sessions with it mounted; a session → that session
   * alone. A user-scoped extension always reaches its installer, whatever user it names (the
   * mismatch is logged once).
   */
  #sendToFrontend(message: Extract<WorkerToHost, { type: 'send_to_frontend' }>): void {
    const { gateway, scope, extensionId } = this.#o;
    const refuse = (why: string) => this.#o.log('warn', `sendToFrontend refused: ${why}`, 'host');
    let userId = message.userId;
    if (scope.kind === 'user') {
      if (userId !== undefined && userId !== scope.userId)
        this.#logScopeMismatch('sendToFrontend', userId);
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
    gateway.broadcast(downlink, userId === undefined ? { extensionId } : { userId, extensionId });
  }

  async #storageOp(message: StorageMessage): Promise<unknown> {
    const storage = message.type === 'storage' ? this.#shared() : this.#forUser(message.userId);
    const { path } = message;
    switch (message.op) {
      case 'read':
        return await storage.read(path);
      case 'read_binary':
        return Buffer.from(await storage.readBinary(path)).toString('base64');
      case 'write':
        await storage.write(path, required(message, 'data'));
        return null;
      case 'write_binary':
        await storage.writeBinary(
          path,
          new Uint8Array(Buffer.from(required(message, 'data'), 'base64')),
        );
        return null;
      case 'delete':
        await storage.delete(path);
        return null;
      case 'exists':
        return await storage.exists(path);
      case 'list':
        return await storage.list(path === '' ? undefined : path);
      case 'mkdir':
        await storage.mkdir(path);
        return null;
      case 'move':
        await storage.move(path, required(message, 'to'));
        return null;
      case 'stat':
        return await storage.stat(path);
    }
  }

  #shared(): Storage {
    this.#storage ??= createStorage(this.#o.storagePath, {
      maxFileBytes: this.#limits.maxFileBytes,
      quotaBytes: this.#limits.quotaBytes,
    });
    return this.#storage;
  }

  /** A user-scoped extension named another user: logged once per member, then ignored. */
  #logScopeMismatch(member: string, named: string): void {
    if (this.#scopeMismatchLogged.has(member) || this.#o.scope.kind !== 'user') return;
    this.#scopeMismatchLogged.add(member);
    const installer = this.#o.scope.userId;
    this.#o.log(
      'warn',
      `${member} named user ${named}, but the extension is installed for ${installer} only: it acts for ${installer} (logged once)`,
      'host',
    );
  }

  #forUser(requested: string | undefined): Storage {
    const { scope } = this.#o;
    let userId: string;
    if (scope.kind === 'user') {
      // As upstream: a user-scoped extension always acts for its installer.
      if (requested !== undefined && requested !== scope.userId)
        this.#logScopeMismatch('userStorage', requested);
      userId = scope.userId;
    } else {
      if (requested === undefined) {
        throw new SpindleError(
          'INVALID_OPTIONS',
          'userStorage: an operator-scoped extension must name the user (the last argument, or { userId } for getJson/setJson)',
        );
      }
      userId = requested;
    }
    let storage = this.#userStorage.get(userId);
    if (!storage) {
      storage = createStorage(userStorageRoot(this.#o.storagePath, userId), {
        maxFileBytes: this.#limits.maxFileBytes,
        quotaBytes: this.#limits.userQuotaBytes,
      });
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
    this.#pending += 1;
    this.#o.onPending?.(this.#pending);
    settled
      .then(
        (result) => this.#o.post({ type: 'response', requestId, result: result ?? null }),
        (error) => this.#o.post({ type: 'response', requestId, error: serializeError(error) }),
      )
      .finally(() => {
        this.#pending -= 1;
        this.#o.onPending?.(this.#pending);
      });
  }
}

/** A field a storage operation needs; its absence is the caller's mistake (`INVALID_OPTIONS`). */
function required(message: StorageMessage, field: 'data' | 'to'): string {
  const value = message[field];
  if (typeof value !== 'string') {
    throw new SpindleError(
      'INVALID_OPTIONS',
      `storage ${message.op} of ${JSON.stringify(message.path)} needs "${field}"`,
      { details: { path: field } },
    );
  }
  return value;
}

/** Process supervision stand-in used until the host is given a real one. */
export const unconfiguredProcessService: ProcessService = {
  async handle() {
    throw new SpindleError('INTERNAL', 'process supervision is not configured');
  },
  async unloadExtension() {},
  async close() {},
};
