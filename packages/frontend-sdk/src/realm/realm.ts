/**
 * A *realm* is one load of one extension on the side that runs its code: the `ctx` it gets,
 * its process handlers, its backend-message subscriptions, its DOM, and the mount/teardown of
 * its bundle. It talks to the rest of the SDK only through `RealmHostPort` (calls out) and its
 * own methods (calls in), so the same code runs on the main thread and inside a Worker.
 */
import {
  defaultHostDescriptor,
  errorMessage,
  SpindleError,
  type SpindleFrontendContext,
  type SpindleFrontendProcessRegistry,
  type SpindleHostDescriptorV1,
  type SpindleManifest,
  type Unsubscribe,
} from '@spindle/types';
import type { DriverToRealm, RealmToDriver } from '../process/protocol.ts';
import { createOwnedDom, type OwnedDom } from './dom.ts';
import { ProcessRunner } from './process-runner.ts';
import { ProcessRegistry } from './registry.ts';

/** Why a realm's `ctx` went inactive; named in the `EXTENSION_INACTIVE` message. */
export type InactiveReason = 'unloaded' | 'failed';

/** Where a realm reports an error that does not end anything by itself. */
export type RealmErrorPhase = 'backend_message_handler' | 'teardown' | 'contribution';

/** Outcome of handing a message to the SDK's outbound queue. */
export type SendOutcome = 'sent' | 'queued' | 'dropped';

/** Calls from a realm to the SDK core. Every argument is structured-clone safe. */
export interface RealmHostPort {
  /** `ctx.sendToBackend(payload)`; the outcome, when the call is synchronous. */
  sendToBackend(payload: unknown): SendOutcome | undefined | Promise<unknown>;
  /** `ctx.ready()`. */
  ready(): void;
  /** `ctx.deferReady()`. */
  deferReady(): void;
  /** A process handler side speaks to its driver. */
  process(message: RealmToDriver): void;
  /** An extension callback threw; nothing ended because of it. */
  reportError(phase: RealmErrorPhase, message: string): void;
}

/** Options of `createRealm`. */
export interface RealmOptions {
  manifest: SpindleManifest;
  port: RealmHostPort;
  /** Document for `ctx.dom`; without one `ctx.dom` is `undefined` (worker isolation). */
  document?: Document | undefined;
  /** `ctx.host`. @default defaultHostDescriptor(manifest.identifier) */
  host?: SpindleHostDescriptorV1 | undefined;
  /** Reads `ctx.frontendSessionId`. @default always `undefined` */
  frontendSessionId?: (() => string | undefined) | undefined;
  /**
   * Members the embedding app adds to `ctx` (already checked against the SDK's own names and
   * gated; see `host/contributions.ts`). @default none
   */
  contributed?: Record<string, unknown> | undefined;
}

/** One load of one extension, seen from the side that runs its code. */
export interface Realm {
  readonly ctx: SpindleFrontendContext;
  /** False once disposed: every `ctx` call throws `EXTENSION_INACTIVE`. */
  readonly active: boolean;
  /** Runs `setup(ctx)` of a bundle's module namespace; throws `SETUP_FAILED`. */
  mount(module: unknown): Promise<void>;
  /** A driver message for one of this realm's processes. */
  deliver(message: DriverToRealm): void;
  /** A backend message for the `onBackendMessage` handlers. */
  backendMessage(payload: unknown): void;
  /** Teardown once, then subscriptions, then DOM; idempotent. */
  dispose(reason?: InactiveReason): void;
}

type CleanupFn = () => unknown;

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/** Creates the realm of one extension load. */
export function createRealm(options: RealmOptions): Realm {
  const { manifest, port } = options;
  const extensionId = manifest.identifier;
  const registry = new ProcessRegistry();
  const runners = new Map<string, ProcessRunner>();
  const backendHandlers = new Set<(payload: unknown) => void>();
  let active = true;
  let inactiveReason: InactiveReason = 'unloaded';
  let disposed = false;
  let teardown: CleanupFn | undefined;
  let teardownRan = false;

  const guard = (member: string) => {
    if (!active) {
      throw new SpindleError(
        'EXTENSION_INACTIVE',
        `extension ${extensionId} ${inactiveReason === 'failed' ? 'failed to load' : 'is unloaded'}: ctx.${member}() is no longer available`,
        { details: { extensionId, member, reason: inactiveReason } },
      );
    }
  };
  const owned: OwnedDom | undefined = options.document
    ? createOwnedDom(options.document, extensionId, guard)
    : undefined;

  const runTeardown = (fn: CleanupFn) => {
    if (teardownRan) return;
    teardownRan = true;
    try {
      const result = fn();
      if (isThenable(result)) {
        result.then(undefined, (error: unknown) =>
          port.reportError('teardown', errorMessage(error)),
        );
      }
    } catch (error) {
      port.reportError('teardown', errorMessage(error));
    }
  };

  const processes: SpindleFrontendProcessRegistry = Object.freeze({
    register(kind: string, handler: Parameters<SpindleFrontendProcessRegistry['register']>[1]) {
      guard('processes.register');
      return registry.register(kind, handler);
    },
  });

  const host = options.host ?? defaultHostDescriptor(extensionId);
  const sessionId = options.frontendSessionId ?? (() => undefined);
  const ctx: SpindleFrontendContext = Object.freeze({
    ...options.contributed,
    manifest,
    host: Object.freeze({ ...host, capabilities: Object.freeze({ ...host.capabilities }) }),
    get frontendSessionId() {
      return sessionId();
    },
    processes,
    sendToBackend(payload: unknown) {
      guard('sendToBackend');
      const outcome = port.sendToBackend(payload);
      return (typeof outcome === 'string' ? outcome : undefined) as undefined;
    },
    onBackendMessage(handler: (payload: unknown) => void): Unsubscribe {
      guard('onBackendMessage');
      if (typeof handler !== 'function') {
        throw new SpindleError(
          'INVALID_OPTIONS',
          'onBackendMessage(handler): handler must be a function',
        );
      }
      backendHandlers.add(handler);
      return () => {
        backendHandlers.delete(handler);
      };
    },
    ready() {
      guard('ready');
      port.ready();
    },
    deferReady() {
      guard('deferReady');
      port.deferReady();
    },
    dom: owned?.dom,
  });

  const deliver = (message: DriverToRealm) => {
    if (message.type === 'spawn') {
      startProcess(message);
      return;
    }
    const runner = runners.get(message.processId);
    if (runner === undefined) {
      if (message.type === 'end') port.process({ type: 'ended', processId: message.processId });
      else if (message.type === 'message') {
        port.process({ type: 'dropped', processId: message.processId, direction: 'in' });
      }
      return;
    }
    if (message.type === 'message') runner.message(message.payload);
    else if (message.type === 'stop') runner.stop(message.reason);
    else runner.end();
  };

  const startProcess = (spawn: Extract<DriverToRealm, { type: 'spawn' }>) => {
    const post = (out: RealmToDriver) => port.process(out);
    if (disposed || runners.has(spawn.processId)) {
      post({
        type: 'failed',
        processId: spawn.processId,
        error: disposed
          ? `[spindle] extension ${extensionId} is unloaded`
          : `[spindle] process ${spawn.processId} is already running`,
      });
      return;
    }
    const handler = registry.lookup(spawn.kind);
    if (handler === undefined) {
      const known = registry.kinds();
      post({
        type: 'failed',
        processId: spawn.processId,
        error: `[spindle] extension ${extensionId} has no frontend process handler for kind '${spawn.kind.trim()}' (registered: ${known.length ? known.map((k) => `'${k}'`).join(', ') : 'none'})`,
      });
      return;
    }
    const runner = new ProcessRunner(spawn, post, (id) => {
      if (runners.get(id) === runner) runners.delete(id);
    });
    runners.set(spawn.processId, runner);
    runner.start(handler);
  };

  return {
    ctx,
    get active() {
      return active;
    },
    async mount(module: unknown) {
      const ns =
        (typeof module === 'object' || typeof module === 'function') && module !== null
          ? (module as { setup?: unknown; teardown?: unknown })
          : undefined;
      if (typeof ns?.setup !== 'function') {
        throw new SpindleError(
          'SETUP_FAILED',
          `bundle of extension ${extensionId} does not export a setup(ctx) function`,
          { details: { extensionId } },
        );
      }
      const exportedTeardown =
        typeof ns.teardown === 'function' ? (ns.teardown as CleanupFn) : undefined;
      let result: unknown;
      try {
        result = (ns.setup as (c: SpindleFrontendContext) => unknown)(ctx);
        if (isThenable(result)) result = await result;
      } catch (error) {
        throw new SpindleError(
          'SETUP_FAILED',
          `setup() of extension ${extensionId} failed: ${errorMessage(error)}`,
          { cause: error, details: { extensionId } },
        );
      }
      const cleanup = typeof result === 'function' ? (result as CleanupFn) : exportedTeardown;
      if (cleanup === undefined) return;
      // A setup that resolves after the realm was disposed still gets its cleanup run.
      if (disposed) runTeardown(cleanup);
      else teardown = cleanup;
    },
    deliver,
    backendMessage(payload: unknown) {
      if (disposed) return;
      for (const handler of [...backendHandlers]) {
        try {
          handler(payload);
        } catch (error) {
          port.reportError('backend_message_handler', errorMessage(error));
        }
      }
    },
    dispose(reason: InactiveReason = 'unloaded') {
      if (disposed) return;
      disposed = true;
      inactiveReason = reason;
      for (const runner of [...runners.values()]) runner.end();
      runners.clear();
      if (teardown !== undefined) runTeardown(teardown);
      teardown = undefined;
      active = false;
      backendHandlers.clear();
      registry.clear();
      owned?.dispose();
    },
  };
}
