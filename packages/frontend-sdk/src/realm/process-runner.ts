/**
 * The handler side of one frontend process: builds its `SpindleFrontendProcessContext`, runs
 * the handler, and guarantees that the process ends once and its cleanup runs once, whoever
 * ends it (the handler, a throwing handler, the driver) and whenever the cleanup arrives.
 */
import {
  errorMessage,
  type ProcessStopRequest,
  type SpindleFrontendProcessContext,
  type SpindleFrontendProcessHandler,
  type Unsubscribe,
} from '@spindle/types';
import type { DriverToRealm, RealmToDriver } from '../process/protocol.ts';

type SpawnMessage = Extract<DriverToRealm, { type: 'spawn' }>;
type CleanupFn = () => void | Promise<void>;

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/** One running handler. */
export class ProcessRunner {
  private ended = false;
  private readyCalled = false;
  private cleanup: CleanupFn | undefined;
  private cleanupRan = false;
  private readonly messageHandlers = new Set<(payload: unknown) => void>();
  private readonly stopHandlers = new Set<(request: ProcessStopRequest) => unknown>();
  /** The context handed to the handler. */
  readonly context: SpindleFrontendProcessContext;

  constructor(
    private readonly spawn: SpawnMessage,
    private readonly post: (message: RealmToDriver) => void,
    private readonly onFinished: (processId: string) => void,
  ) {
    this.context = this.createContext();
  }

  /** True once the process ended on this side. */
  get isEnded(): boolean {
    return this.ended;
  }

  /** Runs `handler`; a throw or rejection fails the process with its message. */
  start(handler: SpindleFrontendProcessHandler): void {
    let result: unknown;
    try {
      result = handler(this.context);
    } catch (error) {
      this.failWith(error);
      return;
    }
    if (isThenable(result)) {
      result.then(
        (cleanup) => this.adoptCleanup(cleanup),
        (error: unknown) => this.failWith(error),
      );
    } else {
      this.adoptCleanup(result);
    }
  }

  /** A message from the backend half. */
  message(payload: unknown): void {
    if (this.ended) {
      this.post({ type: 'dropped', processId: this.spawn.processId, direction: 'in' });
      return;
    }
    for (const handler of [...this.messageHandlers]) {
      if (this.ended) return;
      try {
        handler(payload);
      } catch (error) {
        this.failWith(error);
      }
    }
  }

  /**
   * A graceful stop request. Without an `onStop` handler the process ends at once; with
   * handlers, they run and the process keeps running until it calls `complete()` or `fail()`, or
   * the driver's stop grace ends it. A handler that throws or rejects is reported on the console
   * and ends nothing, as upstream.
   */
  stop(reason: string | undefined): void {
    if (this.ended) return;
    if (this.stopHandlers.size === 0) {
      this.complete();
      return;
    }
    const request: ProcessStopRequest = reason === undefined ? {} : { reason };
    const report = (error: unknown) =>
      console.error(
        `[spindle] onStop handler of process ${this.spawn.processId} failed: ${errorMessage(error)}`,
      );
    for (const handler of [...this.stopHandlers]) {
      if (this.ended) return;
      try {
        const result = handler(request);
        if (isThenable(result)) result.then(undefined, report);
      } catch (error) {
        report(error);
      }
    }
  }

  /** The driver ended the process. */
  end(): void {
    if (!this.ended) {
      this.ended = true;
      this.finish();
    }
    this.post({ type: 'ended', processId: this.spawn.processId });
  }

  private complete(): void {
    if (this.ended) return;
    this.ended = true;
    this.post({ type: 'completed', processId: this.spawn.processId });
    this.finish();
  }

  private failWith(error: unknown): void {
    if (this.ended) return;
    this.ended = true;
    this.post({ type: 'failed', processId: this.spawn.processId, error: errorMessage(error) });
    this.finish();
  }

  private finish(): void {
    this.messageHandlers.clear();
    this.stopHandlers.clear();
    this.runCleanup();
    this.onFinished(this.spawn.processId);
  }

  private adoptCleanup(value: unknown): void {
    if (typeof value !== 'function') return;
    if (this.cleanup !== undefined || this.cleanupRan) return;
    this.cleanup = value as CleanupFn;
    // A cleanup that arrives after the end runs at once.
    if (this.ended) this.runCleanup();
  }

  private runCleanup(): void {
    const cleanup = this.cleanup;
    if (cleanup === undefined || this.cleanupRan) return;
    this.cleanupRan = true;
    this.cleanup = undefined;
    const report = (error: unknown) =>
      this.post({
        type: 'cleanup_error',
        processId: this.spawn.processId,
        error: errorMessage(error),
      });
    try {
      const result = cleanup();
      if (isThenable(result)) result.then(undefined, report);
    } catch (error) {
      report(error);
    }
  }

  private createContext(): SpindleFrontendProcessContext {
    const { processId, kind, key, payload, metadata } = this.spawn;
    const subscribe = <T>(set: Set<T>, handler: T, name: string): Unsubscribe => {
      if (typeof handler !== 'function') {
        throw new TypeError(`[spindle] ${name}(handler): handler must be a function`);
      }
      if (this.ended) return () => {};
      set.add(handler);
      return () => {
        set.delete(handler);
      };
    };
    const context: SpindleFrontendProcessContext = {
      processId,
      kind: kind.trim(),
      payload,
      ready: () => {
        if (this.ended || this.readyCalled) return;
        this.readyCalled = true;
        this.post({ type: 'ready', processId });
      },
      heartbeat: () => {
        if (this.ended) return;
        this.post({ type: 'heartbeat', processId });
      },
      send: (message: unknown) => {
        if (this.ended) {
          this.post({ type: 'dropped', processId, direction: 'out' });
          return;
        }
        this.post({ type: 'message', processId, payload: message });
      },
      onMessage: (handler) => subscribe(this.messageHandlers, handler, 'onMessage'),
      complete: () => this.complete(),
      fail: (error: unknown) => this.failWith(error),
      onStop: (handler) => subscribe(this.stopHandlers, handler, 'onStop'),
    };
    if (key !== undefined) Object.assign(context, { key });
    if (metadata !== undefined) Object.assign(context, { metadata });
    return Object.freeze(context);
  }
}
