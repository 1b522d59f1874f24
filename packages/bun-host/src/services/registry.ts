/**
 * The app services of one host: namespaces of methods the embedding app registers, described to
 * every runtime (`spindle.<namespace>.<method>`), and the events it emits to runtimes. The
 * registry only holds and checks; `call.ts` runs a call.
 */
import {
  type ExtensionScope,
  RESERVED_NAMESPACES,
  SERVICE_CALL_DEFAULTS,
  SERVICE_NAME_PATTERN,
  type ServiceDescriptor,
  SpindleError,
  type SpindleManifest,
} from '@spindle/types';
import mitt, { type Emitter } from 'mitt';

/** What a service method learns about the call it serves. */
export interface ServiceCall {
  /** The calling extension's identifier. */
  readonly extensionId: string;
  readonly manifest: SpindleManifest;
  readonly scope: ExtensionScope;
  /** `namespace.method`, e.g. `chat.getMessages`. */
  readonly operation: string;
  /** Permissions granted to the caller now. */
  readonly grantedPermissions: readonly string[];
  /**
   * The user a user-scoped extension acts for (its installer); `undefined` for an
   * operator-scoped one, which names users in the arguments (see `actFor`).
   */
  readonly userId: string | undefined;
  /**
   * The user the call acts for, resolved as storage and processes do: a user-scoped extension
   * always acts for its installer (whatever it names); an operator-scoped one must name a user
   * (`INVALID_OPTIONS` otherwise).
   */
  actFor(requested: unknown): string;
  /** Aborted when the call's deadline passes, the runtime stops, or the host closes. */
  readonly signal: AbortSignal;
}

/** A service method: the call context first, then the caller's arguments (JSON values). */
// biome-ignore lint/suspicious/noExplicitAny: the app types its own arguments.
export type ServiceMethod = (call: ServiceCall, ...args: any[]) => unknown;

/** Options of `services.register`. */
export interface ServiceOptions {
  /**
   * Permission the caller must have been granted; without it the namespace is present and every
   * call rejects `PERMISSION_DENIED` naming it.
   */
  permission?: string;
  /** Version of the namespace's contract (capability `services.<namespace>`). @default 1 */
  version?: number;
  /** Deadline of a call. @default 30000 */
  timeoutMs?: number;
}

/** One registered namespace. */
export interface RegisteredService {
  readonly descriptor: ServiceDescriptor;
  readonly methods: ReadonlyMap<string, ServiceMethod>;
  readonly timeoutMs: number;
}

/** Which runtimes an app event reaches. */
export interface ServiceEventOptions {
  /** Only runtimes that may see this user (operator-scoped ones, and its own user-scoped ones). */
  userId?: string;
}

/** Events of the registry (the host forwards them to runtimes). */
export type ServiceRegistryEvents = {
  /** The set of namespaces changed. */
  changed: ServiceDescriptor[];
  /** `emit(event, payload, options)`. */
  event: { event: string; payload: unknown; userId?: string };
};

/** `host.services`: what the embedding app calls. */
export interface HostServices {
  /**
   * Registers `namespace` with its methods; they appear in every runtime (running ones at once)
   * as `spindle.<namespace>.<method>(...args)`. Returns the unregister function.
   * @throws SpindleError `INVALID_OPTIONS` for a bad or reserved name, a taken namespace, or a
   *   method that is not a function.
   */
  register(
    namespace: string,
    methods: Record<string, ServiceMethod>,
    options?: ServiceOptions,
  ): () => void;
  /** Fires `spindle.on(event)` handlers in the runtimes that may see it. */
  emit(event: string, payload: unknown, options?: ServiceEventOptions): void;
  /** Descriptors of every registered namespace, sorted. */
  list(): ServiceDescriptor[];
}

const EVENT_NAME = /^[A-Za-z][A-Za-z0-9_.:-]{0,127}$/;

/** The registry of one host. */
export class ServiceRegistry implements HostServices {
  readonly events: Emitter<ServiceRegistryEvents> = mitt();
  readonly #services = new Map<string, RegisteredService>();

  register(
    namespace: string,
    methods: Record<string, ServiceMethod>,
    options: ServiceOptions = {},
  ): () => void {
    const refuse = (why: string) =>
      new SpindleError('INVALID_OPTIONS', `services.register("${String(namespace)}"): ${why}`);
    if (typeof namespace !== 'string' || !SERVICE_NAME_PATTERN.test(namespace)) {
      throw refuse(`the namespace must match ${SERVICE_NAME_PATTERN}`);
    }
    if (RESERVED_NAMESPACES.includes(namespace)) {
      throw refuse('the name belongs to the runtime’s own spindle members');
    }
    if (this.#services.has(namespace)) throw refuse('the namespace is registered already');
    if (methods === null || typeof methods !== 'object') throw refuse('methods must be an object');
    const table = new Map<string, ServiceMethod>();
    for (const [name, method] of Object.entries(methods)) {
      if (!SERVICE_NAME_PATTERN.test(name) || name === 'constructor' || name === 'prototype') {
        throw refuse(`method name "${name}" must match ${SERVICE_NAME_PATTERN}`);
      }
      if (typeof method !== 'function') throw refuse(`method "${name}" is not a function`);
      table.set(name, method);
    }
    const version = options.version ?? 1;
    if (!Number.isInteger(version) || version < 1)
      throw refuse('version must be a positive integer');
    const timeoutMs = options.timeoutMs ?? SERVICE_CALL_DEFAULTS.timeoutMs;
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw refuse('timeoutMs must be positive');
    const service: RegisteredService = {
      descriptor: {
        namespace,
        version,
        methods: [...table.keys()].sort(),
        ...(options.permission === undefined ? {} : { permission: options.permission }),
      },
      methods: table,
      timeoutMs,
    };
    this.#services.set(namespace, service);
    this.events.emit('changed', this.list());
    return () => {
      if (this.#services.get(namespace) !== service) return;
      this.#services.delete(namespace);
      this.events.emit('changed', this.list());
    };
  }

  emit(event: string, payload: unknown, options: ServiceEventOptions = {}): void {
    if (typeof event !== 'string' || !EVENT_NAME.test(event)) {
      throw new SpindleError(
        'INVALID_OPTIONS',
        `services.emit: event name must match ${EVENT_NAME}`,
      );
    }
    this.events.emit('event', {
      event,
      payload,
      ...(options.userId === undefined ? {} : { userId: options.userId }),
    });
  }

  list(): ServiceDescriptor[] {
    return [...this.#services.values()]
      .map((s) => s.descriptor)
      .sort((a, b) => a.namespace.localeCompare(b.namespace));
  }

  /** The registered namespace, if any. */
  get(namespace: string): RegisteredService | undefined {
    return this.#services.get(namespace);
  }
}
